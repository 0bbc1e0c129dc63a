package dev.clearance.answer;

/** What the model is sent: instructions and the user's turn (question plus numbered sources). */
public record Prompt(String system, String user) {}
