package dev.clearance.search;

import dev.clearance.platform.InputLimits;
import dev.clearance.platform.Problem;
import dev.clearance.platform.ValidationProblem;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.util.ArrayList;
import java.util.List;

/** Body of {@code POST /v1/search}. The query's length limit is configuration (clearance.limits). */
@Serdeable
public record SearchRequest(
        @NotBlank String query,
        @Nullable @Min(1) @Max(50) Integer topK,
        @Nullable @Min(1) @Max(200_000) Integer maxTokens,
        @Nullable String strategy,
        @Nullable Boolean explain) {

    /** The fields every caller sets; {@code explain} off. */
    public SearchRequest(String query, @Nullable Integer topK, @Nullable Integer maxTokens, @Nullable String strategy) {
        this(query, topK, maxTokens, strategy, null);
    }

    /** Whether each result should carry the caller's shortest path to its document (ADR 0012). */
    public boolean explainOrDefault() {
        return Boolean.TRUE.equals(explain);
    }

    /** Results when the caller does not say (HTTP and MCP; the web page asks for a longer page). */
    public static final int DEFAULT_TOP_K = 5;

    public int topKOrDefault() {
        return topK == null ? DEFAULT_TOP_K : topK;
    }

    public Strategy strategyOrDefault() {
        return Strategy.parse(strategy);
    }

    /**
     * Every entry point (HTTP, MCP, ask) gets the same limits, whether or not it ran bean
     * validation; all problems are reported at once.
     */
    public void requireValid(InputLimits limits) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (query == null || query.isBlank()) {
            errors.add(new Problem.FieldError("query", "must not be blank"));
        } else if (query.length() > limits.queryMaxChars()) {
            errors.add(new Problem.FieldError("query", "must be at most " + limits.queryMaxChars() + " characters"));
        } else if (InputLimits.hasNul(query)) {
            errors.add(new Problem.FieldError("query", "must not contain NUL (U+0000) characters"));
        }
        if (topK != null && (topK < 1 || topK > 50)) {
            errors.add(new Problem.FieldError("topK", "must be between 1 and 50"));
        }
        if (maxTokens != null && maxTokens < 1) {
            errors.add(new Problem.FieldError("maxTokens", "must be positive"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationProblem(errors);
        }
    }
}
