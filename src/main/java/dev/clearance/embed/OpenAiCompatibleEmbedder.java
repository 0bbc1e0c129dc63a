package dev.clearance.embed;

import dev.clearance.chunk.EmbeddingWindow;
import dev.clearance.chunk.TokenCounter;
import io.micronaut.context.annotation.Requires;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Embeddings from an OpenAI-compatible {@code /embeddings} endpoint (OpenAI, Azure OpenAI, vLLM,
 * Ollama, LocalAI ...). The endpoint must return vectors of the stored dimension; OpenAI's
 * text-embedding-3 models shorten their vectors when asked with {@code dimensions}.
 */
@Singleton
@Requires(property = "clearance.embedding.provider", value = "openai")
final class OpenAiCompatibleEmbedder implements Embedder, EmbeddingWindow {

    private final EmbeddingProperties properties;
    private final OpenAiEmbeddingProperties endpoint;
    private final JsonMapper json;
    private final TokenCounter tokens;
    private final HttpClient http;

    OpenAiCompatibleEmbedder(
            EmbeddingProperties properties, OpenAiEmbeddingProperties endpoint, JsonMapper json, TokenCounter tokens) {
        this.properties = properties;
        this.endpoint = endpoint;
        this.json = json;
        this.tokens = tokens;
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += properties.batchSize()) {
            vectors.addAll(call(texts.subList(from, Math.min(texts.size(), from + properties.batchSize()))));
        }
        return vectors;
    }

    @SuppressWarnings("unchecked")
    private List<float[]> call(List<String> batch) {
        try {
            byte[] body = json.writeValueAsBytes(
                    Map.of("model", endpoint.model(), "input", batch, "dimensions", endpoint.dimensions()));
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            URI.create(endpoint.baseUrl().replaceAll("/$", "") + "/embeddings"))
                    .timeout(endpoint.timeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (endpoint.apiKey() != null && !endpoint.apiKey().isBlank()) {
                request.header("Authorization", "Bearer " + endpoint.apiKey());
            }
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new EmbeddingUnavailableException(
                        "The embedding endpoint answered " + response.statusCode() + ".", null);
            }
            Map<String, Object> parsed = json.readValue(response.body(), Map.class);
            List<Map<String, Object>> data = (List<Map<String, Object>>) parsed.get("data");
            float[][] ordered = new float[batch.size()][];
            for (Map<String, Object> item : data) {
                int index = ((Number) item.get("index")).intValue();
                List<Number> values = (List<Number>) item.get("embedding");
                float[] vector = new float[values.size()];
                for (int i = 0; i < vector.length; i++) {
                    vector[i] = values.get(i).floatValue();
                }
                if (vector.length != endpoint.dimensions()) {
                    throw new EmbeddingUnavailableException(
                            "The embedding endpoint returned " + vector.length + " dimensions, expected "
                                    + endpoint.dimensions() + ".",
                            null);
                }
                ordered[index] = vector;
            }
            for (float[] vector : ordered) {
                if (vector == null) {
                    throw new EmbeddingUnavailableException("The embedding endpoint left out inputs.", null);
                }
            }
            return List.of(ordered);
        } catch (IOException e) {
            throw new EmbeddingUnavailableException("The embedding endpoint is not reachable.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddingUnavailableException("Interrupted while embedding.", e);
        }
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
