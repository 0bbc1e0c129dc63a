package dev.clearance.answer;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /v1/ask}. */
@Serdeable
public record AskRequest(
        @NotBlank @Size(max = 4000) String query,
        @Nullable @Min(1) @Max(50) Integer topK) {

    /**
     * Passages put in the prompt when the caller does not say. More than a search returns
     * ({@link dev.clearance.search.SearchRequest#DEFAULT_TOP_K}): an answer is better for more
     * context, and the model, not the reader, reads the extra passages.
     */
    public static final int DEFAULT_SOURCES = 8;

    public int topKOrDefault() {
        return topK == null ? DEFAULT_SOURCES : topK;
    }
}
