package dev.clearance.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.clearance.chunk.TokenCounter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI-compatible embedder against a real HTTP server speaking the embeddings protocol: what
 * it sends (model, dimensions, batches of the configured size), that vectors come back in input
 * order, and that a failing or wrong-sized answer is an error rather than a stored vector.
 */
class OpenAiCompatibleEmbedderIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile int dimensions = 3;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/embeddings", this::embeddings);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** Each input's vector is (its length, its index in the request, 1, ...). */
    private void embeddings(HttpExchange exchange) throws IOException {
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        requests.add(request);
        ObjectNode answer = JSON.createObjectNode()
                .put("object", "list")
                .put("model", request.get("model").asText());
        ArrayNode data = answer.putArray("data");
        for (int i = 0; i < request.get("input").size(); i++) {
            ArrayNode vector =
                    data.addObject().put("object", "embedding").put("index", i).putArray("embedding");
            vector.add(request.get("input").get(i).asText().length()).add(i);
            for (int d = 2; d < dimensions; d++) {
                vector.add(1);
            }
        }
        answer.putObject("usage").put("prompt_tokens", 1).put("total_tokens", 1);
        byte[] body = status == 200
                ? JSON.writeValueAsBytes(answer)
                : "{\"error\":{\"message\":\"down\"}}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private OpenAiCompatibleEmbedder embedder(int batchSize) {
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        return new OpenAiCompatibleEmbedder(
                new EmbeddingProperties(1, batchSize),
                new OpenAiEmbeddingProperties(base, "text-embedding-3-small", null, 3, 8191, Duration.ofSeconds(5)),
                new TokenCounter());
    }

    @Test
    void vectorsComeBackInInputOrderFromBatchesOfTheConfiguredSize() {
        List<float[]> vectors = embedder(2).embedAll(List.of("a", "bb", "ccc", "dddd", "eeeee"));
        assertEquals(5, vectors.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(i + 1, vectors.get(i)[0], "vector " + i + " belongs to input " + i);
        }
        assertEquals(3, requests.size(), "five inputs in batches of two");
        assertEquals("text-embedding-3-small", requests.get(0).get("model").asText());
        assertEquals(3, requests.get(0).get("dimensions").asInt());
        assertArrayEquals(new float[] {3, 0, 1}, embedder(8).embed("abc"));
    }

    @Test
    void aFailingEndpointIsAnErrorNotAVector() {
        status = 500;
        assertThrows(EmbeddingUnavailableException.class, () -> embedder(8).embedAll(List.of("a")));
    }

    @Test
    void vectorsOfAnotherDimensionAreRefused() {
        dimensions = 4;
        EmbeddingUnavailableException e = assertThrows(
                EmbeddingUnavailableException.class, () -> embedder(8).embedAll(List.of("a")));
        assertEquals("The embedding endpoint returned 4 dimensions, expected 3.", e.getMessage());
    }
}
