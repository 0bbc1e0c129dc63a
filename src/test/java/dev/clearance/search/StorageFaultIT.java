package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.search.FaultScenario.Phase;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.RealServers;
import dev.clearance.testsupport.SearchLoad;
import dev.clearance.testsupport.TcpProxy;
import io.micronaut.context.ApplicationContext;
import io.micronaut.http.client.HttpClient;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL unreachable mid-load: the service's datasource points at a TCP proxy in front of the
 * real PostgreSQL, which is cut (open connections reset, new ones refused) while 8 threads search,
 * then restored. Requests get the exact fault-free answer or a 503 problem+json "store-unavailable"
 * within the pool's connection timeout plus one second; /health is DOWN during the outage and UP
 * after; the pool reconnects by itself.
 */
class StorageFaultIT extends IntegrationTest {

    private static final Duration SLACK = Duration.ofSeconds(1);

    private TcpProxy database;
    private EmbeddedServer server;
    private HttpClient client;
    private FaultScenario scenario;
    private SearchLoad load;
    private Duration connectionTimeout;

    @BeforeAll
    void start() {
        String jdbcUrl = RealServers.get().jdbcUrl();
        URI direct = URI.create(jdbcUrl.substring("jdbc:".length()));
        database = new TcpProxy(jdbcUrl.substring("jdbc:".length()));
        String proxied = "jdbc:postgresql://127.0.0.1:" + database.port() + direct.getRawPath()
                + (direct.getRawQuery() == null ? "" : "?" + direct.getRawQuery());
        Map<String, Object> properties = new HashMap<>(getProperties());
        properties.put("datasources.default.url", proxied);
        properties.put("micronaut.server.port", "-1");
        // Every load thread runs at once, so the bounds measured are the fault's, not the time a
        // search waits in line for a slot (SearchAdmission; the machine running CI may have 2 cores).
        properties.put("clearance.search.max-concurrent", "32");
        server = ApplicationContext.run(EmbeddedServer.class, properties);
        client = HttpClient.create(server.getURL());
        connectionTimeout = Duration.ofMillis(server.getApplicationContext()
                .getProperty("datasources.default.connection-timeout", Long.class)
                .orElseThrow());
        System.out.println("[fault] datasource " + proxied + ", connection timeout " + connectionTimeout);
        scenario = new FaultScenario(new Api(client.toBlocking()), IDP, tenant);
        load = scenario.load(server.getURL().toString());
    }

    @AfterAll
    void stop() {
        load.close();
        client.close();
        server.close();
        database.close();
    }

    @Test
    void postgresCutMidLoadFailsAs503AndRecoversByItself() throws Exception {
        assertEquals(200, health().statusCode(), "UP before the fault");
        AtomicReference<HttpResponse<String>> during = new AtomicReference<>();
        Phase phase = scenario.run(
                load,
                "PostgreSQL cut",
                Duration.ofSeconds(2),
                database::cut,
                Duration.ofSeconds(8),
                database::restore,
                Duration.ofSeconds(6),
                () -> during.set(health()));
        long healed = System.nanoTime();
        FaultScenario.awaitTrue(() -> health().statusCode() == 200, Duration.ofSeconds(10), "/health UP again");
        System.out.println("[fault] /health during the outage: " + during.get().statusCode() + " "
                + during.get().body() + "; UP again " + (System.nanoTime() - healed) / 1_000_000 + " ms after the"
                + " check");

        scenario.assertEveryAnswerCorrectOr503(phase, "store-unavailable");
        FaultScenario.assertFaultWasFelt(phase);
        // Every PostgreSQL call gives up when the pool has no connection within its timeout; one
        // already running when the cut comes fails at once.
        FaultScenario.assert503Within(phase, connectionTimeout.plus(SLACK), connectionTimeout.plus(SLACK));
        FaultScenario.assertRecoveredWithin(phase, Duration.ofSeconds(3));
        assertEquals(503, during.get().statusCode(), "/health is DOWN during the outage");
        assertTrue(during.get().body().contains("DOWN"), during.get().body());
    }

    private HttpResponse<String> health() {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(
                    HttpRequest.newBuilder(URI.create(server.getURL() + "/health"))
                            .timeout(Duration.ofSeconds(15))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("/health did not answer", e);
        }
    }
}
