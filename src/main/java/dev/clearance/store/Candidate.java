package dev.clearance.store;

/**
 * A chunk that matched a query, before authorization. {@code similarity} is cosine similarity to
 * the query vector; {@code lexical} is the full-text rank (0 when the words do not match).
 */
public record Candidate(
        long chunkId,
        String documentId,
        int ordinal,
        String text,
        int tokens,
        String title,
        String source,
        double similarity,
        double lexical) {}
