package dev.clearance.search;

import io.micronaut.serde.annotation.Serdeable;

/**
 * How a search found its results, returned only to callers with the scope {@code audit:read} and
 * always written to the audit log. The counts include documents the caller may not read, so an
 * ordinary caller who saw them could probe hidden text (a word only unreadable documents contain
 * yields more candidates and denials than a word no document contains).
 *
 * <p>{@code checked}, {@code allowed} and {@code denied} count documents; {@code candidates} counts
 * chunks. {@code vectorSearch} is {@code exact} when the vector leg computed the distance of every
 * candidate chunk, {@code approximate} when it used the HNSW index (large tenants, see ADR 0004).
 * {@code dropped} counts allowed chunks left out because their document's access rules changed while
 * the search ran.
 */
@Serdeable
public record SearchDiagnostics(
        int candidates,
        int checked,
        int allowed,
        int denied,
        int rounds,
        String strategy,
        String vectorSearch,
        int dropped) {}
