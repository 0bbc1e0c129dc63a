package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.McpClients;
import dev.clearance.testsupport.StandInChatServer;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Unknown stays unknown (docs/consistency.md, invariant 4). In this tenant mallory may read nothing;
 * every document belongs to owen, and some of them contain the rare word "zanzibarite". If
 * mallory's responses differed between "zanzibarite" and a word no document contains, she could
 * probe owen's text one word at a time. Every way of searching (HTTP with each strategy, MCP,
 * /v1/ask plain and streamed) must answer both exactly alike, apart from timings and request ids.
 * An auditor (scope audit:read) does see the difference, in {@code diagnostics}.
 */
@MicronautTest
class SideChannelIT extends IntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StandInChatServer MODEL = new StandInChatServer();
    private static final String HIDDEN_WORD = "zanzibarite";
    private static final String ABSENT_WORD = "qwxyzzy";
    /** Removed before comparing: they differ from request to request whatever the data. */
    private static final Set<String> VOLATILE = Set.of("ms", "requestId");

    @Inject
    @Client("/")
    HttpClient client;

    @Inject
    EmbeddedServer server;

    Api api;
    String mallory;

    @Override
    protected Map<String, String> extraProperties() {
        // Two post-filter rounds: a forced post-filter search then stops before it has seen every
        // document, as searches in large tenants do, instead of ending with equal totals.
        return Map.of(
                "clearance.llm.base-url",
                MODEL.baseUrl(),
                "clearance.llm.model",
                "stand-in",
                "clearance.search.max-rounds",
                "2");
    }

    @BeforeAll
    void load() {
        api = new Api(client.toBlocking());
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        // More documents than a first round fetches (topK 1 fetches 4 by vector), so the full-text
        // leg adds the documents that contain the word: the counts then depend on hidden text.
        for (int i = 0; i < 40; i++) {
            String text = i % 4 == 0
                    ? "Assay report " + i + ": the core sample contains " + HIDDEN_WORD + " crystals."
                    : "Assay report " + i + ": the core sample contains ordinary granite.";
            int status = api.put(
                            admin,
                            "assay-" + i,
                            Map.of("title", "Assay " + i, "text", text, "viewers", List.of("user:owen")))
                    .getStatus()
                    .getCode();
            assertTrue(status == 200 || status == 201, "assay-" + i + " answered " + status);
        }
        mallory = IDP.token("mallory", tenant, "");
    }

    @AfterAll
    void stopModel() {
        MODEL.close();
    }

    @Test
    void httpSearchAnswersAHiddenWordLikeAnAbsentOneWithEveryStrategy() {
        for (String strategy : List.of("postfilter", "adaptive", "prefilter")) {
            for (int topK : List.of(1, 5)) {
                // The service learns how much of the tenant a caller sees from its searches (ADR
                // 0009) and sizes the next one's first round by it. A search first, so that both
                // compared searches start from the same learned state, whichever test ran before.
                httpSearch(mallory, "granite", topK, strategy);
                Object hidden = httpSearch(mallory, HIDDEN_WORD, topK, strategy);
                Object absent = httpSearch(mallory, ABSENT_WORD, topK, strategy);
                assertEquals(absent, hidden, strategy + ", topK " + topK);
                Map<?, ?> body = (Map<?, ?>) hidden;
                assertEquals(Set.of("results", "stats"), body.keySet(), body.toString());
                Map<?, ?> stats = (Map<?, ?>) body.get("stats");
                assertEquals(Set.of("returned", "complete"), stats.keySet(), strategy);
                assertEquals(0, stats.get("returned"), strategy);
            }
        }
    }

    @Test
    void mcpSearchAnswersAHiddenWordLikeAnAbsentOne() throws Exception {
        for (int topK : List.of(1, 5)) {
            Object hidden = mcpSearch(HIDDEN_WORD, topK);
            Object absent = mcpSearch(ABSENT_WORD, topK);
            assertEquals(absent, hidden, "topK " + topK);
            assertFalse(((Map<?, ?>) hidden).containsKey("diagnostics"), hidden.toString());
        }
    }

    @Test
    void askAnswersAHiddenWordLikeAnAbsentOne() throws Exception {
        Object hidden = ask(HIDDEN_WORD);
        Object absent = ask(ABSENT_WORD);
        assertEquals(absent, hidden);
        assertEquals(Map.of("returned", 0, "complete", true), ((Map<?, ?>) hidden).get("stats"));
        assertFalse(((Map<?, ?>) hidden).containsKey("diagnostics"), hidden.toString());

        List<Object> hiddenEvents = askStreamed(HIDDEN_WORD);
        List<Object> absentEvents = askStreamed(ABSENT_WORD);
        assertEquals(absentEvents, hiddenEvents);
        Object done = hiddenEvents.get(hiddenEvents.size() - 1);
        assertEquals("done", ((Map<?, ?>) done).get("event"), hiddenEvents.toString());
    }

    @Test
    void readingAHiddenDocumentLooksLikeReadingAMissingOne() throws Exception {
        HttpResponse<Map> hidden = api.get(mallory, "assay-0");
        HttpResponse<Map> missing = api.get(mallory, "assay-999");
        assertEquals(404, hidden.getStatus().getCode());
        assertEquals(missing.getStatus(), hidden.getStatus());
        assertEquals(
                normalize(missing.getBody(Map.class).orElseThrow(), "assay-999"),
                normalize(hidden.getBody(Map.class).orElseThrow(), "assay-0"));

        String url = server.getURL().toString();
        McpSchema.CallToolResult hiddenTool = McpClients.call(url, mallory, "get_document", Map.of("id", "assay-0"));
        McpSchema.CallToolResult missingTool = McpClients.call(url, mallory, "get_document", Map.of("id", "assay-999"));
        assertEquals(missingTool.isError(), hiddenTool.isError());
        assertEquals(
                McpClients.text(missingTool).replace("assay-999", "<id>"),
                McpClients.text(hiddenTool).replace("assay-0", "<id>"));
    }

    /** The control: the difference is real, and an auditor is shown it. */
    @Test
    void anAuditorSeesWhatTheSearchDenied() {
        for (String strategy : List.of("postfilter", "adaptive", "prefilter")) {
            // Two auditors who, like mallory, may read nothing, one per query: each search starts
            // with the window of a caller not seen before, so only the query differs between them.
            Map<?, ?> hidden = (Map<?, ?>) api.search(
                            IDP.token("auditor-h-" + strategy, tenant, "audit:read"),
                            Map.of("query", HIDDEN_WORD, "topK", 1, "strategy", strategy))
                    .body()
                    .get("diagnostics");
            Map<?, ?> absent = (Map<?, ?>) api.search(
                            IDP.token("auditor-a-" + strategy, tenant, "audit:read"),
                            Map.of("query", ABSENT_WORD, "topK", 1, "strategy", strategy))
                    .body()
                    .get("diagnostics");
            assertTrue(hidden.keySet().containsAll(Set.of("candidates", "checked", "denied", "rounds", "strategy")));
            if (strategy.equals("postfilter")) {
                // The full-text leg found owen's documents with the word, and they were denied.
                assertTrue(
                        (Integer) hidden.get("denied") > (Integer) absent.get("denied"),
                        strategy + ": " + hidden + " vs " + absent);
            } else if (strategy.equals("adaptive")) {
                // A caller seen for the first time in a small tenant has its list fetched first (ADR
                // 0015): it may view nothing, so it is pre-filtered and no document is checked at all.
                for (Map<?, ?> d : List.of(hidden, absent)) {
                    assertEquals("adaptive-prefilter", d.get("strategy"), strategy + ": " + d);
                    assertEquals(0, d.get("denied"), strategy + ": " + d);
                }
            }
        }
    }

    private Object httpSearch(String token, String query, int topK, String strategy) {
        HttpResponse<Map> response = api.search(token, Map.of("query", query, "topK", topK, "strategy", strategy));
        assertEquals(200, response.getStatus().getCode(), String.valueOf(response.getBody(Map.class)));
        return normalize(response.body(), null);
    }

    private Object mcpSearch(String query, int topK) throws Exception {
        McpSchema.CallToolResult result = McpClients.call(
                server.getURL().toString(), mallory, "search_documents", Map.of("query", query, "topK", topK));
        assertFalse(Boolean.TRUE.equals(result.isError()), McpClients.text(result));
        return normalize(JSON.readValue(McpClients.text(result), Map.class), null);
    }

    private Object ask(String query) {
        HttpResponse<Map> response =
                api.exchange(HttpRequest.POST("/v1/ask", Map.of("query", query, "topK", 5)), mallory);
        assertEquals(200, response.getStatus().getCode(), String.valueOf(response.getBody(Map.class)));
        return normalize(response.getBody(Map.class).orElseThrow(), null);
    }

    /** The streamed answer as a list of {event, data} maps, normalized. */
    private List<Object> askStreamed(String query) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(URI.create(server.getURL() + "/v1/ask"))
                                .header("Authorization", "Bearer " + mallory)
                                .header("Content-Type", "application/json")
                                .header("Accept", "text/event-stream")
                                .POST(BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", query))))
                                .build(),
                        BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        List<Object> events = new ArrayList<>();
        for (String block : response.body().split("\n\n")) {
            String event = "message";
            StringBuilder data = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                }
            }
            if (!data.isEmpty()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("event", event);
                entry.put("data", normalize(JSON.readValue(data.toString(), Object.class), null));
                events.add(entry);
            }
        }
        return events;
    }

    /** Drops timings and request ids at any depth; replaces the asked-for id by a placeholder. */
    private static Object normalize(Object value, String id) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                if (!VOLATILE.contains(k.toString())) {
                    out.put(k.toString(), normalize(v, id));
                }
            });
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(v -> normalize(v, id)).toList();
        }
        if (value instanceof String s && id != null) {
            return s.replace(id, "<id>");
        }
        return value;
    }
}
