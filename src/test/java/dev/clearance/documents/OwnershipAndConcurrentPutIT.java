package dev.clearance.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.access.ConcurrentChangeException;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each tuple has one owner: a document's grants are one desired state, whether they come from its
 * PUT or from the relationships API, so neither silently undoes the other; and two PUTs of one id at
 * once never store one version's text under the other's grants.
 */
@MicronautTest
class OwnershipAndConcurrentPutIT extends IntegrationTest {

    @Inject
    @Client("/")
    HttpClient client;

    @Inject
    DocumentRepository documents;

    Api api;
    String admin;

    @BeforeAll
    void setUp() {
        api = new Api(client.toBlocking());
        admin = IDP.token("loader", tenant, "documents:write relationships:write");
    }

    /** Whether the user's search finds the document (other tests' documents share the tenant). */
    private boolean finds(String user, String query, String id) {
        return api.searchIds(IDP.token(user, tenant, ""), query, 50).contains(id);
    }

    @Test
    void documentGrantsFromBothEntryPointsAreOneDesiredState() throws Exception {
        Map<String, Object> memo =
                Map.of("title", "Memo", "text", "The memo about the harbour.", "viewers", List.of("user:bob"));
        assertEquals(201, api.put(admin, "memo", memo).getStatus().getCode());
        assertEquals(
                200,
                api.relationships(admin, List.of(Api.tuple("user:carol", "viewer", "document:memo")), List.of())
                        .getStatus()
                        .getCode());
        assertTrue(finds("carol", "harbour memo", "memo"));
        Thread.sleep(1500); // several sync cycles: nothing takes the relationship's grant back
        assertTrue(finds("carol", "harbour memo", "memo"));
        assertTrue(finds("bob", "harbour memo", "memo"));

        // The PUT's viewers are the document's complete direct grants: the same PUT again replaces them.
        HttpResponse<Map> again = api.put(admin, "memo", memo);
        assertEquals("updated", again.body().get("status"));
        assertTrue(!finds("carol", "harbour memo", "memo"));
        assertTrue(finds("bob", "harbour memo", "memo"));

        // The folder too: a parent through the relationships API is the document's folder until a PUT
        // says otherwise.
        assertEquals(
                200,
                api.relationships(admin, List.of(Api.tuple("folder:x", "parent", "document:memo")), List.of())
                        .getStatus()
                        .getCode());
        assertEquals("x", api.get(IDP.token("bob", tenant, ""), "memo").body().get("folder"));
        api.put(admin, "memo", memo);
        assertEquals(null, api.get(IDP.token("bob", tenant, ""), "memo").body().get("folder"));
    }

    @Test
    void aContentOnlyWriteRefusesWhenTheStoredContentChanged() {
        api.put(admin, "cas", Map.of("title", "Cas", "text", "First text.", "viewers", List.of("user:bob")));
        DocumentWrite stale = new DocumentWrite(
                tenant,
                "cas",
                "Cas",
                null,
                null,
                "text/plain",
                Map.of(),
                "not-the-stored-hash",
                "g",
                "m",
                null,
                List.of(),
                null);
        assertThrows(ConcurrentChangeException.class, () -> documents.save(stale));
        assertTrue(finds("bob", "first text", "cas"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void concurrentPutsNeverMixTextAndGrants() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 8; i++) {
                String id = "race-" + i;
                String plain = "The quarterly figures are attached.";
                api.put(admin, id, Map.of("title", "Figures", "text", plain, "viewers", List.of("user:bob")));
                // One PUT changes only the grants (its content is what is stored), the other only the text.
                Future<?> grants = pool.submit(() -> api.put(
                        admin, id, Map.of("title", "Figures", "text", plain, "viewers", List.of("user:carol"))));
                Future<?> text = pool.submit(() -> api.put(
                        admin,
                        id,
                        Map.of(
                                "title",
                                "Figures",
                                "text",
                                "Confidential: the takeover target is Zephyrcorp.",
                                "viewers",
                                List.of("user:bob"))));
                grants.get(30, TimeUnit.SECONDS);
                text.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        // Whatever order the two landed in, carol never reads the text written for bob alone.
        HttpResponse<Map> carol =
                api.search(IDP.token("carol", tenant, ""), Map.of("query", "takeover target Zephyrcorp", "topK", 50));
        List<Map<String, Object>> results =
                (List<Map<String, Object>>) carol.body().get("results");
        assertTrue(
                results.stream().noneMatch(r -> String.valueOf(r.get("text")).contains("Zephyrcorp")),
                "carol read text written for bob alone: " + results);
    }
}
