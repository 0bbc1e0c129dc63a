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

    /** Results when the caller does not say (HTTP and MCP; the web page asks for a longer page). */
    public static final int DEFAULT_TOP_K = 5;

    public int topKOrDefault() {
        return topK == null ? DEFAULT_TOP_K : topK;
    }

    public Strategy strategyOrDefault() {
        return Strategy.parse(strategy);
    }
}
