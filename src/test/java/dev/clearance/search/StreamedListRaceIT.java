package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.clearance.testsupport.HeldReader;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pre-filter's list comes from OpenFGA's StreamedListObjects (ADR 0015): a decision for every
 * document in it, made when OpenFGA answered, not when the search reads the text. The reader reaches
 * OpenFGA through a proxy that holds the streamed answer of the group's list; while it is held, the
 * memo is re-PUT into a folder the group cannot view. The answer arrives naming the memo, and the
 * pre-filter reads its new text; that text must not reach alice (docs/consistency.md, invariant 3).
 */
class StreamedListRaceIT extends IntegrationTest {

    private static final String MEMO = "memo";
    private static final String NEW_MARK = "NEWMARK";
    private static final String QUERY = "lighthouse plan";

    private HeldReader pair;

    @BeforeAll
    void start() {
        // A list that takes longer than 90 % of OpenFGA's deadline counts as cut and is not used: the
        // reader is told of a deadline that the held answer stays well within.
        pair = new HeldReader(
                getProperties(), "/streamed-list-objects", Map.of("clearance.fga.list-objects.deadline", "60s"));
    }

    @AfterAll
    void stop() {
        pair.close();
    }

    @Test
    void aStreamedListNeverCarriesTextWrittenAfterIt() throws Exception {
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        pair.putInFolder(admin, MEMO, "Old lighthouse plan: repaint the tower.", "legal");
        pair.putInFolder(admin, "chart", "Lighthouse chart of the harbour approach.", "legal");
        pair.groupViewsItsFolder(admin, "legal", "alice");
        String alice = IDP.token("alice", tenant, "");
        Map<String, Object> prefilter = Map.of("query", QUERY, "topK", 5, "strategy", "prefilter");
        // The reader resolves its store and opens its connections before any answer is held.
        assertEquals(List.of("chart", MEMO), ids(pair.reader.search(alice, prefilter)));
        // A change in the tenant retires the cached lists: the next search streams the group's again.
        pair.putInFolder(admin, "other", "Harbour dues.", "general");

        pair.fga.resetCounts();
        pair.fga.delayAnswers(HeldReader.HOLD);
        HttpResponse<Map> response = pair.across(
                () -> pair.reader.search(alice, prefilter),
                () -> pair.putInFolder(admin, MEMO, "New lighthouse plan: sell the tower. " + NEW_MARK, "vault"));
        assertEquals(200, response.getStatus().getCode(), String.valueOf(response.getBody(Map.class)));
        String body = String.valueOf(response.body());
        assertFalse(body.contains(NEW_MARK), "alice got the memo's new text under the held list: " + body);
        assertEquals(List.of("chart"), ids(response), body);
        assertEquals(List.of("chart"), ids(pair.reader.search(alice, prefilter)), "the memo is in the vault now");
    }

    /**
     * The same race on the path of a caller seen for the first time in a small tenant: its group's
     * list is streamed before its first round (clearance.search.list-new-callers-up-to), and the
     * search goes straight to the pre-filter with it.
     */
    @Test
    void aNewCallersListFetchedBeforeItsFirstRoundNeverCarriesTextWrittenAfterIt() throws Exception {
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        String memo = "memo-b";
        pair.putInFolder(admin, memo, "Old beacon schedule: light at dusk.", "ops");
        pair.putInFolder(admin, "chart-b", "Beacon chart of the northern cape.", "ops");
        // Enough documents that bob, who sees two, sees less than the pre-filter threshold (20 %).
        pair.fillElsewhere(admin, "harbour-", 10);
        pair.groupViewsItsFolder(admin, "ops", "carol", "bob");
        Map<String, Object> adaptive = Map.of("query", "beacon schedule", "topK", 5);
        // Carol warms the reader up; bob, whose first search is the one measured, has not searched.
        assertEquals(List.of("chart-b", memo), ids(pair.reader.search(IDP.token("carol", tenant, ""), adaptive)));
        // A change in the tenant retires the cached lists: bob's search must stream the group's list.
        pair.putInFolder(admin, "other-b", "Harbour dues, northern cape.", "general");

        pair.fga.resetCounts();
        pair.fga.delayAnswers(HeldReader.HOLD);
        // An auditor's token: bob's access, and the diagnostics that show the path taken.
        String bob = IDP.token("bob", tenant, "audit:read");
        HttpResponse<Map> response = pair.across(
                () -> pair.reader.search(bob, adaptive),
                () -> pair.putInFolder(admin, memo, "New beacon schedule: dark all night. " + NEW_MARK, "vault"));
        String body = String.valueOf(response.body());
        assertFalse(body.contains(NEW_MARK), "bob got the memo's new text under the held list: " + body);
        assertEquals(List.of("chart-b"), ids(response), body);
        Map<?, ?> diagnostics = (Map<?, ?>) response.body().get("diagnostics");
        assertEquals("adaptive-prefilter", diagnostics.get("strategy"), body);
        assertEquals(1, diagnostics.get("rounds"), "listed before the first round, no post-filter round: " + body);
    }

    @SuppressWarnings("unchecked")
    private static List<String> ids(HttpResponse<Map> response) {
        assertEquals(200, response.getStatus().getCode(), String.valueOf(response.getBody(Map.class)));
        return ((List<Map<String, Object>>) response.body().get("results"))
                .stream().map(r -> (String) r.get("documentId")).sorted().toList();
    }
}
