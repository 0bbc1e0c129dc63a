package dev.clearance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pgvector.PGvector;
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
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The service runs on the real servers: health, OpenFGA decisions, pgvector's HNSW index, errors. */
@MicronautTest
class FoundationIT extends IntegrationTest {

    @Inject
    @Client("/")
    HttpClient client;

    @Inject
    DataSource dataSource;

    Api api;

    @BeforeAll
    void setUp() {
        api = new Api(client.toBlocking());
    }

    @Test
    void healthReportsPostgresAndOpenFga() {
        HttpResponse<Map> anonymous = client.toBlocking().exchange(HttpRequest.GET("/health"), Map.class);
        assertEquals("UP", anonymous.body().get("status"));
        assertEquals(null, anonymous.body().get("details"), "no hosts or driver errors for anonymous callers");
        HttpResponse<Map> health = client.toBlocking()
                .exchange(HttpRequest.GET("/health").bearerAuth(IDP.token("ops", tenant, "")), Map.class);
        Map<?, ?> details = (Map<?, ?>) health.body().get("details");
        assertEquals("UP", health.body().get("status"));
        assertEquals("UP", ((Map<?, ?>) details.get("jdbc")).get("status"));
        assertEquals("UP", ((Map<?, ?>) details.get("openfga")).get("status"));
    }

    @Test
    void aTupleWrittenThroughTheServiceChangesTheDecision() {
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        String bob = IDP.token("bob", tenant, "");
        assertEquals(
                201,
                api.put(
                                admin,
                                "plan",
                                Map.of(
                                        "title",
                                        "Plan",
                                        "text",
                                        "The roadmap for next year.",
                                        "viewers",
                                        List.of("user:alice")))
                        .getStatus()
                        .getCode());
        assertEquals(404, api.get(bob, "plan").getStatus().getCode());

        api.relationships(
                admin,
                List.of(
                        Api.tuple("user:bob", "member", "group:eng"),
                        Api.tuple("group:eng#member", "viewer", "document:plan")),
                List.of());
        assertEquals(200, api.get(bob, "plan").getStatus().getCode());

        api.relationships(admin, List.of(), List.of(Api.tuple("user:bob", "member", "group:eng")));
        assertEquals(404, api.get(bob, "plan").getStatus().getCode());
    }

    @Test
    void hnswIndexAnswersNearestNeighbourQueries() throws Exception {
        Random random = new Random(7);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement doc = c.prepareStatement("""
                    INSERT INTO documents (tenant, id, title, mime_type, content_hash, grants_hash, embedding_model)
                    VALUES (?, 'vectors', 'Vectors', 'text/plain', 'x', 'y', 'test')""")) {
                doc.setString(1, tenant);
                doc.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO chunks (tenant, document_id, ordinal, text, tokens, embedding) VALUES (?, 'vectors', ?, 't', 1, ?)")) {
                for (int i = 0; i < 500; i++) {
                    s.setString(1, tenant);
                    s.setInt(2, i);
                    s.setObject(3, new PGvector(randomVector(random)));
                    s.addBatch();
                }
                s.executeBatch();
            }
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE chunks");
                s.execute("SET LOCAL enable_seqscan = off");
                // Other tenants of the same hash partition share its index: without iterative scan the tenant filter
                // would leave fewer than 10 of the 40 nearest (pgvector >= 0.8).
                s.execute("SET LOCAL hnsw.iterative_scan = relaxed_order");
            }
            String plan;
            try (PreparedStatement s =
                    c.prepareStatement("EXPLAIN SELECT id FROM chunks ORDER BY embedding <=> ? LIMIT 10")) {
                s.setObject(1, new PGvector(randomVector(random)));
                StringBuilder text = new StringBuilder();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        text.append(rs.getString(1)).append('\n');
                    }
                }
                plan = text.toString();
            }
            int rows;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT count(*) FROM (SELECT id FROM chunks WHERE tenant = ? ORDER BY embedding <=> ? LIMIT 10) x")) {
                s.setString(1, tenant);
                s.setObject(2, new PGvector(randomVector(random)));
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    rows = rs.getInt(1);
                }
            }
            c.rollback();
            // Chunks are partitioned by tenant (ADR 0014): each partition answers from its own HNSW
            // index (that a tenant's search reads one partition only is TenantPartitionIT's part).
            assertTrue(
                    java.util.regex.Pattern.compile("Index Scan using chunks_shared_\\d_embedding_idx")
                            .matcher(plan)
                            .find(),
                    plan);
            assertEquals(10, rows);
        }
    }

    @Test
    void errorsAreProblemJsonWithTheRequestId() {
        HttpResponse<Map> unauthenticated = api.exchange(
                HttpRequest.POST("/v1/search", Map.of("query", "x")).header("X-Request-Id", "req-123"), null);
        assertEquals(401, unauthenticated.getStatus().getCode());
        assertEquals(
                "application/problem+json",
                unauthenticated.getContentType().orElseThrow().toString());
        // The service's own id, never the client's: the client cannot choose the id it is logged under.
        assertNotNull(unauthenticated.header("X-Request-Id"));
        assertNotEquals("req-123", unauthenticated.header("X-Request-Id"));
        assertEquals(
                unauthenticated.header("X-Request-Id"),
                unauthenticated.getBody(Map.class).orElseThrow().get("requestId"));

        String alice = IDP.token("alice", tenant, "");
        HttpResponse<Map> invalid = api.search(alice, Map.of("query", "x", "topK", 51));
        assertEquals(400, invalid.getStatus().getCode());
        assertEquals(
                "application/problem+json",
                invalid.getContentType().orElseThrow().toString());
        assertNotNull(invalid.header("X-Request-Id"));
        assertTrue(
                invalid.getBody(Map.class).orElseThrow().get("type").toString().endsWith("/invalid-request"));
    }

    private static float[] randomVector(Random random) {
        float[] v = new float[384];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
