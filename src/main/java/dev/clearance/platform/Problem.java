package dev.clearance.platform;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * An RFC 9457 problem document. {@code type} is a stable URI per failure kind so clients can branch
 * on it; {@code requestId} lets support find the request's log lines.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
        String type,
        String title,
        int status,
        @Nullable String detail,
        @Nullable String instance,
        @Nullable String requestId,
        List<FieldError> errors) {

    public static final String TYPE_BASE = "https://clearance.dev/problems/";

    /** One invalid input field: where ({@code field}) and what is wrong with it. */
    @Serdeable
    public record FieldError(String field, String message) {}
}
