package dev.clearance.answer;

import dev.clearance.search.SearchDiagnostics;
import dev.clearance.search.SearchStats;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * Body returned by {@code POST /v1/ask}, and the final event of the streamed variant. {@code
 * diagnostics}, as in search, only for callers with the scope {@code audit:read}.
 */
@Serdeable
public record AskResponse(
        String answer,
        List<Citation> citations,
        String requestId,
        String model,
        SearchStats stats,
        @Nullable SearchDiagnostics diagnostics) {}
