package dev.clearance.search;

import dev.clearance.platform.Jdbc;
import dev.clearance.platform.QueryTimer;
import dev.clearance.platform.Standby;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * Candidate retrieval. The tenant is a mandatory predicate of every query. Only documents whose
 * access rules are synced to OpenFGA are visible. Three paths:
 *
 * <ul>
 *   <li>{@link #nearest}: HNSW with iterative scan, so excluding denied documents or small tenants
 *       does not starve the index, or an exact scan when asked for one;
 *   <li>{@link #lexical}: PostgreSQL full-text search (the hybrid leg);
 *   <li>{@link #exactWithin}: exact distances over an allow-list of documents (the pre-filter).
 * </ul>
 */
@Singleton
public final class ChunkSearchRepository {

    private static final String COLUMNS = """
            c.id, c.document_id, d.acl_version, c.ordinal, c.text, c.tokens, d.title, d.source,
            1 - (c.embedding <=> CAST(? AS vector)) AS similarity,
            ts_rank_cd(c.tsv, websearch_to_tsquery('english', ?)) AS lexical
            """;
    /*
     * "Grants synced" is written as synced >= version, which means the same as synced = version
     * because acl_synced_version only ever takes the value of acl_version (and versions only grow).
     * The planner has no statistics for a comparison of two columns: it estimates "=" at 0.5 % of
     * the documents and ">=" at a third. With "=" it believed a 10,000-document tenant had 50
     * searchable documents and replaced the HNSW scan by an exact scan of all 100,000 chunks
     * (0.8 s instead of 3 ms per query, measured by SearchBenchmark, docs/benchmarks.md).
     */
    private static final String VISIBLE = """
            JOIN documents d ON d.tenant = c.tenant AND d.id = c.document_id
            WHERE c.tenant = ? AND d.acl_synced_version >= d.acl_version
            """;

    /**
     * Ranks the chunks of synced documents only; the join runs for every chunk ranked, so every row
     * it returns is synced.
     */
    private static final String JOIN_FIRST = "FROM chunks c " + VISIBLE;
    /** Ranks the tenant's chunks; the winners' documents are checked afterwards. */
    private static final String RANK_FIRST = "FROM chunks c WHERE c.tenant = ?";

    /** The primary: only for {@link #existing}, the confirmation that must see acknowledged writes. */
    private final DataSource dataSource;
    /** Candidate reads: the standby while it is fresh (ADR 0013), else the primary. */
    private final Standby standby;

    private final QueryTimer timer;
    private final int efSearch;

    /**
     * @param efSearch the HNSW candidate list of an approximate query (pgvector's {@code
     *     hnsw.ef_search}) when the window asked for is smaller: the approximate window is wider than
     *     the rows returned, and the rows returned are ranked by their exact distances. Chosen by the
     *     recall measured on the real benchmark corpus (ADR 0009, docs/benchmarks.md).
     */
    ChunkSearchRepository(
            DataSource dataSource,
            Standby standby,
            QueryTimer timer,
            @Value("${clearance.search.hnsw-ef-search:600}") int efSearch) {
        this.dataSource = dataSource;
        this.standby = standby;
        this.timer = timer;
        this.efSearch = Math.max(1, Math.min(1000, efSearch));
    }

    /**
     * Nearest chunks of the tenant's visible documents, excluding some documents. {@code exact} turns
     * the ANN index off for this query: the answer is then the true nearest chunks (a scan of the
     * tenant's chunks), used where the tenant is small enough and to confirm that a short approximate
     * answer really means the tenant has no more visible chunks.
     */
    public List<Candidate> nearest(
            String tenant, float[] query, String text, int limit, Collection<String> excluded, boolean exact) {
        return timer.time(
                exact ? "nearest_exact" : "nearest",
                () -> Jdbc.inTransaction(standby.forCandidates(), c -> {
                    try (Statement s = c.createStatement()) {
                        if (exact) {
                            s.execute("SET LOCAL enable_indexscan = off");
                        } else {
                            s.execute("SET LOCAL hnsw.iterative_scan = relaxed_order");
                            s.execute("SET LOCAL hnsw.ef_search = " + Math.min(1000, Math.max(efSearch, limit)));
                            s.execute("SET LOCAL hnsw.max_scan_tuples = 100000");
                        }
                    }
                    return nearestAmong(
                            c, "NOT (c.document_id = ANY (?))", tenant, query, text, limit, excluded, exact);
                }));
    }

    /**
     * The tenant's chunks, from the per-document counts (an index range of the documents table, not
     * a scan of the chunks), and documents. Decide whether an exact scan is affordable and how much
     * of the tenant a caller's list is ({@link TenantSizes}).
     */
    TenantSizes.Size size(String tenant) {
        return timer.time(
                "chunk_count",
                () -> Jdbc.read(standby.forCandidates(), c -> {
                    try (PreparedStatement s = c.prepareStatement(
                            "SELECT coalesce(sum(chunk_count), 0), count(*) FROM documents WHERE tenant = ?")) {
                        s.setString(1, tenant);
                        try (ResultSet rs = s.executeQuery()) {
                            rs.next();
                            return new TenantSizes.Size(rs.getLong(1), rs.getLong(2));
                        }
                    }
                }));
    }

    public List<Candidate> lexical(String tenant, float[] query, String text, int limit, Collection<String> excluded) {
        String sql = "SELECT " + COLUMNS + " FROM chunks c " + VISIBLE
                + " AND c.tsv @@ websearch_to_tsquery('english', ?) AND NOT (c.document_id = ANY (?))"
                + " ORDER BY lexical DESC LIMIT ?";
        return timer.time(
                "lexical",
                () -> Jdbc.read(standby.forCandidates(), c -> {
                    try (PreparedStatement s = c.prepareStatement(sql)) {
                        s.setArray(1, queryVector(c, query));
                        s.setString(2, text);
                        s.setString(3, tenant);
                        s.setString(4, text);
                        s.setArray(5, textArray(c, excluded));
                        s.setInt(6, limit);
                        return read(s);
                    }
                }));
    }

    /**
     * Exact nearest chunks among the given documents (B-tree on tenant, document; no ANN). Index
     * scans are off for the statement, as for {@link #nearest}'s exact scan: otherwise the planner
     * may serve the ORDER BY from the HNSW index, which yields its approximate nearest rows of the
     * whole tenant first and applies the document list afterwards. On a 20,000-chunk tenant that
     * returned 3 of the 40 rows asked for a caller who may view 10 % of the documents, and recall
     * fell to 0.37 (found by the throughput benchmark). The bitmap scan of the B-tree stays allowed.
     * A caller who may view a tenth of a 100,000-chunk tenant has 10,000 chunks in the list: their
     * text rank and text, carried through the sort, cost more than the distances ({@link
     * #nearestAmong} ranks ids first).
     */
    public List<Candidate> exactWithin(
            String tenant, float[] query, String text, int limit, Collection<String> documents) {
        return timer.time(
                "exact_within",
                () -> Jdbc.inTransaction(standby.forCandidates(), c -> {
                    try (Statement off = c.createStatement()) {
                        off.execute("SET LOCAL enable_indexscan = off");
                    }
                    return nearestAmong(c, "c.document_id = ANY (?)", tenant, query, text, limit, documents, true);
                }));
    }

    /**
     * The nearest visible chunks whose document passes {@code documentFilter} (one array parameter).
     * Ids and distances first, the other columns for the winners only: in an exact scan every column
     * of the inner select is computed for every chunk scanned. The inner result is materialised so
     * that relaxed-order results of the iterative scan are re-sorted exactly.
     *
     * <p>An exact scan ranks before it looks at the documents: joining every scanned chunk to its
     * document, only to keep those whose grants are synced, cost more than the distances (a caller
     * who may view 1,000 of 10,000 documents, 10,000 chunks: 28 ms with the join, 20 ms without,
     * docs/benchmarks.md). The winners' documents are then read, and if one of them is not synced
     * (a grant write in flight, rare) the query runs again with the join inside, so the answer is
     * still the nearest visible chunks. The index walk keeps the join inside: there it costs one
     * look-up per chunk the walk returns, and it lets the iterative scan go on past such chunks.
     */
    private List<Candidate> nearestAmong(
            Connection c,
            String documentFilter,
            String tenant,
            float[] query,
            String text,
            int limit,
            Collection<String> documents,
            boolean exact)
            throws SQLException {
        if (exact) {
            List<Candidate> ranked = ranked(c, RANK_FIRST, documentFilter, tenant, query, text, limit, documents);
            if (ranked != null) {
                return ranked;
            }
        }
        return ranked(c, JOIN_FIRST, documentFilter, tenant, query, text, limit, documents);
    }

    /** The candidates, or null if a winner's document is not synced (only possible with RANK_FIRST). */
    private static List<Candidate> ranked(
            Connection c,
            String from,
            String documentFilter,
            String tenant,
            float[] query,
            String text,
            int limit,
            Collection<String> documents)
            throws SQLException {
        String sql = "WITH hits AS MATERIALIZED (SELECT c.id, c.embedding <=> CAST(? AS vector) AS distance " + from
                + " AND " + documentFilter + " ORDER BY c.embedding <=> CAST(? AS vector) LIMIT ?)"
                + " SELECT " + COLUMNS + ", d.acl_synced_version >= d.acl_version AS synced"
                + " FROM hits h JOIN chunks c ON c.tenant = ? AND c.id = h.id"
                + " JOIN documents d ON d.tenant = c.tenant AND d.id = c.document_id ORDER BY h.distance, c.id";
        Array vector = queryVector(c, query);
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setArray(1, vector);
            s.setString(2, tenant);
            s.setArray(3, textArray(c, documents));
            s.setArray(4, vector);
            s.setInt(5, limit);
            s.setArray(6, vector);
            s.setString(7, text);
            // The tenant again: the join reads only the tenant's partition (ADR 0014).
            s.setString(8, tenant);
            return readSynced(s);
        }
    }

    /**
     * The query vector as a {@code real[]}, which the driver sends in binary and the SQL casts to
     * {@code vector}. In PGvector's text form every float was written out as decimal digits for each
     * of the three places a statement names it, and parsed back by the server: 8 % of the service's
     * CPU samples under load (a profile of the load suite).
     */
    private static Array queryVector(Connection c, float[] query) throws SQLException {
        // java.sql.Connection takes Object[] only; the driver's own interface takes a float[].
        return c.unwrap(PGConnection.class).createArrayOf("float4", query);
    }

    private static Array textArray(Connection c, Collection<String> values) throws SQLException {
        return c.createArrayOf("text", values.toArray(String[]::new));
    }

    /**
     * Which of the chunk ids still exist, read on the primary: a chunk read from a lagging standby
     * may belong to text the primary has since replaced (a re-PUT keeps the access-rule version
     * when the grants stay the same, but its chunks are new).
     */
    public java.util.Set<Long> existing(String tenant, Collection<Long> chunkIds) {
        return timer.time(
                "chunks_exist",
                () -> Jdbc.read(dataSource, c -> {
                    try (PreparedStatement s =
                            c.prepareStatement("SELECT id FROM chunks WHERE tenant = ? AND id = ANY (?)")) {
                        s.setString(1, tenant);
                        s.setArray(2, c.createArrayOf("bigint", chunkIds.toArray(Long[]::new)));
                        java.util.Set<Long> out = new java.util.HashSet<>();
                        try (ResultSet rs = s.executeQuery()) {
                            while (rs.next()) {
                                out.add(rs.getLong(1));
                            }
                        }
                        return out;
                    }
                }));
    }

    private static List<Candidate> read(PreparedStatement s) throws SQLException {
        List<Candidate> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.add(candidate(rs));
            }
        }
        return out;
    }

    /** As {@link #read}, or null as soon as a row's column 11 says its document is not synced. */
    private static List<Candidate> readSynced(PreparedStatement s) throws SQLException {
        List<Candidate> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                if (!rs.getBoolean(11)) {
                    return null;
                }
                out.add(candidate(rs));
            }
        }
        return out;
    }

    private static Candidate candidate(ResultSet rs) throws SQLException {
        return new Candidate(
                rs.getLong(1),
                rs.getString(2),
                rs.getLong(3),
                rs.getInt(4),
                rs.getString(5),
                rs.getInt(6),
                rs.getString(7),
                rs.getString(8),
                rs.getDouble(9),
                rs.getDouble(10));
    }
}
