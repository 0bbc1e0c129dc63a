package dev.clearance.chunk;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Chunk sizes in LLM tokens (cl100k). The embedding model's own window is enforced separately by
 * {@link EmbeddingWindow}, because a chunk that fits the LLM budget may still exceed it.
 *
 * @param maxTokens upper bound of a chunk
 * @param overlapTokens how much of the end of a chunk is repeated at the start of the next
 */
@ConfigurationProperties("clearance.chunking")
public record ChunkingProperties(
        @Bindable(defaultValue = "100") @Min(16) @Max(2048) int maxTokens,
        @Bindable(defaultValue = "16") @Min(0) @Max(512) int overlapTokens) {}
