package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.RealServers;
import dev.clearance.testsupport.TcpProxy;
import io.micronaut.context.ApplicationContext;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * When authorization cannot be decided the answer is a 503 problem, never text: OpenFGA unreachable
 * (network cut in front of the real server) and OpenFGA answering per-check errors.
 */
class FailClosedIT extends IntegrationTest {

    private TcpProxy proxy;
    private EmbeddedServer server;
    private HttpClient client;
    private Api api;

    @BeforeAll
    void start() {
        proxy = new TcpProxy(RealServers.get().fgaApiUrl());
        Map<String, Object> properties = new HashMap<>(getProperties());
        properties.put("clearance.fga.api-url", proxy.url());
        properties.put("clearance.fga.request-timeout", "1s");
        properties.put("clearance.fga.max-retries", "0");
        // The searches here must ask OpenFGA: a decision cached in the tenant's epoch (ADR 0009) would
        // answer alice's repeated search correctly without it. DecisionCacheIT covers the caches.
        properties.put("clearance.authz.cache.enabled", "false");
        properties.put("micronaut.server.port", "-1");
        server = ApplicationContext.run(EmbeddedServer.class, properties);
        client = HttpClient.create(server.getURL());
        api = new Api(client.toBlocking());
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        assertEquals(
                201,
                api.put(
                                admin,
                                "runbook",
                                Map.of(
                                        "title",
                                        "Runbook",
                                        "text",
                                        "Database failover runbook: promote the replica.",
                                        "viewers",
                                        List.of("user:alice")))
                        .getStatus()
                        .getCode());
    }

    @AfterAll
    void stop() {
        client.close();
        server.close();
        proxy.close();
    }

    @Test
    void openFgaUnreachableMeans503AndTheServiceRecoversByItself() {
        String alice = IDP.token("alice", tenant, "");
        assertEquals(List.of("runbook"), api.searchIds(alice, "failover runbook", 5));

        proxy.cut();
        try {
            long started = System.nanoTime();
            HttpResponse<Map> response = api.search(alice, Map.of("query", "failover runbook"));
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertEquals(503, response.getStatus().getCode());
            assertEquals(
                    "application/problem+json",
                    response.getContentType().orElseThrow().toString());
            Map<?, ?> problem = response.body();
            assertTrue(problem.get("type").toString().endsWith("/authorization-unavailable"), problem.toString());
            // A client or load balancer learns when to try again (it is a passing failure, not a refusal).
            assertEquals("2", response.header("Retry-After"));
            assertFalse(problem.toString().contains("promote the replica"), "no document text in the problem");
            assertTrue(ms < 5000, "fails within a bounded time, took " + ms + " ms");
            assertEquals(503, api.get(alice, "runbook").getStatus().getCode());
        } finally {
            proxy.restore();
        }
        assertEquals(List.of("runbook"), api.searchIds(alice, "failover runbook", 5));
    }

    @Test
    void perCheckErrorsAreNeverAllowed() {
        Map<String, Object> properties = new HashMap<>(getProperties());
        properties.put("clearance.fga.relation", "can_teleport"); // not in the model: OpenFGA answers errors
        properties.put("micronaut.server.port", "-1");
        try (EmbeddedServer broken = ApplicationContext.run(EmbeddedServer.class, properties);
                HttpClient brokenClient = HttpClient.create(broken.getURL())) {
            HttpResponse<Map> response = new Api(brokenClient.toBlocking())
                    .search(IDP.token("alice", tenant, ""), Map.of("query", "failover runbook"));
            assertEquals(503, response.getStatus().getCode());
            assertFalse(response.getBody(String.class).orElse("").contains("promote the replica"));
        }
    }
}
