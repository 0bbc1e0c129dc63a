package dev.clearance.chunk;

/** A piece of a document: its position, its text and its size in LLM tokens. */
public record Chunk(int ordinal, String text, int tokens) {}
