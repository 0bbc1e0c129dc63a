package dev.clearance.search;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** Body of {@code POST /v1/search}. The query's length limit is configuration (clearance.limits). */
@Serdeable
public record SearchRequest(
        @NotBlank String query,
        @Nullable @Min(1) @Max(50) Integer topK,
        @Nullable @Min(1) @Max(200_000) Integer maxTokens,
        @Nullable String strategy) {

    public int topKOrDefault() {
        return topK == null ? 5 : topK;
    }

    public Strategy strategyOrDefault() {
        return Strategy.parse(strategy);
    }
}
