package dev.clearance.search;

import io.micronaut.serde.annotation.Serdeable;

/**
 * What the search did. {@code checked}, {@code allowed}, {@code denied} and {@code errors} count
 * documents; {@code candidates} counts chunks. {@code complete} is true when every candidate the
 * caller may see was considered (the k results are the best k, not just k found within a budget).
 * {@code vectorSearch} is {@code exact} when the vector leg computed the distance of every candidate
 * chunk, {@code approximate} when it used the HNSW index (large tenants, see ADR 0004), whose
 * nearest chunks can miss some of the true nearest.
 */
@Serdeable
public record SearchStats(
        int candidates,
        int checked,
        int allowed,
        int denied,
        int errors,
        int rounds,
        String strategy,
        boolean complete,
        String vectorSearch,
        long ms) {}
