package dev.clearance.search;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * Body returned by {@code POST /v1/search}. {@code diagnostics} is present only for callers with the
 * scope {@code audit:read}.
 */
@Serdeable
public record SearchResponse(
        List<SearchResult> results,
        SearchStats stats,
        @Nullable SearchDiagnostics diagnostics) {}
