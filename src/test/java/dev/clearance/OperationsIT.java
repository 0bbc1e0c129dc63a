package dev.clearance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.RealServers;
import dev.clearance.testsupport.TcpProxy;
import io.micronaut.context.ApplicationContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What operators rely on: {@code /health} follows PostgreSQL and OpenFGA (cut and restored through
 * TCP proxies), and every metric that docs/runbook.md alerts on is exported by a running service,
 * so the runbook's PromQL cannot drift from the code.
 */
class OperationsIT extends IntegrationTest {

    private static final Pattern METRIC = Pattern.compile(
            "\\b((?:clearance|hikaricp|http_server_requests|logback_events|jvm_memory|process)_[a-z0-9_]+)\\b");

    private TcpProxy fga;
    private TcpProxy postgres;
    private EmbeddedServer server;
    private HttpClient client;
    private Api api;
    private String beforeAnySearch;

    @BeforeAll
    void start() {
        fga = new TcpProxy(RealServers.get().fgaApiUrl());
        Matcher db =
                Pattern.compile("//([^/:]+):(\\d+)/").matcher(RealServers.get().jdbcUrl());
        assertTrue(db.find(), RealServers.get().jdbcUrl());
        postgres = new TcpProxy("http://" + db.group(1) + ":" + db.group(2));
        Map<String, Object> properties = new HashMap<>(getProperties());
        properties.put("clearance.fga.api-url", fga.url());
        properties.put("clearance.fga.request-timeout", "1s");
        properties.put("clearance.fga.max-retries", "0");
        properties.put(
                "datasources.default.url",
                RealServers.get()
                        .jdbcUrl()
                        .replace(db.group(1) + ":" + db.group(2), postgres.url().substring(7)));
        properties.put("datasources.default.connection-timeout", "1000");
        properties.put("micronaut.server.port", "-1");
        server = ApplicationContext.run(EmbeddedServer.class, properties);
        client = HttpClient.create(server.getURL());
        api = new Api(client.toBlocking());
        beforeAnySearch = scrape();
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        assertEquals(
                201,
                api.put(
                                admin,
                                "metrics",
                                Map.of(
                                        "title",
                                        "Metrics",
                                        "text",
                                        "How the service is measured.",
                                        "viewers",
                                        List.of("user:alice")))
                        .getStatus()
                        .getCode());
    }

    @AfterAll
    void stop() {
        client.close();
        server.close();
        fga.close();
        postgres.close();
    }

    @Test
    void readinessFollowsOpenFga() throws Exception {
        assertReadiness(200, "openfga", "UP");
        fga.cut();
        try {
            assertReadiness(503, "openfga", "DOWN");
            String alice = IDP.token("alice", tenant, "");
            HttpResponse<Map> search = api.search(alice, Map.of("query", "how is the service measured"));
            assertEquals(503, search.getStatus().getCode());
            assertTrue(
                    scrape().contains("clearance_problems_total{status=\"503\",type=\"authorization-unavailable\"}"));
        } finally {
            fga.restore();
        }
        assertReadiness(200, "openfga", "UP");
    }

    @Test
    void readinessFollowsPostgres() throws Exception {
        assertReadiness(200, "jdbc", "UP");
        postgres.cut();
        try {
            assertReadiness(503, "jdbc", "DOWN");
        } finally {
            postgres.restore();
        }
        assertReadiness(200, "jdbc", "UP");
    }

    /** An autoscaler reads the search line of every replica, including one that has not searched yet. */
    @Test
    void theSearchLineIsExportedFromStartUp() {
        assertTrue(
                Pattern.compile("(?m)^clearance_search_queued(\\{[^}]*})? 0\\.0$")
                        .matcher(beforeAnySearch)
                        .find(),
                beforeAnySearch);
        assertTrue(Pattern.compile("(?m)^clearance_search_limit(\\{[^}]*})? ")
                .matcher(beforeAnySearch)
                .find());
    }

    @Test
    void everyMetricTheRunbookNamesIsExported() throws Exception {
        String alice = IDP.token("alice", tenant, "");
        api.searchIds(alice, "measured", 5);
        api.search(alice, Map.of("query", "measured", "strategy", "prefilter"));
        api.search(alice, Map.of("query", ""));
        api.search("not-a-token", Map.of("query", "x"));

        String exported = scrape();
        String runbook = Files.readString(Path.of("docs/runbook.md"));
        Set<String> named = new TreeSet<>();
        Matcher m = METRIC.matcher(runbook);
        while (m.find()) {
            named.add(m.group(1));
        }
        assertFalse(named.isEmpty(), "the runbook names no metrics");
        Set<String> missing = new TreeSet<>();
        for (String metric : named) {
            if (!Pattern.compile("(?m)^" + Pattern.quote(metric) + "[{ ]")
                    .matcher(exported)
                    .find()) {
                missing.add(metric);
            }
        }
        assertEquals(Set.of(), missing, "named in docs/runbook.md but not exported");
    }

    private void assertReadiness(int status, String component, String state) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            // Details (which component is down) are shown to authenticated callers only.
            HttpResponse<Map> response =
                    api.exchange(HttpRequest.GET("/health/readiness"), IDP.token("ops", tenant, ""));
            Map<?, ?> details = response.getBody(Map.class)
                    .map(b -> (Map<?, ?>) b.get("details"))
                    .orElse(Map.of());
            Object componentState = details.get(component) instanceof Map<?, ?> c ? c.get("status") : null;
            last = response.getStatus().getCode() + " " + component + "=" + componentState;
            if (response.getStatus().getCode() == status && state.equals(componentState)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("readiness never became " + status + " with " + component + "=" + state + ": " + last);
    }

    private String scrape() {
        return client.toBlocking().retrieve(HttpRequest.GET("/prometheus"), String.class);
    }
}
