package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Agents, revocation and tenants, on real servers. */
@MicronautTest
class AccessChangesIT extends IntegrationTest {

    @Inject
    @Client("/")
    HttpClient client;

    Api api;
    String admin;

    @BeforeAll
    void setUp() {
        api = new Api(client.toBlocking());
        admin = IDP.token("loader", tenant, "documents:write relationships:write");
    }

    @Test
    void anAgentSeesOnlyWhatBothItAndItsUserMayView() {
        put(admin, "both", "Incident review of the payment outage", List.of("user:dave", "agent:helpdesk"));
        put(admin, "user-only", "Incident review of the login outage", List.of("user:dave"));
        put(admin, "agent-only", "Incident review of the search outage", List.of("agent:helpdesk"));

        assertEquals(
                Set.of("both", "user-only"),
                Set.copyOf(api.searchIds(IDP.token("dave", tenant, ""), "incident review outage", 10)));
        assertEquals(
                List.of("both"),
                api.searchIds(IDP.agentToken("dave", tenant, "helpdesk"), "incident review outage", 10));
        // The agent acting for someone else gets only what that user may see.
        assertEquals(
                List.of(), api.searchIds(IDP.agentToken("erin", tenant, "helpdesk"), "incident review outage", 10));
    }

    @Test
    void aRevokedViewerLosesTheDocumentOnTheNextRequest() {
        put(admin, "memo", "Memo about the office move to the new building", List.of("user:frank", "user:grace"));
        String frank = IDP.token("frank", tenant, "");
        assertEquals(List.of("memo"), api.searchIds(frank, "office move", 5));

        api.relationships(admin, List.of(), List.of(Api.tuple("user:frank", "viewer", "document:memo")));
        assertEquals(List.of(), api.searchIds(frank, "office move", 5));
        assertEquals(404, api.get(frank, "memo").getStatus().getCode());
        assertEquals(List.of("memo"), api.searchIds(IDP.token("grace", tenant, ""), "office move", 5));
    }

    @Test
    void oneTenantNeverSeesAnothersDocumentWithIdenticalText() {
        String first = "t" + UUID.randomUUID().toString().substring(0, 8);
        String other = "t" + UUID.randomUUID().toString().substring(0, 8);
        String otherAdmin = IDP.token("loader", other, "documents:write relationships:write");
        String text = "Acquisition target shortlist for the board meeting";
        put(IDP.token("loader", first, "documents:write relationships:write"), "shortlist", text, List.of("user:*"));
        put(otherAdmin, "shortlist", text, List.of("user:henry"));

        // Same id, same text, a public grant in the first tenant: the second tenant's users see nothing of it.
        assertEquals(List.of(), api.searchIds(IDP.token("ivan", other, ""), "acquisition shortlist", 5));
        assertEquals(
                404,
                api.get(IDP.token("ivan", other, ""), "shortlist").getStatus().getCode());
        assertEquals(List.of("shortlist"), api.searchIds(IDP.token("henry", other, ""), "acquisition shortlist", 5));
        // Henry's own grant is in the second tenant: with a token of the first he sees only the public copy.
        assertEquals(List.of("shortlist"), api.searchIds(IDP.token("henry", first, ""), "acquisition shortlist", 5));
        assertEquals(List.of("shortlist"), api.searchIds(IDP.token("ivan", first, ""), "acquisition shortlist", 5));
    }

    @Test
    void aChangeLargerThanOneOpenFgaTransactionIsAppliedWhole() {
        put(admin, "roster", "Team roster for the offsite", List.of());
        List<Map<String, String>> many = new java.util.ArrayList<>();
        for (int i = 0; i < 130; i++) {
            many.add(Api.tuple("user:member" + i, "viewer", "document:roster"));
        }
        assertEquals(200, api.relationships(admin, many, List.of()).getStatus().getCode());
        for (int i : new int[] {0, 64, 99, 100, 129}) {
            assertEquals(List.of("roster"), api.searchIds(IDP.token("member" + i, tenant, ""), "team roster", 3));
        }
        // 130 deletions and one addition: two transactions, deletions first.
        assertEquals(
                200,
                api.relationships(admin, List.of(Api.tuple("user:newcomer", "viewer", "document:roster")), many)
                        .getStatus()
                        .getCode());
        for (int i : new int[] {0, 99, 129}) {
            assertEquals(List.of(), api.searchIds(IDP.token("member" + i, tenant, ""), "team roster", 3));
        }
        assertEquals(List.of("roster"), api.searchIds(IDP.token("newcomer", tenant, ""), "team roster", 3));
    }

    @Test
    void relationshipsCannotReachIntoAnotherTenant() {
        Map<?, ?> problem = api.relationships(
                        admin, List.of(Api.tuple("user:mallory", "viewer", "document:../other/secret")), List.of())
                .getBody(Map.class)
                .orElseThrow();
        assertEquals(400, problem.get("status"));
        assertEquals(
                400,
                api.relationships(
                                IDP.token("loader", tenant, "documents:write relationships:write"),
                                List.of(Api.tuple("bob", "viewer", "document:x")),
                                List.of())
                        .getStatus()
                        .getCode());
    }

    private void put(String token, String id, String text, List<String> viewers) {
        int status = api.put(token, id, Map.of("title", id, "text", text, "viewers", viewers))
                .getStatus()
                .getCode();
        assertTrue(status == 201 || status == 200, "PUT " + id + " -> " + status);
    }
}
