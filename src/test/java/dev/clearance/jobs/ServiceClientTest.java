package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The job's HTTP calls against a stand-in on loopback: request bodies, retries, token renewal. */
class ServiceClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CREATED = "{\"id\":\"a\",\"status\":\"created\",\"searchable\":true}";

    /** What the stand-in answers, in order: status, Retry-After (or null), body. */
    private record Answer(int status, String retryAfter, String body) {}

    private final Deque<Answer> answers = new ArrayDeque<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private URI base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aBatchCarriesEachIdAndItsDocumentAsJson() throws Exception {
        answers.add(new Answer(200, null, """
                {"results":[{"id":"a","result":%s},
                 {"id":"b\\"c","problem":{"status":400,"detail":"no text"}}]}""".formatted(CREATED)));
        byte[] document = "{\"title\":\"Caf\u00e9 \\\"menu\\\"\",\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        List<ServiceClient.PutOutcome> outcomes = client("t")
                .putBatch(List.of(new ServiceClient.Item("a", document), new ServiceClient.Item("b\"c", document)));

        JsonNode sent = bodies.getFirst().path("documents");
        assertEquals("b\"c", sent.path(1).path("id").asText());
        assertEquals(
                "Caf\u00e9 \"menu\"",
                sent.path(0).path("document").path("title").asText());
        assertEquals("created", outcomes.get(0).status());
        assertEquals("HTTP 400: no text", outcomes.get(1).failure());
    }

    @Test
    void transientAnswersAreRetriedWithBackoffAndRetryAfter() throws Exception {
        answers.add(new Answer(503, null, ""));
        answers.add(new Answer(429, "2", ""));
        answers.add(new Answer(200, null, CREATED));
        long started = System.nanoTime();
        assertEquals(
                "created",
                client("t").put("a", "{}".getBytes(StandardCharsets.UTF_8)).status());
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(3, requests.size());
        assertTrue(millis >= 2_500, "0.5 s, then the 2 s the service asked for: " + millis + " ms");
    }

    @Test
    void otherFailuresAreNotRetried() {
        answers.add(new Answer(400, null, "{\"title\":\"Bad Request\",\"status\":400,\"detail\":\"bad id\"}"));
        CallFailed e =
                assertThrows(CallFailed.class, () -> client("t").put("a", "{}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("HTTP 400: bad id", e.getMessage());
        assertFalse(e.fatal());
        assertEquals(1, requests.size());
    }

    @Test
    void anExpiredDemoTokenIsRenewedOnce() throws Exception {
        answers.add(new Answer(200, null, "{\"accessToken\":\"first\"}"));
        answers.add(new Answer(401, null, ""));
        answers.add(new Answer(200, null, "{\"accessToken\":\"second\"}"));
        answers.add(new Answer(401, null, ""));
        Credentials demo = Credentials.demo(ServiceClient.newHttpClient(), base, "bot", "acme");
        ServiceClient client = new ServiceClient(base, demo, ServiceClient.newHttpClient());

        CallFailed e = assertThrows(CallFailed.class, () -> client.delete("a"));
        assertTrue(e.fatal(), "a token refused after renewal stops the run");
        assertEquals(
                List.of(
                        "POST /demo/token",
                        "DELETE /v1/documents/a first",
                        "POST /demo/token",
                        "DELETE /v1/documents/a second"),
                requests);
    }

    private ServiceClient client(String token) {
        return new ServiceClient(base, Credentials.fixed(token), ServiceClient.newHttpClient());
    }

    private void handle(HttpExchange exchange) throws IOException {
        String token = exchange.getRequestHeaders().getFirst("Authorization");
        requests.add(
                exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
                        + (token == null ? "" : " " + token.substring("Bearer ".length())));
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (body.length > 0) {
            bodies.add(JSON.readTree(body));
        }
        Answer answer = answers.poll();
        if (answer == null) {
            answer = new Answer(500, null, "no answer left");
        }
        if (answer.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }
}
