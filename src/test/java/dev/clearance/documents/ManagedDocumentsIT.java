package dev.clearance.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Documents written under a writer's name (managedBy) and the listing of them, on real servers:
 * pages, tenants, other writers, a new writer on an unchanged document, refused requests.
 */
@MicronautTest
class ManagedDocumentsIT extends IntegrationTest {

    @Inject
    @Client("/")
    HttpClient client;

    Api api;
    String writer;

    @BeforeAll
    void setUp() {
        api = new Api(client.toBlocking());
        writer = IDP.token("loader", tenant, "documents:write");
    }

    @Test
    void listsAWritersDocumentsPageByPageInItsOwnTenantOnly() {
        for (String id : List.of("p-3", "p-1", "p-2")) {
            assertEquals(
                    201,
                    put(writer, id, "Pages of the job's handbook, part " + id, "job:pages")
                            .code());
        }
        put(writer, "p-other", "A page of another job's handbook", "job:other");
        put(writer, "p-none", "A page written by hand", null);
        String elsewhere =
                IDP.token("loader", "t" + UUID.randomUUID().toString().substring(0, 8), "documents:write");
        put(elsewhere, "p-4", "A page of the same job in another tenant", "job:pages");

        Map<?, ?> first = list(writer, "managedBy=job:pages&limit=2");
        assertEquals(List.of(Map.of("id", "p-1"), Map.of("id", "p-2")), first.get("documents"));
        assertEquals("p-2", first.get("next"));
        Map<?, ?> second = list(writer, "managedBy=job:pages&limit=2&after=p-2");
        assertEquals(List.of(Map.of("id", "p-3")), second.get("documents"));
        assertFalse(second.containsKey("next"), "the last page has no next: " + second);
        assertEquals(List.of("p-1", "p-2", "p-3"), ids(list(writer, "managedBy=job:pages")));
        assertEquals(List.of("p-4"), ids(list(elsewhere, "managedBy=job:pages")));
        assertEquals(List.of(), ids(list(writer, "managedBy=job:nobody")));
    }

    @Test
    void anUnchangedDocumentTakesItsNewWriterWithoutBeingEmbeddedAgain() {
        String text = "Expense policy: receipts are required for every claim above twenty euros.";
        assertEquals(201, put(writer, "expenses", text, "job:old").code());
        Put taken = put(writer, "expenses", text, "job:new");
        assertEquals(200, taken.code());
        assertEquals("unchanged", taken.status());
        assertEquals(List.of("expenses"), ids(list(writer, "managedBy=job:new")));
        assertEquals(List.of(), ids(list(writer, "managedBy=job:old")));

        // Without a name the document belongs to no writer any more, like any field a PUT leaves out.
        assertEquals("unchanged", put(writer, "expenses", text, null).status());
        assertEquals(List.of(), ids(list(writer, "managedBy=job:new")));
    }

    @Test
    void refusesBadNamesBadLimitsAndCallersWhoCannotWrite() {
        assertEquals(
                400, put(writer, "bad-name", "Some text", "-starts-with-a-dash").code());
        assertEquals(400, put(writer, "bad-name", "Some text", "x".repeat(101)).code());
        assertEquals(400, status(writer, "managedBy=has%20space"));
        assertEquals(400, status(writer, "managedBy=job:a&limit=0"));
        assertEquals(400, status(writer, "managedBy=job:a&limit=1001"));
        assertEquals(400, status(writer, ""));
        assertEquals(403, status(IDP.token("reader", tenant, "relationships:write"), "managedBy=job:a"));
        assertEquals(401, status(null, "managedBy=job:a"));
    }

    private record Put(int code, String status) {}

    private Put put(String token, String id, String text, String managedBy) {
        Map<String, Object> body = new HashMap<>(Map.of("title", id, "text", text, "viewers", List.of("user:dana")));
        if (managedBy != null) {
            body.put("managedBy", managedBy);
        }
        HttpResponse<Map> response = api.put(token, id, body);
        Map<?, ?> result = response.getBody().orElse(Map.of());
        return new Put(response.getStatus().getCode(), String.valueOf(result.get("status")));
    }

    private Map<?, ?> list(String token, String query) {
        HttpResponse<Map> response = api.exchange(HttpRequest.GET("/v1/documents?" + query), token);
        assertEquals(200, response.getStatus().getCode(), String.valueOf(response.getBody()));
        return response.body();
    }

    private int status(String token, String query) {
        return api.exchange(HttpRequest.GET("/v1/documents?" + query), token)
                .getStatus()
                .getCode();
    }

    private static List<String> ids(Map<?, ?> page) {
        return ((List<?>) page.get("documents"))
                .stream().map(d -> String.valueOf(((Map<?, ?>) d).get("id"))).toList();
    }
}
