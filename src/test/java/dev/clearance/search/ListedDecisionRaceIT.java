package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.HeldReader;
import dev.clearance.testsupport.HttpFaultProxy;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Text travels with its own grants (docs/consistency.md, invariant 3) when the decision is not a
 * check of the document but a list or a caller's expansion (ADR 0015), made before the text was
 * read. The reader reaches OpenFGA through a proxy that holds the answers of Read calls (the
 * expansion reads the caller's own grants): OpenFGA answers "alice holds a grant on the memo", and
 * while that answer is held the memo is re-PUT for bob alone through the writer. The pre-filter then
 * reads the new text; it must not reach alice under the answer given for the old rules.
 */
class ListedDecisionRaceIT extends IntegrationTest {

    private static final String MEMO = "memo";
    private static final String NEW_MARK = "NEWMARK";

    private HeldReader pair;
    private HttpFaultProxy fga;
    private Api api;
    private Api writer;

    @BeforeAll
    void start() {
        // Only the searches of this instance may call Read while an answer is held.
        pair = new HeldReader(getProperties(), "/read", Map.of("clearance.access.reconcile-interval", "0"));
        fga = pair.fga;
        api = pair.reader;
        writer = pair.writer;
    }

    @AfterAll
    void stop() {
        pair.close();
    }

    @Test
    void aListedDecisionNeverCarriesTextWrittenAfterIt() throws Exception {
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        put(admin, "Old lighthouse plan for alice: repaint the tower.", "user:alice");
        String alice = IDP.token("alice", tenant, "");
        // The reader resolves its store and opens its connections before any answer is held.
        assertEquals(List.of(MEMO), api.searchIds(alice, "lighthouse plan", 5));
        // A change in the tenant retires alice's expansion: her next search expands her again.
        HttpResponse<Map> other = writer.put(
                admin, "other", Map.of("title", "Other", "text", "Harbour dues.", "viewers", List.of("user:carol")));
        assertEquals(Boolean.TRUE, other.body().get("searchable"), String.valueOf(other.body()));
        fga.resetCounts();
        fga.delayAnswers(HeldReader.HOLD);
        HttpResponse<Map> response = pair.across(
                () -> api.search(alice, Map.of("query", "lighthouse plan", "topK", 5, "strategy", "prefilter")),
                () -> put(admin, "New lighthouse plan for bob: sell the tower. " + NEW_MARK, "user:bob"));
        assertEquals(200, response.getStatus().getCode(), String.valueOf(response.getBody(Map.class)));
        String body = String.valueOf(response.body());
        assertFalse(body.contains(NEW_MARK), "alice got bob's new text under her old grant: " + body);
        assertEquals(List.of(), api.searchIds(alice, "lighthouse plan", 5), "alice still finds the memo");
        assertEquals(List.of(MEMO), api.searchIds(IDP.token("bob", tenant, ""), "lighthouse plan", 5));
    }

    private void put(String admin, String text, String viewer) {
        HttpResponse<Map> put =
                writer.put(admin, MEMO, Map.of("title", "Lighthouse plan", "text", text, "viewers", List.of(viewer)));
        assertEquals(Boolean.TRUE, put.body().get("searchable"), String.valueOf(put.body()));
    }
}
