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
 * The adaptive search's shortcut for a caller seen for the first time (ADR 0015): its list is the
 * union of lists that other members of its group cached in the epoch the search read. Those lists are
 * decisions made before the search began, so text written after them must not travel under them
 * (docs/consistency.md, invariant 3). The reader reaches OpenFGA through a proxy that holds the
 * answer to the new caller's expansion (a Read call); while it is held, the memo is re-PUT into a
 * folder the caller's group cannot view. The search then ranks the memo's new text from the cached
 * lists; it must not return it.
 */
class NewCallerListRaceIT extends IntegrationTest {

    private static final String MEMO = "memo";
    private static final String NEW_MARK = "NEWMARK";
    private static final String QUERY = "lighthouse plan";

    private HeldReader pair;

    @BeforeAll
    void start() {
        pair = new HeldReader(getProperties(), "/read", Map.of());
    }

    @AfterAll
    void stop() {
        pair.close();
    }

    @Test
    void cachedListsOfAnEarlierEpochNeverCarryNewText() throws Exception {
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        pair.putInFolder(admin, MEMO, "Old lighthouse plan: repaint the tower.", "legal");
        pair.putInFolder(admin, "chart", "Lighthouse chart of the harbour approach.", "legal");
        // Enough documents outside the group's folder that its members see a tenth of the tenant:
        // below the share at which the adaptive search goes straight to the pre-filter.
        pair.fillElsewhere(admin, "note-", 18);
        pair.groupViewsItsFolder(admin, "legal", "ana", "ben");
        // Ana, the first member to search, caches her group's list for this epoch on the reader.
        assertEquals(List.of("chart", MEMO), sorted(pair.reader.searchIds(IDP.token("ana", tenant, ""), QUERY, 5)));

        pair.fga.resetCounts();
        pair.fga.delayAnswers(HeldReader.HOLD);
        // Ben has never searched: his share comes from ana's cached lists once his expansion returns.
        String ben = IDP.token("ben", tenant, "audit:read");
        HttpResponse<Map> response = pair.across(
                () -> pair.reader.search(ben, Map.of("query", QUERY, "topK", 5)),
                () -> pair.putInFolder(admin, MEMO, "New lighthouse plan: sell the tower. " + NEW_MARK, "vault"));
        assertEquals(200, response.getStatus().getCode(), String.valueOf(response.getBody(Map.class)));
        Map<?, ?> body = response.body();
        assertFalse(String.valueOf(body).contains(NEW_MARK), "ben got the memo's new text: " + body);
        // The search did take the shortcut: one round, the pre-filter, from the cached lists.
        Map<?, ?> diagnostics = (Map<?, ?>) body.get("diagnostics");
        assertEquals("adaptive-prefilter", diagnostics.get("strategy"), String.valueOf(diagnostics));
        assertEquals(1, diagnostics.get("rounds"), String.valueOf(diagnostics));
        assertEquals(List.of("chart"), pair.reader.searchIds(ben, QUERY, 5), "the memo is in the vault now");
    }

    private static List<String> sorted(List<String> ids) {
        return ids.stream().sorted().toList();
    }
}
