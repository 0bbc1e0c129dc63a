package dev.clearance.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.identity.Caller;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.ServiceInstance;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.http.HttpResponse;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Decisions shared through groups, folders and public shares (ADR 0015) against OpenFGA's own
 * answer for each caller, on a random access graph in a real OpenFGA: nested groups, a folder tree,
 * direct grants of every relation, {@code user:*}, and agents acting for users. Any difference is
 * either a leak (shared says yes, OpenFGA no) or a lost result (the other way round); both fail.
 */
@MicronautTest(startApplication = false)
class SharedSubjectsIT extends IntegrationTest {

    private static final int DOCUMENTS = 40;
    private static final int FOLDERS = 8;
    private static final int GROUPS = 5;
    private static final int USERS = 10;

    private static void ok(HttpResponse<Map> response) {
        assertTrue(response.getStatus().getCode() < 300, () -> response.getStatus() + " " + response.getBody());
    }

    @Test
    void sharedDecisionsAndListsEqualOpenFgasAnswerForEveryCaller() {
        Random random = new Random(20261206);
        try (ServiceInstance service = new ServiceInstance(getProperties(), Map.of())) {
            String admin = IDP.token("loader", tenant, "documents:write relationships:write");
            List<String> documents = new ArrayList<>();
            for (int d = 0; d < DOCUMENTS; d++) {
                String id = "doc-" + d;
                documents.add(id);
                ok(service.api.put(
                        admin,
                        id,
                        Map.of("title", id, "text", "Text of " + id + ".", "folder", "f" + random.nextInt(FOLDERS))));
            }
            List<Map<String, String>> tuples = new ArrayList<>();
            // A folder tree: f1..f7 each under an earlier folder.
            for (int f = 1; f < FOLDERS; f++) {
                tuples.add(Api.tuple("folder:f" + random.nextInt(f), "parent", "folder:f" + f));
            }
            // Nested groups: the members of g<i> are also members of a later group.
            for (int g = 0; g < GROUPS - 1; g++) {
                tuples.add(Api.tuple(
                        "group:g" + g + "#member", "member", "group:g" + (g + 1 + random.nextInt(GROUPS - g - 1))));
            }
            List<String> principals = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                principals.add("user:u" + u);
            }
            principals.add("agent:a0");
            principals.add("agent:a1");
            for (String principal : principals) {
                if (random.nextInt(3) > 0) {
                    tuples.add(Api.tuple(principal, "member", "group:g" + random.nextInt(GROUPS)));
                }
            }
            String[] relations = {"owner", "editor", "viewer"};
            for (int i = 0; i < 14; i++) {
                String holder = random.nextBoolean()
                        ? principals.get(random.nextInt(principals.size()))
                        : "group:g" + random.nextInt(GROUPS) + "#member";
                String object = random.nextInt(3) == 0
                        ? "folder:f" + random.nextInt(FOLDERS)
                        : "document:" + documents.get(random.nextInt(DOCUMENTS));
                tuples.add(Api.tuple(holder, relations[random.nextInt(3)], object));
            }
            tuples.add(Api.tuple("user:*", "viewer", "document:doc-0"));
            tuples.add(Api.tuple("user:*", "viewer", "folder:f" + (FOLDERS - 1)));
            ok(service.api.relationships(admin, tuples, List.of()));

            List<Caller> callers = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                callers.add(new Caller(tenant, "u" + u, Optional.empty(), Set.of()));
                callers.add(new Caller(tenant, "u" + u, Optional.of("a" + (u % 2)), Set.of()));
            }
            DecisionCache shared = service.bean(DecisionCache.class);
            AccessChecker alone = service.bean(AccessChecker.class);
            AccessLister lister = service.bean(AccessLister.class);
            Map<String, Long> versions = new HashMap<>();
            documents.forEach(d -> versions.put(d, 1L));
            long epoch = System.nanoTime();
            int allowed = 0;
            for (Caller caller : callers) {
                long deadline = System.nanoTime() + 10_000_000_000L;
                Decisions truth = alone.check(caller, documents, true);
                Decisions answer = shared.check(caller, versions, epoch, true, deadline);
                Set<String> expected = new TreeSet<>();
                for (String d : documents) {
                    assertEquals(truth.outcome(d), answer.outcome(d), caller + " on " + d);
                    if (truth.outcome(d) == Outcome.ALLOWED) {
                        expected.add(d);
                    }
                }
                allowed += expected.size();
                Viewable listed = lister.listViewable(caller, true, epoch);
                assertTrue(listed.complete(), caller.toString());
                assertEquals(expected, new TreeSet<>(listed.documentIds()), caller + " list");
                // A second time from memory only: the same answer.
                assertEquals(answer, shared.check(caller, versions, epoch, true, deadline));
            }
            assertTrue(allowed > 0 && allowed < callers.size() * DOCUMENTS, "the graph grants some and not all");
            MeterRegistry meters = service.bean(MeterRegistry.class);
            assertEquals(
                    USERS + 2,
                    meters.counter("clearance.authz.expansion.cache", "result", "miss")
                            .count(),
                    "each principal was expanded once, then reused");
        }
    }

    @Test
    void aGroupsAnswerIsReusedByItsNextMemberWithoutNewChecks() {
        try (ServiceInstance service = new ServiceInstance(getProperties(), Map.of())) {
            String admin = IDP.token("loader", tenant, "documents:write relationships:write");
            List<String> documents = new ArrayList<>();
            for (int d = 0; d < 6; d++) {
                documents.add("memo-" + d);
                ok(service.api.put(
                        admin, "memo-" + d, Map.of("title", "memo", "text", "Memo " + d + ".", "folder", "staff")));
            }
            ok(service.api.relationships(
                    admin,
                    List.of(
                            Api.tuple("group:staff#member", "viewer", "folder:staff"),
                            Api.tuple("user:ann", "member", "group:staff"),
                            Api.tuple("user:ben", "member", "group:staff")),
                    List.of()));
            DecisionCache shared = service.bean(DecisionCache.class);
            MeterRegistry meters = service.bean(MeterRegistry.class);
            Map<String, Long> versions = new HashMap<>();
            documents.forEach(d -> versions.put(d, 1L));
            long epoch = System.nanoTime();
            long deadline = System.nanoTime() + 10_000_000_000L;
            Decisions ann = shared.check(
                    new Caller(tenant, "ann", Optional.empty(), Set.of()), versions, epoch, false, deadline);
            double checks = checks(meters);
            Decisions ben = shared.check(
                    new Caller(tenant, "ben", Optional.empty(), Set.of()), versions, epoch, false, deadline);
            assertEquals(checks, checks(meters), "ben's decisions came from ann's group answer");
            Set<String> both = new HashSet<>();
            for (String d : documents) {
                assertEquals(Outcome.ALLOWED, ann.outcome(d));
                assertEquals(Outcome.ALLOWED, ben.outcome(d));
                both.add(d);
            }
            assertEquals(6, both.size());
        }
    }

    @Test
    void aCallerInManyGroupsIsAskedAboutItselfNotAboutEachGroup() {
        try (ServiceInstance service = new ServiceInstance(getProperties(), Map.of())) {
            String admin = IDP.token("loader", tenant, "documents:write relationships:write");
            List<String> documents = new ArrayList<>();
            for (int d = 0; d < 6; d++) {
                documents.add("plan-" + d);
                ok(service.api.put(
                        admin,
                        "plan-" + d,
                        Map.of("title", "plan", "text", "Plan " + d + ".", "folder", d < 3 ? "open" : "closed")));
            }
            List<Map<String, String>> tuples = new ArrayList<>();
            for (int g = 0; g < 8; g++) {
                tuples.add(Api.tuple("user:cleo", "member", "group:club-" + g));
            }
            tuples.add(Api.tuple("group:club-7#member", "viewer", "folder:open"));
            ok(service.api.relationships(admin, tuples, List.of()));
            DecisionCache shared = service.bean(DecisionCache.class);
            MeterRegistry meters = service.bean(MeterRegistry.class);
            Map<String, Long> versions = new HashMap<>();
            documents.forEach(d -> versions.put(d, 1L));
            double before = checks(meters);
            Decisions cleo = shared.check(
                    new Caller(tenant, "cleo", Optional.empty(), Set.of()),
                    versions,
                    System.nanoTime(),
                    false,
                    System.nanoTime() + 10_000_000_000L);
            // Nine subjects (eight groups and user:*) for six documents: six checks, not 54.
            assertEquals(6.0, checks(meters) - before);
            for (String d : documents) {
                assertEquals(d.compareTo("plan-3") < 0 ? Outcome.ALLOWED : Outcome.DENIED, cleo.outcome(d), d);
            }
        }
    }

    private static double checks(MeterRegistry meters) {
        return meters.counter("clearance.authz.checks", "outcome", "allowed").count()
                + meters.counter("clearance.authz.checks", "outcome", "denied").count()
                + meters.counter("clearance.authz.checks", "outcome", "error").count();
    }
}
