package dev.clearance.search;

import io.micronaut.serde.annotation.Serdeable;

/**
 * What every caller learns about its search: {@code returned} results, whether they are {@code
 * complete} (every candidate the caller may see was considered, so they are the best k, not just k
 * found within a budget) and how long it took. Nothing here counts documents the caller may not
 * read; those counts are {@link SearchDiagnostics}, for auditors.
 */
@Serdeable
public record SearchStats(int returned, boolean complete, long ms) {}
