package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.ServiceInstance;
import io.micronaut.http.HttpResponse;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A caller seen for the first time is pre-filtered in one round when it sees little (ADR 0015): in a
 * small tenant its lists are fetched before its first round; in a large one (here: listing first
 * turned off) only when another member of its groups searched in this access epoch, so that their
 * lists are cached, and the first member finds out its share in a post-filter round. The answers stay
 * exactly what each caller may view, and a membership removed through the service is not served from
 * lists of the epoch before.
 */
@MicronautTest(startApplication = false)
class NewCallerShareIT extends IntegrationTest {

    private static final int DOCUMENTS = 30;
    private static final String QUERY = "contract renewal terms";

    private static void ok(HttpResponse<Map> response) {
        assertTrue(response.getStatus().getCode() < 300, () -> response.getStatus() + " " + response.getBody());
    }

    @Test
    void aNewMemberOfAListedGroupIsPrefilteredInOneRound() {
        // Listing first off, as in a tenant with more documents than clearance.search.list-new-callers-up-to.
        newCallers(tenant, Map.of("clearance.search.list-new-callers-up-to", "0"), 2, 1);
    }

    @Test
    void inASmallTenantEvenTheFirstMemberIsPrefilteredInOneRound() {
        newCallers(tenant + "-small", Map.of(), 1, 1);
    }

    /**
     * Without subject sharing a caller's list is its own, which no other caller would reuse: it is
     * not fetched before the first round, and every new caller learns its share in a post-filter round.
     */
    @Test
    void withoutSharedSubjectsNoListIsFetchedForANewCaller() {
        newCallers(tenant + "-alone", Map.of("clearance.authz.cache.share-subjects", "false"), 2, 2);
    }

    /**
     * {@code firstRounds}: the rounds of the first member of the group to search; {@code laterRounds}:
     * those of the callers new after it (ben, of the same group, and carl, granted one document).
     */
    private void newCallers(String tenant, Map<String, String> overrides, int firstRounds, int laterRounds) {
        try (ServiceInstance service = new ServiceInstance(getProperties(), overrides)) {
            String admin = IDP.token("loader", tenant, "documents:write relationships:write");
            Set<String> legal = new TreeSet<>();
            for (int d = 0; d < DOCUMENTS; d++) {
                String id = "doc-" + d;
                String folder = d % 10 == 0 ? "legal" : "general";
                if (folder.equals("legal")) {
                    legal.add(id);
                }
                ok(service.api.put(
                        admin,
                        id,
                        Map.of("title", id, "text", "Contract renewal terms, note " + d + ".", "folder", folder)));
            }
            ok(service.api.relationships(
                    admin,
                    List.of(
                            Api.tuple("group:legal#member", "viewer", "folder:legal"),
                            Api.tuple("user:ana", "member", "group:legal"),
                            Api.tuple("user:ben", "member", "group:legal"),
                            Api.tuple("user:carl", "viewer", "document:doc-7")),
                    List.of()));

            // Ana is the first of her group: her group's list is fetched first (one round), or her
            // search finds out her share in a post-filter round (two).
            Map<String, Object> ana = search(service, tenant, "ana");
            assertEquals(legal, ids(ana));
            assertEquals("adaptive-prefilter", diagnostics(ana).get("strategy"));
            assertEquals(firstRounds, diagnostics(ana).get("rounds"));

            // Ben, new too, shares her group, whose list is now cached: the pre-filter at once.
            Map<String, Object> ben = search(service, tenant, "ben");
            assertEquals(legal, ids(ben));
            assertEquals("adaptive-prefilter", diagnostics(ben).get("strategy"));
            assertEquals(laterRounds, diagnostics(ben).get("rounds"));

            // Carl sees one document granted to him directly (and what user:* may view, nothing).
            Map<String, Object> carl = search(service, tenant, "carl");
            assertEquals(Set.of("doc-7"), ids(carl));
            assertEquals(laterRounds, diagnostics(carl).get("rounds"));

            // Ben leaves the group through the service: the lists of the epoch before do not serve him.
            ok(service.api.relationships(admin, List.of(), List.of(Api.tuple("user:ben", "member", "group:legal"))));
            assertEquals(Set.of(), ids(search(service, tenant, "ben")), "revoked on the next request");
            assertEquals(legal, ids(search(service, tenant, "ana")));
        }
    }

    private static Map<String, Object> search(ServiceInstance service, String tenant, String user) {
        // An auditor's token: the same access as the user, plus diagnostics in the answer.
        String token = IDP.token(user, tenant, "audit:read");
        HttpResponse<Map> response = service.api.search(token, Map.of("query", QUERY, "topK", 5));
        ok(response);
        @SuppressWarnings("unchecked")
        Map<String, Object> body = response.body();
        return body;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> ids(Map<String, Object> body) {
        Set<String> ids = new TreeSet<>();
        for (Map<String, Object> r : (List<Map<String, Object>>) body.get("results")) {
            ids.add((String) r.get("documentId"));
        }
        return ids;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> diagnostics(Map<String, Object> body) {
        return (Map<String, Object>) body.get("diagnostics");
    }
}
