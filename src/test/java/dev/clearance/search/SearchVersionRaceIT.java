package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.HeldReader;
import dev.clearance.testsupport.HttpFaultProxy;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Text travels with its own grants (docs/consistency.md, invariant 3) while a document is replaced
 * in the middle of a search. Two instances share the database: the reader reaches OpenFGA through a
 * proxy that holds BatchCheck calls; while one is held, the document is re-PUT through the writer
 * (straight to OpenFGA) with new text and a different reader. Whatever the timing, a search never
 * returns the new text under the decision made for the old reader, nor the old text to the new
 * reader, and a GET never shows the new reader the old metadata.
 *
 * <p>Each test first proves the race really happened: the re-PUT was acknowledged while the search
 * (or GET) was still waiting for the held check.
 */
class SearchVersionRaceIT extends IntegrationTest {

    private static final String MEMO = "memo";
    private static final String OLD_MARK = "OLDMARK";
    private static final String NEW_MARK = "NEWMARK";
    private static final String QUERY = "lighthouse plan";

    private HeldReader pair;
    private HttpFaultProxy fga;
    private Api api;
    private Api writer;
    private String admin;
    private int round;
    /**
     * Not the common fork-join pool: on a two-core machine it has one worker, and the OpenFGA client
     * completes its calls there, so a request blocking that worker would stall every check.
     */
    @BeforeAll
    void start() {
        // A second round must run while a check is held: HeldReader gives the search 60 s.
        pair = new HeldReader(getProperties(), "/batch-check", Map.of());
        fga = pair.fga;
        api = pair.reader;
        writer = pair.writer;
        admin = IDP.token("loader", tenant, "documents:write relationships:write");
        // Filler that nobody in the tests may read: more chunks than the first window of a top-5
        // search (20), so a post-filter search needs a second round.
        for (int i = 0; i < 40; i++) {
            put("filler-" + i, "Filler " + i, "Harbour maintenance schedule number " + i + ".", "user:carol");
        }
        // The reader resolves its OpenFGA store and opens its connections before any check is held.
        assertEquals(List.of(), api.searchIds(IDP.token("bob", tenant, ""), "harbour maintenance", 5));
    }

    @AfterAll
    void stop() {
        pair.close();
    }

    @BeforeEach
    void oldVersionForAlice() {
        round++;
        fga.delay(Duration.ZERO);
        fga.delayAnswers(Duration.ZERO);
        put(MEMO, "Old memo " + round, oldText(), "user:alice");
        fga.resetCounts();
    }

    @AfterEach
    void release() {
        fga.delay(Duration.ZERO);
        fga.delayAnswers(Duration.ZERO);
    }

    /**
     * Bob's search reads the old text (alice's only), its check is held before it reaches OpenFGA,
     * and the re-PUT gives the document to bob: OpenFGA now says yes to bob, but for new rules.
     */
    @Test
    void theNewReaderNeverGetsTheOldText() throws Exception {
        fga.delay(HeldReader.HOLD);
        String bob = IDP.token("bob", tenant, "");
        String body = bodyOf(pair.across(
                () -> api.search(bob, Map.of("query", QUERY, "topK", 5, "strategy", "postfilter")), this::rePutForBob));
        assertFalse(body.contains(OLD_MARK), "bob got alice's old text: " + body);
    }

    /**
     * Alice's search checks the old version (allowed) and learns the answer only after the re-PUT
     * gave the document to bob; its second round then reads the new text. The decision for the old
     * rules must not be reused for the new text.
     */
    @Test
    void theOldReaderNeverGetsTheNewText() throws Exception {
        fga.delayAnswers(HeldReader.HOLD);
        String alice = IDP.token("alice", tenant, "");
        String body = bodyOf(pair.across(
                () -> api.search(alice, Map.of("query", QUERY, "topK", 5, "strategy", "postfilter")),
                this::rePutForBob));
        assertFalse(body.contains(NEW_MARK), "alice got the new text under the old decision: " + body);
        assertTrue(fga.received() >= 2, "the search never checked a second round: " + fga.received());
    }

    /** Bob's GET reads the old row, its check is held, the re-PUT gives the document to bob. */
    @Test
    void aGetNeverShowsTheNewReaderTheOldMetadata() throws Exception {
        fga.delay(HeldReader.HOLD);
        String bob = IDP.token("bob", tenant, "");
        HttpResponse<Map> response = pair.across(() -> api.get(bob, MEMO), this::rePutForBob);
        String body = String.valueOf(response.getBody(Map.class).orElse(null));
        assertFalse(body.contains("Old memo"), "bob got alice's old metadata: " + body);
        assertEquals(200, api.get(bob, MEMO).getStatus().getCode());
    }

    /** The change of every race: the document goes to bob, acknowledged once OpenFGA holds his grant. */
    private void rePutForBob() {
        HttpResponse<Map> put = writer.put(
                admin, MEMO, Map.of("title", "New memo " + round, "text", newText(), "viewers", List.of("user:bob")));
        assertEquals(Boolean.TRUE, put.body().get("searchable"), String.valueOf(put.body()));
    }

    private String oldText() {
        return "Old lighthouse plan for alice: repaint the tower. " + OLD_MARK;
    }

    private String newText() {
        return "New lighthouse plan for bob: sell the tower. " + NEW_MARK;
    }

    private static String bodyOf(HttpResponse<Map> response) {
        assertEquals(200, response.getStatus().getCode(), String.valueOf(response.getBody(Map.class)));
        return String.valueOf(response.body());
    }

    private void put(String id, String title, String text, String viewer) {
        int status = writer.put(admin, id, Map.of("title", title, "text", text, "viewers", List.of(viewer)))
                .getStatus()
                .getCode();
        assertTrue(status == 200 || status == 201, id + " answered " + status);
    }
}
