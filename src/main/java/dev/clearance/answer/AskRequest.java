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

    public int topKOrDefault() {
        return topK == null ? 8 : topK;
    }
}
