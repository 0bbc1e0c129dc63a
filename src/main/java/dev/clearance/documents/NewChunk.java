package dev.clearance.documents;

/** A chunk ready to be stored: text, LLM token count and its embedding. */
public record NewChunk(int ordinal, String text, int tokens, float[] embedding) {}
