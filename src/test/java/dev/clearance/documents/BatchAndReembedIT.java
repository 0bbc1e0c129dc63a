package dev.clearance.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pgvector.PGvector;
import dev.clearance.embed.Embedder;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.Vectors;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bulk loading through the batch endpoint, and the re-embed job rewriting stored vectors. */
@MicronautTest
class BatchAndReembedIT extends IntegrationTest {

    @Inject
    @Client("/")
    HttpClient client;

    @Inject
    DataSource dataSource;

    @Inject
    ReembedJob reembed;

    @Inject
    Embedder embedder;

    Api api;
    String admin;

    @BeforeAll
    void setUp() {
        api = new Api(client.toBlocking());
        admin = IDP.token("loader", tenant, "documents:write relationships:write");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBatchStoresTheGoodDocumentsAndReportsTheBadOnes() {
        Map<String, Object> good =
                Map.of("title", "Parking", "text", "Parking is free on weekends.", "viewers", List.of("user:alice"));
        Map<String, Object> bad = Map.of("title", "Bad", "text", "x", "viewers", List.of("alice"));
        HttpResponse<Map> response = api.exchange(
                HttpRequest.POST(
                        "/v1/documents/batch",
                        Map.of(
                                "documents",
                                List.of(
                                        Map.of("id", "parking", "document", good),
                                        Map.of("id", "bad", "document", bad)))),
                admin);
        assertEquals(200, response.getStatus().getCode());
        assertEquals(1, response.body().get("failed"));
        List<Map<String, Object>> results =
                (List<Map<String, Object>>) response.body().get("results");
        assertEquals("created", ((Map<?, ?>) results.get(0).get("result")).get("status"));
        assertNull(results.get(0).get("problem"));
        assertNotNull(results.get(1).get("problem"));
        assertEquals(List.of("parking"), api.searchIds(IDP.token("alice", tenant, ""), "weekend parking", 5));
        assertEquals(404, api.get(admin, "bad").getStatus().getCode());
    }

    @Test
    void theReembedJobRestoresEveryVector() throws Exception {
        api.put(
                admin,
                "canteen",
                Map.of(
                        "title",
                        "Canteen",
                        "text",
                        "The canteen serves vegetarian lunch daily.",
                        "viewers",
                        List.of("user:alice")));
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE chunks SET embedding = array_fill(0.001, ARRAY[384])::vector WHERE tenant = ?")) {
            s.setString(1, tenant);
            s.executeUpdate();
        }
        long rewritten = reembed.run();
        assertTrue(rewritten >= 1);
        float[] expected = embedder.embed("Canteen\nThe canteen serves vegetarian lunch daily.");
        float[] stored;
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT embedding::text FROM chunks WHERE tenant = ? AND document_id = 'canteen'")) {
            s.setString(1, tenant);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                stored = new PGvector(rs.getString(1)).toArray();
            }
        }
        assertTrue(Vectors.cosine(expected, stored) > 0.999, "the stored vector is the model's embedding again");
    }
}
