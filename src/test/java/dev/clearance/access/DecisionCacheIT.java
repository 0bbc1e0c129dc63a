package dev.clearance.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.HttpFaultProxy;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.RealServers;
import dev.clearance.testsupport.ServiceInstance;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.http.HttpResponse;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Cached decisions and visible-document lists (ADR 0009) under the rule they must keep: a change
 * acknowledged by one replica retires what another replica cached, for the next request. Two service
 * instances share the database and OpenFGA; one answers searches (and caches), the other takes the
 * changes, so nothing in the first instance's memory learns of them except through the tenant's
 * access epoch in PostgreSQL.
 */
@MicronautTest(startApplication = false)
class DecisionCacheIT extends IntegrationTest {

    private static final String WORD = "quartermaster";

    private ServiceInstance instance() {
        return new ServiceInstance(getProperties(), Map.of());
    }

    private static Map<String, Object> document(String id, String folder, List<String> viewers) {
        return Map.of(
                "title",
                "Entry " + id,
                "text",
                "The " + WORD + " of " + id + ".",
                "folder",
                folder,
                "viewers",
                viewers);
    }

    private static double count(ServiceInstance instance, String name, String result) {
        return instance.bean(MeterRegistry.class)
                .counter(name, "result", result)
                .count();
    }

    private static void ok(HttpResponse<Map> response) {
        assertTrue(response.getStatus().getCode() < 300, () -> response.getStatus() + " " + response.getBody());
    }

    @Test
    void aGroupMembershipRevokedOnOneReplicaEndsTheOthersCachedDecisions() {
        // A tenant of its own: bob sees all of it, so his searches check candidates (no list).
        String tenant = this.tenant + "g";
        try (ServiceInstance reader = instance();
                ServiceInstance writer = instance()) {
            String admin = IDP.token("loader", tenant, "documents:write relationships:write");
            ok(writer.api.put(admin, "payroll", document("payroll", "hr", List.of())));
            ok(writer.api.relationships(
                    admin,
                    List.of(
                            Api.tuple("group:hr-team#member", "viewer", "folder:hr"),
                            Api.tuple("user:bob", "member", "group:hr-team"),
                            Api.tuple("user:alice", "member", "group:hr-team")),
                    List.of()));
            String bob = IDP.token("bob", tenant, "");
            String alice = IDP.token("alice", tenant, "");
            String bobsAgent = IDP.agentToken("bob", tenant, "notetaker");

            double hits = count(reader, "clearance.authz.decision.cache", "hit");
            // Repeated: a change still settling (the sync's last epoch raise) may retire the first entry.
            for (int i = 0; i < 4; i++) {
                assertTrue(reader.api.searchIds(bob, WORD, 5).contains("payroll"));
            }
            assertTrue(
                    count(reader, "clearance.authz.decision.cache", "hit") > hits,
                    "a later search of the same caller was answered from the cache");
            // Bob's decision is not his agent's: the agent was never granted anything.
            assertFalse(reader.api.searchIds(bobsAgent, WORD, 5).contains("payroll"));

            ok(writer.api.relationships(admin, List.of(), List.of(Api.tuple("user:bob", "member", "group:hr-team"))));

            // The very next request on the replica that cached the decision.
            assertFalse(reader.api.searchIds(bob, WORD, 5).contains("payroll"), "bob still finds payroll");
            assertEquals(404, reader.api.get(bob, "payroll").getStatus().getCode());
            assertTrue(reader.api.searchIds(alice, WORD, 5).contains("payroll"), "alice lost access she still has");
        }
    }

    @Test
    void aFolderGrantRevokedOnOneReplicaEndsTheOthersCachedList() {
        String tenant = this.tenant + "f";
        try (ServiceInstance reader = instance();
                ServiceInstance writer = instance()) {
            String admin = IDP.token("loader", tenant, "documents:write relationships:write");
            // Carol may view one document of twelve: after her first search the adaptive strategy
            // lists what she may view instead of checking candidates, and keeps that list.
            for (int i = 0; i < 12; i++) {
                ok(writer.api.put(admin, "note-" + i, document("note-" + i, i == 0 ? "carols" : "common", List.of())));
            }
            ok(writer.api.relationships(admin, List.of(Api.tuple("user:carol", "viewer", "folder:carols")), List.of()));
            String carol = IDP.token("carol", tenant, "");

            double listHits = count(reader, "clearance.authz.list.cache", "hit");
            for (int i = 0; i < 4; i++) {
                assertEquals(List.of("note-0"), reader.api.searchIds(carol, WORD, 5));
            }
            assertTrue(
                    count(reader, "clearance.authz.list.cache", "hit") > listHits,
                    "a later search of the same caller used the cached list");

            ok(writer.api.relationships(admin, List.of(), List.of(Api.tuple("user:carol", "viewer", "folder:carols"))));

            assertEquals(List.of(), reader.api.searchIds(carol, WORD, 5), "carol still finds note-0");
        }
    }

    /**
     * A revocation whose Write timed out but landed later: the sync's retry finds nothing left to
     * write. Decisions cached between the first epoch raise and the late landing were taken under
     * the old rules; the acknowledgement must still retire them.
     */
    @Test
    void aRevocationWhoseWriteLandsAfterItsTimeoutStillEndsCachedDecisions() throws Exception {
        String tenant = this.tenant + "l";
        AtomicBoolean first = new AtomicBoolean(true);
        try (HttpFaultProxy fga = new HttpFaultProxy(RealServers.get().fgaApiUrl()).onlyPaths("/write");
                ServiceInstance reader = instance();
                ServiceInstance writer = new ServiceInstance(
                        getProperties(),
                        Map.of(
                                "clearance.fga.api-url", fga.url(),
                                // One short attempt: the held Write is given up long before it lands.
                                "clearance.fga.request-timeout", "1s",
                                "clearance.fga.max-retries", "0",
                                "clearance.access.sync-wait", "2s"))) {
            String admin = IDP.token("loader", tenant, "documents:write relationships:write");
            ok(writer.api.put(admin, "payroll", document("payroll", "hr", List.of())));
            ok(writer.api.relationships(
                    admin,
                    List.of(
                            Api.tuple("group:hr-team#member", "viewer", "folder:hr"),
                            Api.tuple("user:bob", "member", "group:hr-team")),
                    List.of()));
            String bob = IDP.token("bob", tenant, "");
            assertTrue(reader.api.searchIds(bob, WORD, 5).contains("payroll"));

            // The first Write that removes bob is held 6 s, then reaches OpenFGA: after the writer
            // gave up on it (1 s), within the lease it keeps for a late arrival (callTimeout + 10 s).
            fga.delayWhen(
                    body -> body.contains("\"deletes\"") && body.contains("user:bob") && first.getAndSet(false),
                    Duration.ofSeconds(6));
            List<Map<String, String>> revoke = List.of(Api.tuple("user:bob", "member", "group:hr-team"));
            assertEquals(
                    503,
                    writer.api
                            .relationships(admin, List.of(), revoke)
                            .getStatus()
                            .getCode(),
                    "the held Write cannot be acknowledged");
            // The epoch was raised before the Write; OpenFGA still says yes, and the reader caches it.
            assertTrue(reader.api.searchIds(bob, WORD, 5).contains("payroll"), "not yet revoked in OpenFGA");

            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            HttpResponse<Map> acknowledged;
            do {
                Thread.sleep(500);
                acknowledged = writer.api.relationships(admin, List.of(), revoke);
            } while (acknowledged.getStatus().getCode() != 200 && System.nanoTime() < until);
            ok(acknowledged);
            assertFalse(first.get(), "the Write was held");

            assertFalse(reader.api.searchIds(bob, WORD, 5).contains("payroll"), "bob still finds payroll");
        }
    }
}
