package dev.clearance.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.identity.Caller;
import dev.clearance.testsupport.HttpFaultProxy;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.RealServers;
import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One authorization decision over many documents is split into BatchCheck requests, of which only
 * {@code max-parallel-batches} are in flight at once; when the decision gives up at its timeout, the
 * requests not yet sent are never sent. A real OpenFGA behind a proxy that slows and counts them.
 */
class BatchCheckFanOutIT extends IntegrationTest {

    private static final int PARALLEL = 3;

    private HttpFaultProxy proxy;
    private ApplicationContext context;
    private AccessChecker checker;
    private Caller caller;
    private List<String> documents;
    private Set<String> allowed;

    @BeforeAll
    void start() {
        proxy = new HttpFaultProxy(RealServers.get().fgaApiUrl()).onlyPaths("/batch-check");
        Map<String, Object> properties = new HashMap<>(getProperties());
        properties.put("clearance.fga.api-url", proxy.url());
        properties.put("clearance.fga.batch-size", "10");
        properties.put("clearance.fga.max-parallel-batches", Integer.toString(PARALLEL));
        properties.put("clearance.fga.check-timeout", "1500ms");
        properties.put("clearance.fga.max-retries", "0");
        context = ApplicationContext.run(properties);
        checker = context.getBean(AccessChecker.class);
        caller = new Caller(tenant, "fan-out-user", Optional.empty(), Set.of());
        // 200 documents in 20 requests of 10; the user may view every seventh (granted here, as the
        // oracle), so that every request but a few mixes both answers and each must land on its own
        // document: a decision that mixed up the answers of parallel requests would show.
        documents = IntStream.range(0, 200).mapToObj(i -> "doc-" + i).toList();
        allowed = documents.stream()
                .filter(d -> Integer.parseInt(d.substring(4)) % 7 == 0)
                .collect(Collectors.toSet());
        context.getBean(RelationshipStore.class)
                .write(
                        allowed.stream()
                                .map(d -> new DesiredTuple(
                                        "user:" + caller.userId(), "viewer", ObjectIds.scoped("document", tenant, d)))
                                .toList(),
                        List.of());
    }

    @BeforeEach
    void reset() {
        proxy.delay(Duration.ZERO);
        proxy.resetCounts();
    }

    @AfterAll
    void stop() {
        context.close();
        proxy.close();
    }

    @Test
    void aLargeDecisionKeepsAtMostTheLimitOfRequestsInFlightAndDecidesEveryDocument() {
        proxy.delay(Duration.ofMillis(50));
        Decisions decisions = checker.check(caller, documents, false);
        assertFalse(decisions.hasErrors());
        documents.forEach(
                d -> assertEquals(allowed.contains(d) ? Outcome.ALLOWED : Outcome.DENIED, decisions.outcome(d), d));
        assertEquals(29, allowed.size());
        assertEquals(20, proxy.received(), "one request per 10 documents");
        assertTrue(proxy.maxInFlight() <= PARALLEL, "in flight at once: " + proxy.maxInFlight());
        assertTrue(proxy.maxInFlight() > 1, "requests still run in parallel: " + proxy.maxInFlight());
    }

    @Test
    void aDecisionThatTimesOutSendsNoMoreRequests() throws InterruptedException {
        // Each request takes 1 s: the first three answer at 1 s, the next three cannot within 1.5 s.
        proxy.delay(Duration.ofSeconds(1));
        assertThrows(AuthorizationUnavailableException.class, () -> checker.check(caller, documents, false));
        Thread.sleep(1500);
        int received = proxy.received();
        assertTrue(received <= 2 * PARALLEL, "requests sent after the decision gave up: " + received + " of 20");
    }
}
