package dev.clearance.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.HttpFaultProxy;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.McpClients;
import dev.clearance.testsupport.RealServers;
import dev.clearance.testsupport.ServiceInstance;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the audit log records on real servers: searches under the server's own request id with the
 * client's id beside it, their diagnostics, a keyed hash of the query (the key generated once and
 * kept in PostgreSQL), and reads of documents by id, allowed and refused alike, over HTTP and MCP.
 */
@MicronautTest
class AuditTrailIT extends IntegrationTest {

    @Inject
    @Client("/")
    HttpClient client;

    @Inject
    EmbeddedServer server;

    @Inject
    DataSource dataSource;

    Api api;
    String alice;
    String auditor;

    @BeforeAll
    void load() {
        api = new Api(client.toBlocking());
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        put(admin, "alice-notes", "Alice's notes", "Lighthouse keeping notes of alice.", "user:alice");
        put(admin, "bob-notes", "Bob's notes", "Lighthouse keeping notes of bob.", "user:bob");
        alice = IDP.token("alice", tenant, "");
        auditor = IDP.token("auditor", tenant, "audit:read");
    }

    @Test
    void aSearchIsRecordedUnderTheServersIdWithTheClientsIdBesideIt() {
        HttpResponse<Map> response = api.exchange(
                HttpRequest.POST("/v1/search", Map.of("query", "lighthouse keeping", "topK", 5))
                        .header("X-Request-Id", "client-7"),
                alice);
        assertEquals(200, response.getStatus().getCode());
        String serverId = response.header("X-Request-Id");
        assertNotNull(serverId);
        assertNotEquals("client-7", serverId);

        Map<?, ?> record = record(serverId);
        assertEquals("client-7", record.get("clientRequestId"));
        assertEquals("search", record.get("action"));
        assertEquals("answered", record.get("outcome"));
        assertEquals(1, ((List<?>) record.get("chunkIds")).size(), record.toString());
        // What alice's response no longer says, the audit log does.
        assertEquals(2, record.get("candidates"), record.toString());
        assertEquals(2, record.get("checked"), record.toString());
        assertEquals(1, record.get("denied"), record.toString());
        assertNotNull(record.get("rounds"));
        assertNotNull(record.get("strategy"));
        assertEquals("exact", record.get("vectorSearch"));
    }

    @Test
    void aClientCannotRecordItsSearchUnderAnotherRequestsId() {
        api.search(alice, Map.of("query", "first", "topK", 1));
        String taken = (String) audit(1).get(0).get("requestId");
        HttpResponse<Map> second = api.exchange(
                HttpRequest.POST("/v1/search", Map.of("query", "second", "topK", 1))
                        .header("X-Request-Id", taken),
                alice);
        assertNotEquals(taken, second.header("X-Request-Id"));
        assertEquals(taken, record(second.header("X-Request-Id")).get("clientRequestId"));
        assertEquals(
                1,
                audit(100).stream()
                        .filter(r -> taken.equals(r.get("requestId")))
                        .count());
    }

    @Test
    void theQueryIsHashedWithTheKeyKeptInTheDatabase() throws Exception {
        String query = "vacation";
        HttpResponse<Map> first = api.search(alice, Map.of("query", query, "topK", 1));
        HttpResponse<Map> second = api.search(IDP.token("bob", tenant, ""), Map.of("query", query, "topK", 1));
        String hash = (String) record(first.header("X-Request-Id")).get("queryHash");
        assertEquals(hash, record(second.header("X-Request-Id")).get("queryHash"), "same query, same hash");

        byte[] key;
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT key FROM audit_query_key")) {
            assertTrue(rs.next());
            key = rs.getBytes(1);
            assertTrue(!rs.next(), "one key for every replica");
        }
        assertEquals(32, key.length);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        assertEquals(HexFormat.of().formatHex(mac.doFinal(query.getBytes(StandardCharsets.UTF_8))), hash);
        String unkeyed = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(query.getBytes(StandardCharsets.UTF_8)));
        assertNotEquals(unkeyed, hash, "a plain SHA-256 of a short query is recovered by guessing");
    }

    @Test
    void readsByIdAreRecordedAllowedAndRefusedAlike() {
        HttpResponse<Map> own = api.get(alice, "alice-notes");
        assertEquals(200, own.getStatus().getCode());
        Map<?, ?> allowed = record(own.header("X-Request-Id"));
        assertEquals("get", allowed.get("action"));
        assertEquals(List.of("alice-notes"), allowed.get("documentIds"));
        assertEquals("allowed", allowed.get("outcome"));
        assertEquals(0, allowed.get("denied"));
        assertNull(allowed.get("queryHash"));

        HttpResponse<Map> others = api.get(alice, "bob-notes");
        assertEquals(404, others.getStatus().getCode());
        Map<?, ?> refused = record(others.header("X-Request-Id"));
        assertEquals(List.of("bob-notes"), refused.get("documentIds"));
        assertEquals("not_found", refused.get("outcome"));
        // The auditor may tell a refusal from a missing document; the caller was not told.
        assertEquals(1, refused.get("denied"));

        HttpResponse<Map> missing = api.get(alice, "nowhere");
        assertEquals(404, missing.getStatus().getCode());
        Map<?, ?> absent = record(missing.header("X-Request-Id"));
        assertEquals("not_found", absent.get("outcome"));
        assertEquals(0, absent.get("denied"));
    }

    @Test
    void mcpCallsAreRecordedUnderTheirHttpRequest() {
        String url = server.getURL().toString();
        McpClients.call(url, alice, "get_document", Map.of("id", "bob-notes"), "mcp-client-1");
        McpClients.call(url, alice, "get_document", Map.of("id", "alice-notes"), "mcp-client-2");
        McpClients.call(
                url, alice, "search_documents", Map.of("query", "lighthouse keeping", "topK", 5), "mcp-client-3");
        List<Map> recent = audit(5);
        Map<?, ?> search = recent.get(0);
        Map<?, ?> last = recent.get(1);
        Map<?, ?> before = recent.get(2);
        assertEquals("mcp.search_documents", search.get("action"));
        assertEquals(1, ((List<?>) search.get("chunkIds")).size(), search.toString());
        assertEquals("mcp_get", last.get("action"));
        assertEquals(List.of("alice-notes"), last.get("documentIds"));
        assertEquals("allowed", last.get("outcome"));
        assertEquals("mcp_get", before.get("action"));
        assertEquals(List.of("bob-notes"), before.get("documentIds"));
        assertEquals("not_found", before.get("outcome"));
        // Each tool call is recorded under the server's id of the /mcp request that carried it, with
        // the client's own X-Request-Id beside it, as for the HTTP endpoints.
        assertEquals("mcp-client-3", search.get("clientRequestId"));
        assertEquals("mcp-client-2", last.get("clientRequestId"));
        assertEquals("mcp-client-1", before.get("clientRequestId"));
        assertNotEquals("mcp-client-3", search.get("requestId"));
    }

    /**
     * Nothing leaves when authorization cannot be decided, but the auditor still learns who asked
     * what, and when: an outage is when someone would probe the fail-closed path.
     */
    @Test
    void searchesAndReadsThatFailClosedAreRecordedAsUnavailable() {
        try (HttpFaultProxy fga = new HttpFaultProxy(RealServers.get().fgaApiUrl());
                ServiceInstance replica = new ServiceInstance(
                        getProperties(),
                        // Every request must ask OpenFGA: a cached decision would answer it.
                        Map.of("clearance.fga.api-url", fga.url(), "clearance.authz.cache.enabled", "false"))) {
            Map<String, Object> query = Map.of("query", "lighthouse keeping", "topK", 5);
            assertEquals(200, replica.api.search(alice, query).getStatus().getCode());
            fga.fail(500, null);

            HttpResponse<Map> search = replica.api.exchange(
                    HttpRequest.POST("/v1/search", query).header("X-Request-Id", "client-503"), alice);
            assertEquals(503, search.getStatus().getCode());
            Map<?, ?> refused = record(search.header("X-Request-Id"));
            assertEquals("search", refused.get("action"));
            assertEquals("unavailable", refused.get("outcome"));
            assertEquals("client-503", refused.get("clientRequestId"));
            assertEquals(List.of(), refused.get("chunkIds"));
            assertNotNull(refused.get("queryHash"));
            assertNull(refused.get("candidates"), "no search ran to count anything");

            HttpResponse<Map> read = replica.api.get(alice, "alice-notes");
            assertEquals(503, read.getStatus().getCode());
            Map<?, ?> unread = record(read.header("X-Request-Id"));
            assertEquals("get", unread.get("action"));
            assertEquals("unavailable", unread.get("outcome"));
            assertEquals(List.of("alice-notes"), unread.get("documentIds"));
        }
    }

    private Map<?, ?> record(String requestId) {
        return audit(200).stream()
                .filter(r -> requestId.equals(r.get("requestId")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no audit record with request id " + requestId));
    }

    @SuppressWarnings("rawtypes")
    private List<Map> audit(int limit) {
        return client.toBlocking()
                .retrieve(
                        HttpRequest.GET("/v1/admin/audit?limit=" + limit).bearerAuth(auditor),
                        Argument.listOf(Map.class));
    }

    private void put(String admin, String id, String title, String text, String viewer) {
        int status = api.put(admin, id, Map.of("title", title, "text", text, "viewers", List.of(viewer)))
                .getStatus()
                .getCode();
        assertTrue(status == 200 || status == 201, id + " answered " + status);
    }
}
