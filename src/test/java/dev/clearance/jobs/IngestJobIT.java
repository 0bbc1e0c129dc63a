package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole job against a stand-in for the service (an in-process HTTP server on loopback): batches,
 * the fallback to one PUT per document, failure reasons, resuming, deletions, a rejected token, and
 * what the service lists under the job's name (in pages of two, so the job must follow them).
 */
class IngestJobIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private HttpServer server;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final Map<String, String> stored = new ConcurrentHashMap<>();
    private final Map<String, String> tupleWriters = new ConcurrentHashMap<>();
    private final List<String> deletedTuples = new CopyOnWriteArrayList<>();
    private volatile boolean batchEndpoint = true;
    private volatile boolean listings = true;
    private volatile boolean acceptToken = true;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        Files.createDirectories(dir.resolve("docs/eng"));
        for (String name : List.of("a", "b", "c", "d")) {
            Files.writeString(dir.resolve("docs/eng/" + name + ".md"), "# " + name + "\n\ntext " + name + "\n");
        }
        Files.writeString(dir.resolve("docs/eng/empty.md"), "");
        Files.writeString(dir.resolve("job.yaml"), """
                tenant: acme
                source: {directory: docs}
                folders:
                  eng: {viewers: ["group:eng#member"]}
                batchSize: 3
                """);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void sendsInBatchesReportsFailuresAndResumes() throws Exception {
        assertEquals(1, run(), "the empty document fails");
        assertEquals(4, stored.size());
        assertTrue(calls.contains("POST /v1/relationships"));
        assertTrue(
                calls.stream().filter(c -> c.equals("POST /v1/documents/batch")).count() == 2, calls.toString());
        String summary = out.toString(StandardCharsets.UTF_8);
        assertTrue(summary.contains("added           4"), summary);
        assertTrue(summary.contains("eng/empty.md: HTTP 400: text: no text could be extracted"), summary);

        calls.clear();
        Files.delete(dir.resolve("docs/eng/empty.md"));
        Files.delete(dir.resolve("docs/eng/d.md"));
        Files.writeString(dir.resolve("docs/eng/a.md"), "# a\n\nchanged\n");
        assertEquals(0, run());
        assertTrue(calls.contains("PUT /v1/documents/eng~a.md"), "a batch of one is a plain PUT: " + calls);
        assertTrue(calls.contains("DELETE /v1/documents/eng~d.md"), calls.toString());
        assertEquals(3, stored.size());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("(2 skipped locally"));
    }

    @Test
    void fallsBackToOnePutPerDocumentWithoutABatchEndpoint() throws Exception {
        batchEndpoint = false;
        Files.delete(dir.resolve("docs/eng/empty.md"));
        assertEquals(0, run());
        assertEquals(4, stored.size());
        assertEquals(1, calls.stream().filter(c -> c.endsWith("/batch")).count(), "asked once, then PUTs: " + calls);
    }

    @Test
    void aRejectedTokenStopsTheRun() throws Exception {
        acceptToken = false;
        assertEquals(1, run());
        assertTrue(stored.isEmpty());
        assertEquals(List.of("GET /v1/relationships"), calls, "nothing is sent after the token is refused");
    }

    @Test
    void aRunWithoutItsStateDeletesWhatTheServiceListsUnderTheJobsName() throws Exception {
        Files.delete(dir.resolve("docs/eng/empty.md"));
        assertEquals(0, run());
        assertEquals(Map.of("group:eng#member viewer folder:eng", "job:job"), tupleWriters);
        stored.put("by-hand", "{\"text\":\"x\"}");

        deleteState();
        for (String name : List.of("a", "b", "c")) {
            Files.delete(dir.resolve("docs/eng/" + name + ".md"));
        }
        Files.writeString(dir.resolve("job.yaml"), "tenant: acme\nsource: {directory: docs}\n");
        calls.clear();
        assertEquals(0, run());
        assertEquals(
                3, calls.stream().filter(c -> c.startsWith("GET /v1/documents")).count(), "three pages: " + calls);
        assertEquals(Set.of("eng~d.md", "by-hand"), stored.keySet(), "documents of other writers stay");
        assertEquals(List.of("group:eng#member viewer folder:eng"), deletedTuples);
    }

    @Test
    void withoutListingsTheRunGoesByItsOwnStateAndSaysSo() throws Exception {
        listings = false;
        Files.delete(dir.resolve("docs/eng/empty.md"));
        assertEquals(0, run());
        Files.delete(dir.resolve("docs/eng/a.md"));
        assertEquals(0, run());
        assertTrue(calls.contains("DELETE /v1/documents/eng~a.md"), calls.toString());
        assertTrue(errors.toString(StandardCharsets.UTF_8).contains("cannot list the documents of job:job"));
    }

    private int run() {
        out.reset();
        errors.reset();
        String service = "http://127.0.0.1:" + server.getAddress().getPort();
        return IngestJob.execute(
                Map.of("CLEARANCE_TOKEN", "t"),
                new PrintStream(out, true),
                new PrintStream(errors, true),
                "run",
                "--progress",
                "none",
                "--service",
                service,
                dir.resolve("job.yaml").toString());
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath().replace("%7E", "~");
        calls.add(method + " " + path);
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        if (!acceptToken) {
            reply(exchange, 401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"token expired\"}");
        } else if (method.equals("GET")) {
            list(exchange, path, query(exchange));
        } else if (path.equals("/v1/relationships")) {
            for (JsonNode t : body.path("writes")) {
                tupleWriters.put(tuple(t), body.path("managedBy").asText());
            }
            for (JsonNode t : body.path("deletes")) {
                tupleWriters.remove(tuple(t));
                deletedTuples.add(tuple(t));
            }
            reply(exchange, 200, "{\"written\":1,\"deleted\":0}");
        } else if (path.equals("/v1/documents/batch")) {
            if (!batchEndpoint) {
                reply(exchange, 404, "{\"title\":\"Not Found\",\"status\":404}");
                return;
            }
            StringBuilder results = new StringBuilder();
            for (JsonNode item : body.path("documents")) {
                String id = item.path("id").asText();
                results.append(results.isEmpty() ? "" : ",")
                        .append("{\"id\":\"")
                        .append(id)
                        .append("\",")
                        .append(put(id, item.path("document")))
                        .append('}');
            }
            reply(exchange, 200, "{\"results\":[" + results + "],\"failed\":0}");
        } else if (method.equals("PUT")) {
            String result = put(path.substring("/v1/documents/".length()), body);
            boolean ok = result.startsWith("\"result\"");
            reply(exchange, ok ? 200 : 400, result.substring(result.indexOf(':') + 1));
        } else if (method.equals("DELETE")) {
            boolean existed = stored.remove(path.substring("/v1/documents/".length())) != null;
            reply(exchange, existed ? 204 : 404, "");
        } else {
            reply(exchange, 404, "");
        }
    }

    /** The listings, two entries a page, in key order like the service's. */
    private void list(HttpExchange exchange, String path, Map<String, String> query) throws IOException {
        String writer = query.get("managedBy");
        List<String> keys;
        String field;
        if (!listings) {
            reply(exchange, 404, "{\"title\":\"Not Found\",\"status\":404}");
            return;
        } else if (path.equals("/v1/documents")) {
            field = "documents";
            keys = stored.entrySet().stream()
                    .filter(e -> writer.equals(writerOf(e.getValue())))
                    .map(Map.Entry::getKey)
                    .toList();
        } else {
            field = "relationships";
            keys = tupleWriters.entrySet().stream()
                    .filter(e -> writer.equals(e.getValue()))
                    .map(Map.Entry::getKey)
                    .toList();
        }
        String after = query.getOrDefault("after", "");
        List<String> page =
                new TreeSet<>(keys).tailSet(after, false).stream().limit(2).toList();
        List<Object> entries = page.stream()
                .map(k -> field.equals("documents") ? Map.of("id", k) : (Object) tupleMap(k))
                .toList();
        Map<String, Object> response = new java.util.HashMap<>(Map.of(field, entries));
        if (page.size() == 2) {
            response.put("next", page.getLast());
        }
        reply(exchange, 200, JSON.writeValueAsString(response));
    }

    private static String writerOf(String document) {
        try {
            return JSON.readTree(document).path("managedBy").asText(null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> query = new java.util.HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            int eq = pair.indexOf('=');
            query.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return query;
    }

    private static String tuple(JsonNode t) {
        return t.path("user").asText() + " " + t.path("relation").asText() + " "
                + t.path("object").asText();
    }

    private static Map<String, String> tupleMap(String tuple) {
        String[] parts = tuple.split(" ");
        return Map.of("user", parts[0], "relation", parts[1], "object", parts[2]);
    }

    private void deleteState() throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve(JobRunner.STATE_DIRECTORY))) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private String put(String id, JsonNode document) {
        if (!document.has("text")) {
            return "\"problem\":{\"title\":\"Invalid document\",\"status\":400,\"detail\":\"text: no text could be extracted\"}";
        }
        String status = stored.containsKey(id) ? "updated" : "created";
        stored.put(id, document.toString());
        return "\"result\":{\"id\":\"" + id + "\",\"status\":\"" + status
                + "\",\"chunks\":1,\"tokens\":5,\"searchable\":true}";
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }
}
