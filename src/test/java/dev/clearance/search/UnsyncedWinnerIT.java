package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pgvector.PGvector;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.Corpus;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exact paths rank chunks before they look at their documents, and must still answer with the
 * nearest chunks of documents whose grants are synced. Here the nearest document of all has a grant
 * write in flight (its access-rule version is ahead of the version synced to OpenFGA, as between
 * the two steps of a write): it must be left out, and the answer must still be full, i.e. the next
 * nearest chunks, exactly as a scan that joins every chunk to its document finds them.
 */
@MicronautTest
class UnsyncedWinnerIT extends IntegrationTest {

    private static final int DOCUMENTS = 30;
    private static final int LIMIT = 8;
    private static final String NEAREST = "doc-7";

    @Inject
    @Client("/")
    HttpClient client;

    @Inject
    DataSource dataSource;

    @Inject
    ChunkSearchRepository chunks;

    final List<String> all = new ArrayList<>();

    @BeforeAll
    void load() throws SQLException {
        Api api = new Api(client.toBlocking());
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        Map<String, Map<String, Object>> documents = new LinkedHashMap<>();
        for (int i = 0; i < DOCUMENTS; i++) {
            String id = "doc-" + i;
            all.add(id);
            documents.put(
                    id,
                    Map.of("title", "Planning " + i, "text", Corpus.similarText(i), "viewers", List.of("user:ann")));
        }
        Corpus.load(api, admin, documents);
    }

    @Test
    void aWinnerWhoseGrantsAreNotSyncedIsLeftOutAndTheAnswerStaysFull() throws SQLException {
        float[] query = embeddingOf(NEAREST);
        List<Candidate> before = chunks.exactWithin(tenant, query, "planning", LIMIT, all);
        assertEquals(NEAREST, before.getFirst().documentId(), "the query is the document's own vector");
        List<Candidate> exactBefore = chunks.nearest(tenant, query, "planning", LIMIT, List.of(), true);
        assertEquals(ids(before), ids(exactBefore), "both exact paths rank alike");

        setVersionAhead(NEAREST, true);
        try {
            List<Candidate> within = chunks.exactWithin(tenant, query, "planning", LIMIT, all);
            List<Candidate> exact = chunks.nearest(tenant, query, "planning", LIMIT, List.of(), true);
            List<Long> expected = before.stream()
                    .filter(c -> !c.documentId().equals(NEAREST))
                    .map(Candidate::chunkId)
                    .toList();
            for (List<Candidate> answer : List.of(within, exact)) {
                assertEquals(LIMIT, answer.size(), "still a full answer");
                assertFalse(
                        answer.stream().anyMatch(c -> c.documentId().equals(NEAREST)),
                        "the document with a write in flight is not a candidate");
                assertTrue(
                        ids(answer).containsAll(expected),
                        "every other winner of the synced state is still there: " + ids(answer));
                for (int i = 1; i < answer.size(); i++) {
                    assertTrue(answer.get(i - 1).similarity() >= answer.get(i).similarity(), "nearest first");
                }
            }
        } finally {
            setVersionAhead(NEAREST, false);
        }
    }

    private static List<Long> ids(List<Candidate> candidates) {
        return candidates.stream().map(Candidate::chunkId).toList();
    }

    private float[] embeddingOf(String document) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT embedding::text FROM chunks WHERE tenant = ? AND document_id = ?"
                                + " ORDER BY ordinal LIMIT 1")) {
            s.setString(1, tenant);
            s.setString(2, document);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next(), "the document has a chunk");
                return new PGvector(rs.getString(1)).toArray();
            }
        }
    }

    /** A version ahead of the synced one is what a grant write leaves between its two steps. */
    private void setVersionAhead(String document, boolean ahead) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE documents SET acl_version = acl_synced_version + ? WHERE tenant = ? AND id = ?")) {
            s.setInt(1, ahead ? 1 : 0);
            s.setString(2, tenant);
            s.setString(3, document);
            assertEquals(1, s.executeUpdate());
        }
    }
}
