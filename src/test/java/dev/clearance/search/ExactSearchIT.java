package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pgvector.PGvector;
import dev.clearance.embed.Embedder;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.Corpus;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.Vectors;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tenant below {@code clearance.search.exact-max-chunks} gets the true nearest chunks it may see:
 * the results are compared with cosine similarities computed here, in Java, from the stored vectors
 * and the grants as written (no index, no OpenFGA). Vector-only ranking, so the oracle is defined.
 */
@MicronautTest
class ExactSearchIT extends IntegrationTest {

    private static final int DOCUMENTS = 300;
    private static final int TOP_K = 10;
    private static final List<String> QUERIES = List.of(
            "quarterly planning revenue forecast",
            "hiring plan of the security team",
            "vendor delays and on-call load",
            "roadmap for the next quarter of the mobile team",
            "payments team number 42");

    @Inject
    @Client("/")
    HttpClient client;

    @Inject
    DataSource dataSource;

    @Inject
    Embedder embedder;

    @Inject
    MeterRegistry meters;

    Api api;
    final Set<String> daves = new HashSet<>();
    /** Fay may view a tenth of the documents: her searches take the pre-filter. */
    final Set<String> fays = new HashSet<>();

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("clearance.search.hybrid", "false");
    }

    @BeforeAll
    void loadCorpus() {
        api = new Api(client.toBlocking());
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        Map<String, Map<String, Object>> documents = new LinkedHashMap<>();
        for (int i = 0; i < DOCUMENTS; i++) {
            String id = "doc-" + i;
            List<String> viewers = new ArrayList<>(List.of(i % 3 == 0 ? "user:dave" : "user:erin"));
            if (i % 3 == 0) {
                daves.add(id);
            }
            if (i % 10 == 1) {
                viewers.add("user:fay");
                fays.add(id);
            }
            documents.put(id, Map.of("title", "Planning " + i, "text", Corpus.similarText(i), "viewers", viewers));
        }
        Corpus.load(api, admin, documents);
    }

    @Test
    void resultsAreTheTrueNearestChunksTheCallerMayView() throws SQLException {
        double exactBefore = queries("nearest_exact");
        double approximateBefore = queries("nearest");
        assertTrueNearest("dave", daves, List.of("adaptive", "postfilter"));
        assertTrue(queries("nearest_exact") > exactBefore, "the exact scan ran");
        assertEquals(approximateBefore, queries("nearest"), "the HNSW query did not run");
    }

    /**
     * The pre-filter's ranking among the listed documents is exact too. It once was served by the
     * HNSW index, which applied the list after its approximate window and returned too few chunks.
     */
    @Test
    void aCallerWhoSeesATenthGetsTheTrueNearestChunksThroughThePrefilter() throws SQLException {
        double withinBefore = queries("exact_within");
        assertTrueNearest("fay", fays, List.of("prefilter", "adaptive"));
        assertTrue(queries("exact_within") > withinBefore, "the pre-filter's query ran");
    }

    private void assertTrueNearest(String user, Set<String> allowed, List<String> strategies) throws SQLException {
        List<Stored> stored = storedChunks();
        for (String query : QUERIES) {
            for (String strategy : strategies) {
                // audit:read, so the response says how the vector leg ran (diagnostics).
                HttpResponse<Map> response = api.search(
                        IDP.token(user, tenant, "audit:read"),
                        Map.of("query", query, "topK", TOP_K, "strategy", strategy));
                Map<?, ?> stats = (Map<?, ?>) response.body().get("diagnostics");
                assertEquals("exact", stats.get("vectorSearch"), stats.toString());
                List<Map<String, Object>> results = results(response);
                assertEquals(TOP_K, results.size(), strategy + " " + stats);
                results.forEach(r -> assertTrue(allowed.contains(r.get("documentId")), "not " + user + "'s: " + r));

                float[] vector = embedder.embedQuery(query);
                List<Stored> oracle = stored.stream()
                        .filter(s -> allowed.contains(s.documentId()))
                        .sorted(Comparator.comparingDouble((Stored s) -> s.similarity(vector))
                                .reversed())
                        .toList();
                // The cutoff is the oracle's: the similarity of the k-th nearest chunk the user may view,
                // computed here from the stored vectors. The service's own scores play no part.
                double cutoff = oracle.get(TOP_K - 1).similarity(vector);
                Map<String, Stored> byChunk = new HashMap<>();
                oracle.forEach(o -> byChunk.put(Long.toString(o.chunkId()), o));
                Set<String> returned = new HashSet<>();
                for (Map<String, Object> r : results) {
                    String chunkId = (String) r.get("chunkId");
                    returned.add(chunkId);
                    Stored s = byChunk.get(chunkId);
                    assertTrue(s != null, strategy + " returned chunk " + chunkId + " that " + user + " may not view");
                    // 1e-5 absorbs float32 arithmetic in pgvector: ties at the cutoff may go either way.
                    assertTrue(
                            s.similarity(vector) >= cutoff - 1e-5,
                            strategy + " returned chunk " + chunkId + " at " + s.similarity(vector)
                                    + ", farther than the oracle's k-th nearest at " + cutoff + " for '" + query
                                    + "'");
                }
                assertEquals(TOP_K, returned.size(), "distinct chunks");
                // Every chunk the user may view that is clearly nearer than the k-th must be among them.
                for (Stored s : oracle.subList(0, TOP_K)) {
                    if (s.similarity(vector) > cutoff + 1e-5) {
                        assertTrue(
                                returned.contains(Long.toString(s.chunkId())),
                                strategy + " missed chunk " + s.chunkId() + " of " + s.documentId() + " for '" + query
                                        + "'");
                    }
                }
            }
        }
    }

    private double queries(String query) {
        var timer = meters.find("clearance.store.query.duration")
                .tag("query", query)
                .timer();
        return timer == null ? 0 : timer.count();
    }

    private record Stored(long chunkId, String documentId, float[] embedding) {
        double similarity(float[] query) {
            return Vectors.cosine(embedding, query);
        }
    }

    private List<Stored> storedChunks() throws SQLException {
        List<Stored> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT id, document_id, embedding::text FROM chunks WHERE tenant = ?")) {
            s.setString(1, tenant);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new Stored(rs.getLong(1), rs.getString(2), new PGvector(rs.getString(3)).toArray()));
                }
            }
        }
        assertTrue(out.size() >= DOCUMENTS, "every document stored at least one chunk: " + out.size());
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(HttpResponse<Map> response) {
        return (List<Map<String, Object>>) response.body().get("results");
    }
}
