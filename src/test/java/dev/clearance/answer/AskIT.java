package dev.clearance.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.StandInChatServer;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/ask} against a real HTTP server standing in for an OpenAI-compatible model: the prompt
 * that server receives holds only text the caller may read, and citations point only at chunks that
 * were in the prompt.
 */
@MicronautTest
class AskIT extends IntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StandInChatServer MODEL = new StandInChatServer();

    private static final String ALICE_MARK = "ALICE-HANDBOOK-7702";
    private static final String BOB_MARK = "BOB-SALARY-SECRET-4419";

    @Inject
    @Client("/")
    HttpClient client;

    @Inject
    EmbeddedServer server;

    Api api;
    String alice;

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("clearance.llm.base-url", MODEL.baseUrl(), "clearance.llm.model", "stand-in");
    }

    @BeforeAll
    void setUp() {
        api = new Api(client.toBlocking());
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        put(
                admin,
                "handbook",
                "Compensation handbook",
                "Compensation and vacation policy: every team gets 30 days of vacation. " + ALICE_MARK,
                List.of("user:alice", "agent:assistant"));
        put(
                admin,
                "salaries",
                "Compensation bands",
                "Compensation and vacation policy for Bob's team: salary band 143,000. " + BOB_MARK,
                List.of("user:bob"));
        alice = IDP.token("alice", tenant, "");
    }

    @AfterAll
    void stopModel() {
        MODEL.close();
    }

    @BeforeEach
    void healthyModel() {
        MODEL.failing(false);
        MODEL.clear();
    }

    @Test
    void thePromptHoldsOnlyWhatTheCallerMayReadAndCitationsPointIntoIt() {
        Map<?, ?> body = ask(alice, "What is the compensation and vacation policy? Show me Bob's salary band.");

        assertEquals(StandInChatServer.answer(), body.get("answer"));
        assertEquals("stand-in", body.get("model"));
        List<String> prompts = MODEL.prompts();
        assertEquals(1, prompts.size());
        assertTrue(prompts.get(0).contains(ALICE_MARK), "alice's own text is in the prompt");
        assertFalse(prompts.get(0).contains(BOB_MARK), "bob's text never reaches the model");
        assertFalse(prompts.get(0).contains("143,000"));

        List<Map<?, ?>> citations = citations(body);
        assertEquals(1, citations.size());
        Map<?, ?> first = citations.get(0);
        assertEquals(1, first.get("number"));
        assertEquals("handbook", first.get("documentId"));
        assertEquals(true, first.get("cited"));
        assertTrue(prompts.get(0).contains("[1] Compensation handbook"), "citation [1] is the source labelled [1]");
    }

    @Test
    void bobGetsHisOwnSourcesAndNoneOfAlices() {
        Map<?, ?> body = ask(IDP.token("bob", tenant, ""), "compensation and vacation policy");
        Set<Object> documents =
                citations(body).stream().map(c -> c.get("documentId")).collect(Collectors.toSet());
        assertEquals(Set.of("salaries"), documents);
        assertFalse(MODEL.prompts().get(0).contains(ALICE_MARK));
    }

    @Test
    void anAgentActingForAUserGivesTheModelOnlyTheIntersection() {
        Map<?, ?> asAgent = ask(IDP.agentToken("alice", tenant, "assistant"), "compensation and vacation policy");
        assertEquals(
                List.of("handbook"),
                citations(asAgent).stream().map(c -> c.get("documentId")).toList());
        // The same agent acting for bob: bob's document is not the agent's, so the model gets nothing.
        MODEL.clear();
        Map<?, ?> forBob = ask(IDP.agentToken("bob", tenant, "assistant"), "compensation and vacation policy");
        assertEquals(List.of(), citations(forBob));
        assertFalse(MODEL.prompts().get(0).contains(BOB_MARK));
        assertFalse(MODEL.prompts().get(0).contains(ALICE_MARK));
    }

    @Test
    void theAuditRecordNamesTheChunksThatReachedTheModel() throws Exception {
        Map<?, ?> body = ask(alice, "vacation policy");
        String requestId = (String) body.get("requestId");
        List<?> records = JSON.readValue(
                client.toBlocking()
                        .retrieve(
                                HttpRequest.GET("/v1/admin/audit?limit=50")
                                        .bearerAuth(IDP.token("auditor", tenant, "audit:read")),
                                String.class),
                List.class);
        Map<?, ?> record = records.stream()
                .map(r -> (Map<?, ?>) r)
                .filter(r -> requestId.equals(r.get("requestId")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no audit record for " + requestId));
        assertEquals("ask", record.get("action"));
        assertEquals("alice", record.get("userId"));
        List<String> cited =
                citations(body).stream().map(c -> (String) c.get("chunkId")).toList();
        List<String> audited =
                ((List<?>) record.get("chunkIds")).stream().map(String::valueOf).toList();
        assertEquals(cited, audited);
    }

    @Test
    void aStreamedAnswerSendsSourcesThenTokensThenTheWholeAnswer() throws Exception {
        var response = askStreamed(alice, "vacation policy and Bob's salary");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<Map.Entry<String, JsonNode>> events = events(response.body());
        List<String> names = events.stream().map(Map.Entry::getKey).toList();
        assertEquals("sources", names.get(0));
        assertEquals("done", names.get(names.size() - 1));
        String streamed = events.stream()
                .filter(e -> e.getKey().equals("token"))
                .map(e -> e.getValue().path("text").asText())
                .collect(Collectors.joining());
        assertEquals(StandInChatServer.answer(), streamed);
        JsonNode done = events.get(events.size() - 1).getValue().path("response");
        assertEquals(StandInChatServer.answer(), done.path("answer").asText());
        assertEquals(
                "handbook", done.path("citations").get(0).path("documentId").asText());
        assertFalse(MODEL.prompts().get(0).contains(BOB_MARK));
    }

    @Test
    void aFailingModelIsA502ProblemAndAStreamEndsWithAnErrorEvent() throws Exception {
        MODEL.failing(true);
        HttpResponse<Map> response =
                api.exchange(HttpRequest.POST("/v1/ask", Map.of("query", "vacation policy")), alice);
        assertEquals(502, response.getStatus().getCode());
        Map<?, ?> problem = response.getBody(Map.class).orElseThrow();
        assertTrue(((String) problem.get("type")).endsWith("/llm-unavailable"));
        assertFalse(problem.containsKey("answer"));
        assertFalse(String.valueOf(problem).contains("overloaded"), "the provider's message is not passed on");

        var streamed = askStreamed(alice, "vacation policy");
        List<Map.Entry<String, JsonNode>> events = events(streamed.body());
        assertEquals("error", events.get(events.size() - 1).getKey());
        assertEquals(
                502,
                events.get(events.size() - 1)
                        .getValue()
                        .path("problem")
                        .path("status")
                        .asInt());
        assertTrue(events.stream().noneMatch(e -> e.getKey().equals("done")));
    }

    @Test
    void badInputIsRefusedBeforeAnyModelCall() {
        HttpResponse<Map> response = api.exchange(HttpRequest.POST("/v1/ask", Map.of("query", " ", "topK", 51)), alice);
        assertEquals(400, response.getStatus().getCode());
        assertTrue(MODEL.prompts().isEmpty());
    }

    private Map<?, ?> ask(String token, String query) {
        HttpResponse<Map> response =
                api.exchange(HttpRequest.POST("/v1/ask", Map.of("query", query, "topK", 5)), token);
        assertEquals(200, response.getStatus().getCode(), String.valueOf(response.getBody(Map.class)));
        return response.getBody(Map.class).orElseThrow();
    }

    /** {@code POST /v1/ask} with {@code Accept: text/event-stream}, read whole. */
    private java.net.http.HttpResponse<String> askStreamed(String token, String query) throws Exception {
        return java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(URI.create(server.getURL() + "/v1/ask"))
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json")
                                .header("Accept", "text/event-stream")
                                .POST(BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", query))))
                                .build(),
                        BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<?, ?>> citations(Map<?, ?> body) {
        return (List<Map<?, ?>>) body.get("citations");
    }

    /** Parses a server-sent event stream into (event name, JSON data) pairs. */
    private static List<Map.Entry<String, JsonNode>> events(String body) throws Exception {
        List<Map.Entry<String, JsonNode>> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String line : block.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.merge(
                            line.substring(0, colon), line.substring(colon + 1).stripLeading(), (a, b) -> a + "\n" + b);
                }
            }
            if (fields.containsKey("data")) {
                events.add(Map.entry(fields.getOrDefault("event", "message"), JSON.readTree(fields.get("data"))));
            }
        }
        return events;
    }

    private void put(String token, String id, String title, String text, List<String> viewers) {
        int status = api.put(token, id, Map.of("title", title, "text", text, "viewers", viewers))
                .getStatus()
                .getCode();
        assertTrue(status == 201 || status == 200, "PUT " + id + " -> " + status);
    }
}
