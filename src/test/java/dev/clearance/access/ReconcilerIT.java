package dev.clearance.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.AccessOracle;
import dev.clearance.testsupport.AccessRows;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reconciler against a real OpenFGA: a wiped store is rebuilt from the desired state, and a
 * tuple added behind the service's back is removed and reported. Results are compared with an
 * independent oracle's reading of the desired state, not with the service's earlier answers.
 */
@MicronautTest
class ReconcilerIT extends IntegrationTest {

    /**
     * This class changes OpenFGA behind the service's back, which cached decisions do not see until
     * their TTL or the reconciler's repair (ADR 0009); its subject is the reconciler, so every search
     * here asks OpenFGA.
     */
    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("clearance.authz.cache.enabled", "false");
    }

    @Inject
    @Client("/")
    HttpClient client;

    @Inject
    RelationshipStore fga;

    @Inject
    DataSource dataSource;

    @Inject
    Reconciler reconciler;

    Api api;
    String admin;
    String operator;

    @BeforeAll
    void load() {
        api = new Api(client.toBlocking());
        admin = IDP.token("loader", tenant, "documents:write relationships:write");
        operator = IDP.token("ops", tenant, "access:admin");
        assertEquals(
                200,
                api.relationships(
                                admin,
                                List.of(
                                        Api.tuple("user:bob", "member", "group:team"),
                                        Api.tuple("group:team#member", "viewer", "folder:plans")),
                                List.of())
                        .getStatus()
                        .getCode());
        put("roadmap", Map.of("folder", "plans"));
        put("salaries", Map.of("viewers", List.of("user:carol")));
        put("handbook", Map.of("viewers", List.of("user:*")));
    }

    private void put(String id, Map<String, Object> grants) {
        Map<String, Object> body = new java.util.HashMap<>(grants);
        body.put("title", id);
        body.put("text", "The archive keeps the " + id + " document.");
        HttpResponse<Map> response = api.put(admin, id, body);
        assertEquals(Boolean.TRUE, response.body().get("searchable"), id + ": " + response.body());
    }

    @Test
    void aWipedStoreIsRebuiltFromTheDesiredState() throws Exception {
        assertResultsMatchTheOracle();
        List<dev.clearance.access.DesiredTuple> ours = new ArrayList<>();
        fga.readAll(page -> page.stream()
                .filter(t -> t.object().contains(":" + tenant + "/"))
                .forEach(ours::add));
        assertTrue(ours.size() >= 5, "tuples written for the tenant: " + ours);
        fga.write(List.of(), ours);
        assertEquals(List.of(), search("bob"), "the wipe took effect");

        Map<?, ?> result = reconcile();
        assertEquals(Boolean.TRUE, result.get("ran"));
        assertEquals(ours.size(), ((Map<?, ?>) result.get("drift")).get("missing"), "drift found: " + result);
        assertResultsMatchTheOracle();
        assertEquals(Set.copyOf(ours), currentTuples());
    }

    @Test
    void aTupleAddedBehindTheServicesBackIsRemovedAndReported() throws Exception {
        String salaries = "document:" + tenant + "/salaries";
        fga.write(List.of(new DesiredTuple("user:mallory", "viewer", salaries)), List.of());
        assertEquals(List.of("handbook", "salaries"), search("mallory"), "the out-of-band grant took effect");

        Map<?, ?> result = reconcile();
        assertEquals(1, ((Map<?, ?>) result.get("drift")).get("extra"), "drift found: " + result);
        assertEquals(List.of("handbook"), search("mallory"));
        assertTrue(!fga.readByObject(salaries).contains(new DesiredTuple("user:mallory", "viewer", salaries)));
        List<Map> drift = client.toBlocking()
                .retrieve(
                        HttpRequest.GET("/v1/admin/access/drift").bearerAuth(operator),
                        io.micronaut.core.type.Argument.listOf(Map.class));
        assertEquals("extra", drift.get(0).get("kind"));
        assertEquals(
                Map.of("user", "user:mallory", "relation", "viewer", "object", "document:salaries"),
                drift.get(0).get("tuple"));
        assertResultsMatchTheOracle();
    }

    /**
     * Objects written before the desired state existed: a document marked for adoption and a group
     * only OpenFGA knows. The reconciler records what OpenFGA holds for them instead of removing it.
     */
    @Test
    void tuplesFromBeforeTheDesiredStateAreAdopted() throws Exception {
        put("legacy", Map.of("viewers", List.of("user:dave")));
        String legacy = "document:" + tenant + "/legacy";
        String group = "group:" + tenant + "/old-team";
        fga.write(List.of(new DesiredTuple("user:erin", "member", group)), List.of());
        sql("UPDATE access_objects SET adopt = true WHERE object = '" + legacy + "'");
        sql("DELETE FROM desired_tuples WHERE object = '" + legacy + "'");
        sql("UPDATE access_adoption SET pending = true");

        Map<?, ?> result = reconcile();
        assertEquals(2, ((Map<?, ?>) result.get("drift")).get("adopted"), "drift found: " + result);
        assertTrue(
                AccessRows.desired(dataSource, tenant).contains(new AccessOracle.Tuple("user:dave", "viewer", legacy)));
        assertTrue(
                AccessRows.desired(dataSource, tenant).contains(new AccessOracle.Tuple("user:erin", "member", group)));
        assertTrue(fga.readByObject(group).contains(new DesiredTuple("user:erin", "member", group)));
        assertTrue(search("dave").contains("legacy"));
        assertEquals(List.of("false"), List.of(String.valueOf(queryBoolean("SELECT pending FROM access_adoption"))));
    }

    private void sql(String statement) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(statement)) {
            s.executeUpdate();
        }
    }

    private boolean queryBoolean(String query) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(query);
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @Test
    void theOperatorEndpointStartsAReconciliationInTheBackground() throws Exception {
        String roadmap = "document:" + tenant + "/roadmap";
        DesiredTuple parent = new DesiredTuple("folder:" + tenant + "/plans", "parent", roadmap);
        fga.write(List.of(), List.of(parent));
        HttpResponse<Map> started = api.exchange(HttpRequest.POST("/v1/admin/access/reconcile", Map.of()), operator);
        assertEquals(202, started.getStatus().getCode());
        assertEquals(Map.of("drift", "/v1/admin/access/drift"), started.body());
        long deadline = System.currentTimeMillis() + 30_000;
        while (!fga.readByObject(roadmap).contains(parent) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(fga.readByObject(roadmap).contains(parent), "the lost parent tuple was written again");
    }

    @Test
    void operatorEndpointsNeedTheirScope() {
        String reader = IDP.token("bob", tenant, "audit:read documents:write relationships:write");
        assertEquals(
                403,
                api.exchange(HttpRequest.POST("/v1/admin/access/reconcile", Map.of()), reader)
                        .getStatus()
                        .getCode());
        assertEquals(
                403,
                api.exchange(HttpRequest.GET("/v1/admin/access/parked"), reader)
                        .getStatus()
                        .getCode());
    }

    /** One reconciliation, run here so the test knows when it is over; the tenant's findings. */
    private Map<?, ?> reconcile() throws InterruptedException {
        Reconciler.Report report = reconciler.run();
        for (int i = 0; i < 100 && !report.ran(); i++) {
            Thread.sleep(100); // one started by another test may still be finishing
            report = reconciler.run();
        }
        return Map.of("ran", report.ran(), "drift", report.of(tenant));
    }

    private List<String> search(String user) {
        return api.searchIds(IDP.token(user, tenant, ""), "archive document", 10).stream()
                .sorted()
                .toList();
    }

    private void assertResultsMatchTheOracle() throws Exception {
        AccessOracle oracle = new AccessOracle(AccessRows.desired(dataSource, tenant));
        for (String user : List.of("bob", "carol", "dave", "mallory")) {
            List<String> expected = new ArrayList<>();
            for (String doc : AccessRows.documentIds(dataSource, tenant)) {
                if (oracle.canView("user:" + user, "document:" + tenant + "/" + doc)) {
                    expected.add(doc);
                }
            }
            assertEquals(expected, search(user), user);
        }
    }

    private Set<DesiredTuple> currentTuples() {
        Set<DesiredTuple> out = new HashSet<>();
        fga.readAll(page -> page.stream()
                .filter(t -> t.object().contains(":" + tenant + "/"))
                .forEach(out::add));
        return out;
    }
}
