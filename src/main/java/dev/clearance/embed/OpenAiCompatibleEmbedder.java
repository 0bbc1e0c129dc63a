package dev.clearance.embed;

import dev.clearance.chunk.EmbeddingWindow;
import dev.clearance.chunk.TokenCounter;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Embeddings from an OpenAI-compatible {@code /embeddings} endpoint (OpenAI, Azure OpenAI, vLLM,
 * Ollama, LocalAI ...), through LangChain4j's OpenAI embedding model. The endpoint must return
 * vectors of the stored dimension; OpenAI's text-embedding-3 models shorten their vectors when
 * asked with {@code dimensions}. Any failure of the endpoint, and any answer of the wrong size or
 * count, is an {@link EmbeddingUnavailableException}: nothing half-embedded is stored.
 */
@Singleton
@Requires(property = "clearance.embedding.provider", value = "openai")
final class OpenAiCompatibleEmbedder implements Embedder, EmbeddingWindow {

    private final OpenAiEmbeddingProperties endpoint;
    private final TokenCounter tokens;
    private final EmbeddingModel model;

    OpenAiCompatibleEmbedder(EmbeddingProperties properties, OpenAiEmbeddingProperties endpoint, TokenCounter tokens) {
        this.endpoint = endpoint;
        this.tokens = tokens;
        this.model = OpenAiEmbeddingModel.builder()
                .baseUrl(endpoint.baseUrl())
                // Local servers (vLLM, Ollama) need no key, but the client requires one.
                .apiKey(endpoint.apiKey() == null || endpoint.apiKey().isBlank() ? "unused" : endpoint.apiKey())
                .modelName(endpoint.model())
                .dimensions(endpoint.dimensions())
                .timeout(endpoint.timeout())
                .maxSegmentsPerBatch(properties.batchSize())
                .build();
    }

    @Override
    public String modelName() {
        return "openai:" + endpoint.model() + ":" + endpoint.dimensions();
    }

    @Override
    public int dimension() {
        return endpoint.dimensions();
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        List<Embedding> embeddings;
        try {
            embeddings = model.embedAll(texts.stream().map(TextSegment::from).toList())
                    .content();
        } catch (RuntimeException e) {
            throw new EmbeddingUnavailableException("The embedding endpoint failed.", e);
        }
        if (embeddings == null || embeddings.size() != texts.size()) {
            throw new EmbeddingUnavailableException("The embedding endpoint left out inputs.", null);
        }
        for (Embedding embedding : embeddings) {
            if (embedding.dimension() != endpoint.dimensions()) {
                throw new EmbeddingUnavailableException(
                        "The embedding endpoint returned " + embedding.dimension() + " dimensions, expected "
                                + endpoint.dimensions() + ".",
                        null);
            }
        }
        return embeddings.stream().map(Embedding::vector).toList();
    }

    @Override
    public int count(String text) {
        return tokens.count(text);
    }

    @Override
    public int maxTokens() {
        return endpoint.maxInputTokens();
    }
}
