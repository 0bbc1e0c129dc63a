package dev.clearance.bench;

import dev.clearance.access.DesiredTuple;
import dev.clearance.access.RelationshipStore;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * Writes benchmark corpora into the servers the way every benchmark loads them: rows straight into
 * PostgreSQL with {@code COPY} (documents marked as synced, so they are searchable without the
 * outbox), tuples straight to OpenFGA and, as the service's desired state, to PostgreSQL, so the
 * reconciler keeps them. The HNSW index is dropped while rows are copied and built once afterwards
 * (much faster than inserting into it row by row), so the database should be one for benchmarks.
 */
final class BenchRows {

    /**
     * One tenant's corpus: {@code documents()} documents of {@code chunksPerDocument()} consecutive
     * chunks each; chunk {@code c} is chunk {@code c % per} of document {@code c / per}, and its unit
     * vector is row {@code c} of the row-major {@link #vectors()}.
     */
    interface Corpus {
        String tenant();

        int documents();

        int chunksPerDocument();

        default int chunks() {
            return documents() * chunksPerDocument();
        }

        String documentId(int document);

        String folder(int document);

        String title(int document);

        String text(int chunk);

        int tokens(int chunk);

        float[] vectors();

        int dimension();

        /** The grants of the corpus, tenant-scoped as the service stores them. */
        List<DesiredTuple> tuples();
    }

    private BenchRows() {}

    /**
     * Writes the rows of every corpus whose tenant does not already hold exactly it (same chunk count
     * and token sum), rebuilding the HNSW index once if any was copied, then every corpus's tuples
     * (always: duplicates are ignored, and the OpenFGA store may be newer than the rows).
     */
    static void load(
            DataSource dataSource, RelationshipStore relationships, String modelName, List<? extends Corpus> corpora) {
        List<Corpus> toCopy = new ArrayList<>();
        for (Corpus corpus : corpora) {
            if (holds(dataSource, corpus)) {
                System.out.printf(
                        "bench data: tenant '%s' already holds these %,d chunks; rows not copied again%n",
                        corpus.tenant(), corpus.chunks());
            } else {
                toCopy.add(corpus);
            }
        }
        if (!toCopy.isEmpty()) {
            copy(dataSource, modelName, toCopy);
        }
        for (Corpus corpus : corpora) {
            long writing = System.nanoTime();
            List<DesiredTuple> tuples = corpus.tuples();
            relationships.write(tuples, List.of());
            recordDesiredState(dataSource, corpus.tenant(), tuples);
            System.out.printf(
                    "bench data: wrote %,d OpenFGA tuples for tenant '%s' in %.0f s%n",
                    tuples.size(), corpus.tenant(), BenchData.seconds(writing));
        }
    }

    /**
     * The tuples as the service's desired state (version 1, synced, as the copied documents), so the
     * reconciler sees them as intended instead of removing them as written behind its back.
     */
    static void recordDesiredState(DataSource dataSource, String tenant, List<DesiredTuple> tuples) {
        String[] objects = tuples.stream().map(DesiredTuple::object).toArray(String[]::new);
        String[] relations = tuples.stream().map(DesiredTuple::relation).toArray(String[]::new);
        String[] subjects = tuples.stream().map(DesiredTuple::user).toArray(String[]::new);
        try (Connection c = dataSource.getConnection();
                PreparedStatement objectRows = c.prepareStatement("""
                        INSERT INTO access_objects (object, tenant, version, synced_version)
                        SELECT DISTINCT o, ?, 1, 1 FROM unnest(?::text[]) AS o ON CONFLICT (object) DO NOTHING""");
                PreparedStatement tupleRows = c.prepareStatement("""
                        INSERT INTO desired_tuples (object, relation, subject)
                        SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) ON CONFLICT DO NOTHING""")) {
            objectRows.setString(1, tenant);
            objectRows.setArray(2, c.createArrayOf("text", objects));
            objectRows.executeUpdate();
            tupleRows.setArray(1, c.createArrayOf("text", objects));
            tupleRows.setArray(2, c.createArrayOf("text", relations));
            tupleRows.setArray(3, c.createArrayOf("text", subjects));
            tupleRows.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("recording the desired access state of tenant " + tenant + " failed", e);
        }
    }

    /** Does the tenant hold exactly this corpus (same number of chunks and the same token sum)? */
    static boolean holds(DataSource dataSource, Corpus corpus) {
        long tokens = 0;
        for (int chunk = 0; chunk < corpus.chunks(); chunk++) {
            tokens += corpus.tokens(chunk);
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT count(*), coalesce(sum(tokens), 0) FROM chunks WHERE tenant = ?")) {
            s.setString(1, corpus.tenant());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1) == corpus.chunks() && rs.getLong(2) == tokens;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Tenants with this many chunks get a partition of their own, with its own HNSW index (ADR 0014). */
    static final int OWN_PARTITION_FROM = 10_000;

    private static void copy(DataSource dataSource, String modelName, List<Corpus> corpora) {
        long started = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            // Rebuilt afterwards as the migrations define it (one build instead of 100,000 inserts).
            String index;
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT indexdef FROM pg_indexes WHERE indexname = 'chunks_embedding_hnsw'")) {
                if (!rs.next()) {
                    throw new IllegalStateException("no HNSW index to rebuild: were the migrations applied?");
                }
                // pg_indexes names the partitioned index "ON ONLY chunks", which would build no
                // partition's index: the definition is recreated for every partition instead.
                index = rs.getString(1).replace(" ON ONLY ", " ON ");
                s.execute("DROP INDEX chunks_embedding_hnsw");
            }
            for (Corpus corpus : corpora) {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM documents WHERE tenant = ?")) {
                    delete.setString(1, corpus.tenant());
                    delete.executeUpdate();
                }
                copyDocuments(c, modelName, corpus);
                copyChunks(c, corpus);
                System.out.printf(
                        "bench data: copied %,d documents, %,d chunks into tenant '%s'%n",
                        corpus.documents(), corpus.chunks(), corpus.tenant());
            }
            c.commit();
            System.out.printf("bench data: rows copied in %.0f s%n", BenchData.seconds(started));
            c.setAutoCommit(true);
            for (Corpus corpus : corpora) {
                if (corpus.chunks() >= OWN_PARTITION_FROM) {
                    // As the runbook says for a tenant that outgrows the shared partitions.
                    try (PreparedStatement own = c.prepareStatement("CALL give_tenant_own_partition(?)")) {
                        own.setString(1, corpus.tenant());
                        own.execute();
                    }
                }
            }
            long indexing = System.nanoTime();
            try (Statement s = c.createStatement()) {
                s.execute("SET maintenance_work_mem = '1GB'");
                s.execute(index);
                try (ResultSet valid = s.executeQuery(
                        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'chunks_embedding_hnsw'::regclass")) {
                    if (!valid.next() || !valid.getBoolean(1)) {
                        throw new IllegalStateException("the HNSW index does not cover every partition");
                    }
                }
                // VACUUM, not only ANALYZE: the rows just copied (and those the partition move left
                // dead) would otherwise have autovacuum start on them during a measured phase.
                s.execute("VACUUM (ANALYZE) documents");
                s.execute("VACUUM (ANALYZE) chunks");
            }
            System.out.printf("bench data: HNSW index built in %.0f s%n", BenchData.seconds(indexing));
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("loading a bench corpus failed", e);
        }
    }

    private static void copyDocuments(Connection c, String modelName, Corpus corpus) throws SQLException, IOException {
        int per = corpus.chunksPerDocument();
        StringBuilder rows = new StringBuilder();
        for (int d = 0; d < corpus.documents(); d++) {
            int tokens = 0;
            for (int j = 0; j < per; j++) {
                tokens += corpus.tokens(d * per + j);
            }
            String id = corpus.documentId(d);
            rows.append(escape(corpus.tenant()))
                    .append('\t')
                    .append(escape(id))
                    .append('\t')
                    .append(escape(corpus.title(d)))
                    .append("\tbench:")
                    .append(escape(id))
                    .append('\t')
                    .append(escape(corpus.folder(d)))
                    .append("\ttext/markdown\tbench-")
                    .append(escape(id))
                    .append("\tbench\t1\t1\t")
                    .append(per)
                    .append('\t')
                    .append(tokens)
                    .append('\t')
                    .append(modelName)
                    .append('\n');
        }
        c.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn(
                        "COPY documents (tenant, id, title, source, folder, mime_type, content_hash, grants_hash,"
                                + " acl_version, acl_synced_version, chunk_count, token_count, embedding_model)"
                                + " FROM STDIN",
                        new StringReader(rows.toString()));
    }

    private static void copyChunks(Connection c, Corpus corpus) throws SQLException, IOException {
        int dim = corpus.dimension();
        int per = corpus.chunksPerDocument();
        float[] vectors = corpus.vectors();
        StringBuilder rows = new StringBuilder();
        for (int chunk = 0; chunk < corpus.chunks(); chunk++) {
            rows.append(escape(corpus.tenant()))
                    .append('\t')
                    .append(escape(corpus.documentId(chunk / per)))
                    .append('\t')
                    .append(chunk % per)
                    .append('\t')
                    .append(escape(corpus.text(chunk)))
                    .append('\t')
                    .append(corpus.tokens(chunk))
                    .append("\t[");
            int offset = chunk * dim;
            for (int i = 0; i < dim; i++) {
                if (i > 0) {
                    rows.append(',');
                }
                rows.append(vectors[offset + i]);
            }
            rows.append("]\n");
            if ((chunk + 1) % 5_000 == 0 || chunk + 1 == corpus.chunks()) {
                c.unwrap(PGConnection.class)
                        .getCopyAPI()
                        .copyIn(
                                "COPY chunks (tenant, document_id, ordinal, text, tokens, embedding) FROM STDIN",
                                new StringReader(rows.toString()));
                rows.setLength(0);
            }
        }
    }

    /** COPY text format: backslash, tab, newline and carriage return are escaped. */
    static String escape(String value) {
        return value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r");
    }
}
