package dev.clearance.search;

/**
 * A chunk that matched a query, before authorization. {@code similarity} is cosine similarity to
 * the query vector; {@code lexical} is the full-text rank (0 when the words do not match). {@code
 * aclVersion} is the version of the document's access rules read in the same statement as the
 * text: a decision about the document is valid for this text only if made for this version.
 */
public record Candidate(
        long chunkId,
        String documentId,
        long aclVersion,
        int ordinal,
        String text,
        int tokens,
        String title,
        String source,
        double similarity,
        double lexical) {}
