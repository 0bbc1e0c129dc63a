package dev.clearance.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.access.DesiredTuple;
import dev.clearance.access.RelationshipStore;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.RealServers;
import dev.clearance.testsupport.TcpProxy;
import io.micronaut.context.ApplicationContext;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Ingestion on real servers: idempotent, atomic replacement, clean deletes, hidden until authorized. */
@MicronautTest
class IngestIT extends IntegrationTest {

    @Inject
    @Client("/")
    HttpClient client;

    @Inject
    DataSource dataSource;

    @Inject
    RelationshipStore relationships;

    @Inject
    dev.clearance.access.AccessSync accessSync;

    Api api;
    String admin;
    String alice;

    @Override
    protected Map<String, String> extraProperties() {
        // The outbox runs only when a test asks, so the "not yet authorized" state can be observed.
        return Map.of("clearance.outbox.interval", "1h", "clearance.outbox.initial-delay", "1h");
    }

    @BeforeAll
    void setUp() {
        api = new Api(client.toBlocking());
        admin = IDP.token("loader", tenant, "documents:write relationships:write");
        alice = IDP.token("alice", tenant, "");
    }

    @Test
    void reIngestingUnchangedContentWritesNothing() throws Exception {
        Map<String, Object> body = Map.of(
                "title",
                "Travel policy",
                "text",
                "Book trains for trips under four hours.",
                "viewers",
                List.of("user:alice"));
        assertEquals(201, api.put(admin, "travel", body).getStatus().getCode());
        List<Long> before = chunkIds("travel");
        String updatedAt = updatedAt("travel");

        HttpResponse<Map> again = api.put(admin, "travel", body);
        assertEquals(200, again.getStatus().getCode());
        assertEquals("unchanged", again.body().get("status"));
        assertEquals(before, chunkIds("travel"));
        assertEquals(updatedAt, updatedAt("travel"));
    }

    @Test
    void aChangedDocumentLeavesExactlyTheNewChunks() throws Exception {
        StringBuilder old = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            old.append("The legacy expense tool number ").append(i).append(" requires paper receipts. ");
        }
        api.put(
                admin,
                "expenses",
                Map.of("title", "Expenses", "text", old.toString(), "viewers", List.of("user:alice")));
        List<Long> oldChunks = chunkIds("expenses");
        assertTrue(oldChunks.size() > 1, "the old text spans several chunks");

        HttpResponse<Map> updated = api.put(
                admin,
                "expenses",
                Map.of(
                        "title",
                        "Expenses",
                        "text",
                        "Expenses are filed in the new app with a photo of the receipt.",
                        "viewers",
                        List.of("user:alice")));
        assertEquals("updated", updated.body().get("status"));
        List<Long> newChunks = chunkIds("expenses");
        assertEquals(1, newChunks.size());
        assertTrue(newChunks.stream().noneMatch(oldChunks::contains));
        assertEquals(List.of("Expenses are filed in the new app with a photo of the receipt."), chunkTexts("expenses"));
        List<Map<String, Object>> results =
                results(api.search(alice, Map.of("query", "legacy expense tool paper receipts", "topK", 10)));
        assertTrue(results.stream().noneMatch(r -> r.get("text").toString().contains("legacy")), results.toString());
    }

    @Test
    void aDeleteRemovesTextChunksAndTuples() throws Exception {
        api.put(
                admin,
                "offsite",
                Map.of(
                        "title",
                        "Offsite",
                        "text",
                        "The offsite is in Lisbon in May.",
                        "viewers",
                        List.of("user:alice"),
                        "folder",
                        "events"));
        assertTrue(api.searchIds(alice, "offsite Lisbon", 10).contains("offsite"));
        assertEquals(
                2, relationships.readByObject("document:" + tenant + "/offsite").size());

        assertEquals(204, api.delete(admin, "offsite").getStatus().getCode());
        assertTrue(!api.searchIds(alice, "offsite Lisbon", 10).contains("offsite"));
        assertEquals(404, api.get(alice, "offsite").getStatus().getCode());
        assertEquals(List.of(), chunkIds("offsite"));
        assertEquals(List.of(), relationships.readByObject("document:" + tenant + "/offsite"));
        assertEquals(404, api.delete(admin, "offsite").getStatus().getCode());
    }

    @Test
    void aDocumentWhoseTuplesCouldNotBeWrittenIsNotSearchable() throws Exception {
        try (TcpProxy proxy = new TcpProxy(RealServers.get().fgaApiUrl())) {
            proxy.cut();
            Map<String, Object> properties = new HashMap<>(getProperties());
            properties.put("clearance.fga.api-url", proxy.url());
            properties.put("clearance.fga.max-retries", "0");
            properties.put("clearance.fga.request-timeout", "500ms");
            properties.put("micronaut.server.port", "-1");
            try (EmbeddedServer cutOff = ApplicationContext.run(EmbeddedServer.class, properties);
                    HttpClient cutOffClient = HttpClient.create(cutOff.getURL())) {
                HttpResponse<Map> put = new Api(cutOffClient.toBlocking())
                        .put(
                                admin,
                                "board-minutes",
                                Map.of(
                                        "title",
                                        "Board minutes",
                                        "text",
                                        "The board approved the merger.",
                                        "viewers",
                                        List.of("user:alice")));
                assertEquals(201, put.getStatus().getCode());
                assertEquals(Boolean.FALSE, put.body().get("searchable"));
            }
        }
        // Even if the grant itself reached OpenFGA, the text stays hidden until the outbox confirms it.
        relationships.write(
                List.of(new DesiredTuple("user:alice", "viewer", "document:" + tenant + "/board-minutes")), List.of());
        assertTrue(!api.searchIds(alice, "board approved merger", 10).contains("board-minutes"));
        assertEquals(404, api.get(alice, "board-minutes").getStatus().getCode());

        // The failed attempt is retried with backoff by the scheduled drain (run here by hand).
        long deadline = System.currentTimeMillis() + 15_000;
        while (!api.searchIds(alice, "board approved merger", 10).contains("board-minutes")
                && System.currentTimeMillis() < deadline) {
            accessSync.drain();
            Thread.sleep(250);
        }
        assertTrue(api.searchIds(alice, "board approved merger", 10).contains("board-minutes"));
        assertNotEquals(List.of(), relationships.readByObject("document:" + tenant + "/board-minutes"));
    }

    @Test
    void corruptInputIsRefusedAndNothingIsStored() throws Exception {
        HttpResponse<Map> response = api.put(
                admin,
                "broken",
                Map.of(
                        "title",
                        "Broken",
                        "contentBase64",
                        java.util.Base64.getEncoder().encodeToString("%PDF-1.4 not really".getBytes()),
                        "viewers",
                        List.of("user:alice")));
        assertEquals(400, response.getStatus().getCode());
        assertEquals(
                "application/problem+json",
                response.getContentType().orElseThrow().toString());
        assertTrue(response.body().get("detail").toString().contains("contentBase64"));
        assertEquals(List.of(), chunkIds("broken"));
        HttpResponse<Map> badSubject =
                api.put(admin, "bad", Map.of("title", "Bad", "text", "x", "viewers", List.of("bob")));
        assertEquals(400, badSubject.getStatus().getCode());
        assertEquals(404, api.get(admin, "bad").getStatus().getCode());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(HttpResponse<Map> response) {
        return (List<Map<String, Object>>) response.body().get("results");
    }

    private List<Long> chunkIds(String id) throws Exception {
        List<Long> ids = new ArrayList<>();
        query(
                "SELECT id FROM chunks WHERE tenant = ? AND document_id = ? ORDER BY ordinal",
                id,
                rs -> ids.add(rs.getLong(1)));
        return ids;
    }

    private List<String> chunkTexts(String id) throws Exception {
        List<String> texts = new ArrayList<>();
        query(
                "SELECT text FROM chunks WHERE tenant = ? AND document_id = ? ORDER BY ordinal",
                id,
                rs -> texts.add(rs.getString(1)));
        return texts;
    }

    private String updatedAt(String id) throws Exception {
        List<String> values = new ArrayList<>();
        query(
                "SELECT updated_at::text FROM documents WHERE tenant = ? AND id = ?",
                id,
                rs -> values.add(rs.getString(1)));
        return values.get(0);
    }

    private interface Row {
        void read(ResultSet rs) throws Exception;
    }

    private void query(String sql, String id, Row row) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, tenant);
            s.setString(2, id);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    row.read(rs);
                }
            }
        }
    }
}
