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

    /**
     * The problem document of one failure; the one place a type slug becomes a type URI. Used by the
     * HTTP handler and by the places that report a failure inside a 200 answer (a batch item, an
     * event stream that already started).
     */
    public static Problem of(ProblemException e, @Nullable String instance, @Nullable String requestId) {
        return new Problem(
                TYPE_BASE + e.type(), e.title(), e.status().getCode(), e.getMessage(), instance, requestId, e.errors());
    }

    /** One invalid input field: where ({@code field}) and what is wrong with it. */
    @Serdeable
    public record FieldError(String field, String message) {}
}
