package dev.clearance.embed;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * An OpenAI-compatible embedding endpoint ({@code clearance.embedding.provider=openai}).
 *
 * @param dimensions must equal the stored vector dimension (384)
 * @param maxInputTokens the endpoint's input window, in its own (cl100k) tokens
 */
@ConfigurationProperties("clearance.embedding.openai")
public record OpenAiEmbeddingProperties(
        @Bindable(defaultValue = "https://api.openai.com/v1")
        String baseUrl,

        @Bindable(defaultValue = "text-embedding-3-small") String model,
        @Nullable String apiKey,
        @Bindable(defaultValue = "384") int dimensions,
        @Bindable(defaultValue = "8191") int maxInputTokens,
        @Bindable(defaultValue = "30s") Duration timeout) {}
