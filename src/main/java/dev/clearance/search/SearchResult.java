package dev.clearance.search;

import io.micronaut.serde.annotation.Serdeable;

/** One authorized chunk with what a citation needs. */
@Serdeable
public record SearchResult(
        String documentId,
        String chunkId,
        int position,
        String title,
        String text,
        double score,
        int tokens,
        String source,
        boolean truncated) {}
