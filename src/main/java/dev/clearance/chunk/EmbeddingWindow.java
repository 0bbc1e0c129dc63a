package dev.clearance.chunk;

/**
 * The input limit of the embedding model, in the model's own tokens. Text past the window is
 * silently ignored by the model, so chunks are cut to fit it.
 */
public interface EmbeddingWindow {

    /** Tokens of {@code text} as the embedding model counts them. */
    int count(String text);

    /** Largest token count a chunk may have and still be seen whole by the model. */
    int maxTokens();
}
