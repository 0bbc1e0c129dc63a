package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.access.FgaProperties;
import dev.clearance.access.ListObjectsProperties;
import dev.clearance.search.FaultScenario.Phase;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.HttpFaultProxy;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.RealServers;
import dev.clearance.testsupport.SearchLoad;
import dev.clearance.testsupport.SearchLoad.Call;
import dev.clearance.testsupport.SearchLoad.Sample;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenFGA faults under concurrent search load (8 threads searching through HTTP all the time): the
 * network to OpenFGA cut, OpenFGA slowed beyond and below the check timeout, OpenFGA answering 500
 * or 429. The service runs with its shipped OpenFGA settings (check timeout, request timeout,
 * retries) and reaches the real OpenFGA through a TCP proxy (cut, latency) in front of an HTTP proxy
 * (error answers). Every answer must be the exact fault-free answer or a 503 problem+json, each 503
 * within the check timeout plus one second, and the service must recover by itself.
 */
class AuthorizationFaultIT extends IntegrationTest {

    private static final String PROBLEM = "authorization-unavailable";
    private static final Duration SLACK = Duration.ofSeconds(1);

    private HttpFaultProxy errors;
    private TcpProxy network;
    private EmbeddedServer server;
    private HttpClient client;
    private FaultScenario scenario;
    private SearchLoad load;
    private Duration checkTimeout;
    private Duration listObjectsWait;

    @BeforeAll
    void start() {
        errors = new HttpFaultProxy(RealServers.get().fgaApiUrl());
        network = new TcpProxy(errors.url());
        Map<String, Object> properties = new HashMap<>(getProperties());
        properties.put("clearance.fga.api-url", network.url());
        properties.put("micronaut.server.port", "-1");
        // Every load thread runs at once, so the bounds measured are the fault's, not the time a
        // search waits in line for a slot (SearchAdmission; the machine running CI may have 2 cores).
        properties.put("clearance.search.max-concurrent", "32");
        // Every search must ask OpenFGA, or the fault would not be felt: cached decisions (ADR 0009)
        // would answer repeated searches correctly from memory. DecisionCacheIT covers the caches.
        properties.put("clearance.authz.cache.enabled", "false");
        server = ApplicationContext.run(EmbeddedServer.class, properties);
        client = HttpClient.create(server.getURL());
        FgaProperties fga = server.getApplicationContext().getBean(FgaProperties.class);
        checkTimeout = fga.checkTimeout();
        // How long a ListObjects may take before the request gives up on it (AccessLister).
        listObjectsWait = server.getApplicationContext()
                .getBean(ListObjectsProperties.class)
                .deadline()
                .plus(fga.requestTimeout());
        System.out.println("[fault] OpenFGA settings: check timeout " + checkTimeout + ", request timeout "
                + fga.requestTimeout() + ", max retries " + fga.maxRetries() + ", ListObjects wait "
                + listObjectsWait);
        scenario = new FaultScenario(new Api(client.toBlocking()), IDP, tenant);
        load = scenario.load(server.getURL().toString());
    }

    @AfterEach
    void healAll() {
        load.stop();
        network.restore();
        network.latency(Duration.ZERO);
        errors.heal();
        errors.onlyPaths("");
    }

    @AfterAll
    void stop() {
        load.close();
        client.close();
        server.close();
        network.close();
        errors.close();
    }

    /**
     * Requests that start in the fault give up after the check timeout, or after the ListObjects wait
     * for a caller the service knows to see little (dana): her searches start with the list (ADR 0009).
     */
    private Duration bound() {
        return inFlightBound();
    }

    /**
     * A request already past its first check when the fault starts may be waiting on ListObjects
     * (dana's searches take that path), which the service waits for longer than for a check.
     */
    private Duration inFlightBound() {
        return (listObjectsWait.compareTo(checkTimeout) > 0 ? listObjectsWait : checkTimeout).plus(SLACK);
    }

    @Test
    void openFgaCutMidLoadFailsClosedFastAndRecoversByItself() throws Exception {
        AtomicInteger healthDown = new AtomicInteger(-1);
        Phase phase = scenario.run(
                load,
                "OpenFGA cut",
                Duration.ofSeconds(2),
                network::cut,
                Duration.ofSeconds(6),
                network::restore,
                Duration.ofSeconds(5),
                () -> healthDown.set(healthStatus()));
        scenario.assertEveryAnswerCorrectOr503(phase, PROBLEM);
        FaultScenario.assertFaultWasFelt(phase);
        FaultScenario.assert503Within(phase, bound(), inFlightBound());
        FaultScenario.assertRecoveredWithin(phase, Duration.ofSeconds(3));
        assertEquals(503, healthDown.get(), "/health reports DOWN while OpenFGA is unreachable");
        FaultScenario.awaitTrue(() -> healthStatus() == 200, Duration.ofSeconds(10), "/health is UP again");
    }

    @Test
    void openFgaSlowerThanTheCheckTimeoutFailsClosedWithinTheBound() throws Exception {
        Duration latency = checkTimeout.plusSeconds(1);
        Phase phase = scenario.run(
                load,
                "OpenFGA latency " + latency.toMillis() + " ms per chunk",
                Duration.ofSeconds(1),
                () -> network.latency(latency),
                // Long enough that searches sent after the in-flight ones gave up (up to the ListObjects
                // wait, for callers who start with the list) also fail while the fault lasts.
                Duration.ofSeconds(12),
                () -> network.latency(Duration.ZERO),
                // bytes already held back keep their delay: allow them to drain
                latency.plusSeconds(4),
                () -> {});
        scenario.assertEveryAnswerCorrectOr503(phase, PROBLEM);
        FaultScenario.assertFaultWasFelt(phase);
        FaultScenario.assert503Within(phase, bound(), inFlightBound());
        FaultScenario.assertRecoveredWithin(phase, latency.plusSeconds(1));
    }

    @Test
    void openFgaSlightlySlowStillAnswersEveryRequest() throws Exception {
        Duration latency = Duration.ofMillis(50);
        Phase phase = scenario.run(
                load,
                "OpenFGA latency " + latency.toMillis() + " ms per chunk",
                Duration.ofSeconds(1),
                () -> network.latency(latency),
                Duration.ofSeconds(6),
                () -> network.latency(Duration.ZERO),
                Duration.ofSeconds(1),
                () -> {});
        scenario.assertEveryAnswerCorrectOr503(phase, PROBLEM);
        assertEquals(phase.samples().size(), phase.count(200), "no request failed");
        long slowest = phase.startedDuringFault().stream()
                .mapToLong(Sample::millis)
                .max()
                .orElseThrow();
        System.out.println("[fault] slowest answer with " + latency.toMillis() + " ms latency: " + slowest + " ms");
    }

    @Test
    void openFgaAnswering500FailsClosedAsProblemJson() throws Exception {
        Phase phase = scenario.run(
                load,
                "OpenFGA answers 500",
                Duration.ofSeconds(1),
                () -> errors.fail(500, null),
                Duration.ofSeconds(6),
                errors::heal,
                Duration.ofSeconds(4),
                () -> {});
        scenario.assertEveryAnswerCorrectOr503(phase, PROBLEM);
        FaultScenario.assertFaultWasFelt(phase);
        FaultScenario.assert503Within(phase, bound(), inFlightBound());
        FaultScenario.assertRecoveredWithin(phase, Duration.ofSeconds(2));
    }

    @Test
    void openFgaAnswering429FailsClosedAsProblemJson() throws Exception {
        Phase phase = scenario.run(
                load,
                "OpenFGA answers 429 Retry-After: 1",
                Duration.ofSeconds(1),
                () -> errors.fail(429, "1"),
                Duration.ofSeconds(6),
                errors::heal,
                Duration.ofSeconds(5),
                () -> {});
        scenario.assertEveryAnswerCorrectOr503(phase, PROBLEM);
        FaultScenario.assertFaultWasFelt(phase);
        FaultScenario.assert503Within(phase, bound(), inFlightBound());
        FaultScenario.assertRecoveredWithin(phase, Duration.ofSeconds(3));
    }

    @Test
    void oneTransientErrorIsRetriedWithBackoffAndRespectsRetryAfter() {
        Call alice = scenario.calls().getFirst();
        errors.onlyPaths("/batch-check");

        errors.resetCounts();
        errors.failNext(1, 500, null);
        Sample afterOne500 = load.once(alice);
        assertEquals(200, afterOne500.status(), afterOne500.toString());
        assertEquals(null, scenario.oracleProblem(alice, afterOne500.documentIds()));
        assertEquals(scenario.expected(alice), afterOne500.documentIds());
        assertEquals(1, errors.injected(), "the 500 was answered");

        errors.resetCounts();
        errors.failNext(1, 429, "1");
        Sample after429 = load.once(alice);
        assertEquals(200, after429.status(), after429.toString());
        assertEquals(null, scenario.oracleProblem(alice, after429.documentIds()));
        assertEquals(scenario.expected(alice), after429.documentIds());
        assertEquals(1, errors.injected());
        assertTrue(after429.millis() >= 1000, "waited the 1 s Retry-After asked for: " + after429.millis() + " ms");
        assertTrue(after429.millis() <= bound().toMillis(), "and stayed within the budget");

        // More consecutive failures than retries: fail closed, after exactly 1 + maxRetries attempts.
        int maxRetries =
                server.getApplicationContext().getBean(FgaProperties.class).maxRetries();
        errors.resetCounts();
        errors.failNext(maxRetries + 1, 500, null);
        Sample exhausted = load.once(alice);
        assertEquals(503, exhausted.status(), exhausted.toString());
        assertTrue(exhausted.contentType().startsWith("application/problem+json"));
        assertEquals(maxRetries + 1, errors.injected(), "one attempt and " + maxRetries + " retries");
        assertTrue(exhausted.millis() <= bound().toMillis());

        // A Retry-After longer than the budget is not waited out by the request: 503 at the timeout.
        errors.resetCounts();
        errors.fail(429, "10");
        Sample tooLong = load.once(alice);
        errors.heal();
        assertEquals(503, tooLong.status(), tooLong.toString());
        assertTrue(tooLong.contentType().startsWith("application/problem+json"));
        assertTrue(
                tooLong.millis() <= bound().toMillis(),
                "503 within " + bound().toMillis() + " ms, took " + tooLong.millis());
        System.out.println("[fault] transient: one 500 -> 200 in " + afterOne500.millis() + " ms; one 429"
                + " (Retry-After 1) -> 200 in " + after429.millis() + " ms; " + (maxRetries + 1) + " x 500 -> 503 in "
                + exhausted.millis() + " ms; 429 Retry-After 10 -> 503 in " + tooLong.millis() + " ms");

        Sample healed = load.once(alice);
        assertEquals(200, healed.status(), healed.toString());
        assertEquals(null, scenario.oracleProblem(alice, healed.documentIds()));
    }

    private int healthStatus() {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(server.getURL() + "/health"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
