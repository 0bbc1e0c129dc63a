package dev.clearance.access;

import dev.clearance.platform.StoreException;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The access review of a tenant (ADR 0012): for every document, every subject that may view it and
 * each path, from one repeatable-read snapshot of the desired state.
 *
 * <p>Memory does not grow with the number of documents. The tenant's folders and groups (the tuples
 * every document's paths share) are held while the review runs; documents' own tuples are read
 * through a server-side cursor in document order and each document is forgotten once its rows are
 * out. What is held at a time is the folder and group structure plus one document's readers.
 */
@Singleton
public final class AccessReview {

    /** How many document tuples one cursor fetch brings (PostgreSQL streams the rest on demand). */
    private static final int FETCH = 500;

    /** One document's reader and one path by which it may view the document. */
    public record Row(String documentId, boolean synced, String subject, List<AccessPaths.Step> path) {}

    /** A review being read: rows one document at a time, all from the snapshot taken at open. */
    public interface Cursor extends AutoCloseable {

        /** When the snapshot was taken (the transaction's start on the database server). */
        Instant takenAt();

        /** The next document's rows (none for a document nobody may view), or null at the end. */
        @Nullable
        List<Row> next();

        /** Documents read so far. */
        long documents();

        /** Ends the snapshot; safe to call more than once. */
        @Override
        void close();
    }

    private final DataSource dataSource;

    AccessReview(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Opens the review of {@code tenant}, or of the documents under {@code folder} (a folder id of
     * the tenant) when given; a folder nothing is under gives no rows. The cursor holds a connection
     * until it is closed or read to its end.
     */
    public Cursor open(String tenant, @Nullable String folder) {
        Connection c = null;
        try {
            c = dataSource.getConnection();
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try (Statement s = c.createStatement()) {
                // A reader that stops reading without closing must not hold a snapshot for ever.
                s.execute("SET LOCAL idle_in_transaction_session_timeout = '5min'");
            }
            String folderObject = folder == null ? null : ObjectIds.scoped("folder", tenant, folder);
            AccessGraph structure = structure(c, tenant);
            Instant takenAt = takenAt(c);
            PreparedStatement documents = c.prepareStatement("""
                    SELECT t.object, t.relation, t.subject, o.version = o.synced_version
                    FROM desired_tuples t JOIN access_objects o ON o.object = t.object
                    WHERE o.tenant = ? AND t.object LIKE 'document:%'
                    ORDER BY t.object, t.relation, t.subject""");
            documents.setFetchSize(FETCH);
            documents.setString(1, tenant);
            ResultSet rows = documents.executeQuery();
            return new DocumentCursor(c, rows, structure, tenant, folderObject, takenAt);
        } catch (SQLException | RuntimeException e) {
            close(c);
            throw new StoreException("The document store is not available.", e);
        }
    }

    /** The tenant's tuples on everything but documents: folders' parents and grants, groups' members. */
    private static AccessGraph structure(Connection c, String tenant) throws SQLException {
        AccessGraph graph = new AccessGraph();
        try (PreparedStatement s = c.prepareStatement("""
                SELECT t.object, t.relation, t.subject
                FROM desired_tuples t JOIN access_objects o ON o.object = t.object
                WHERE o.tenant = ? AND t.object NOT LIKE 'document:%'
                ORDER BY t.object, t.relation, t.subject""")) {
            s.setFetchSize(FETCH);
            s.setString(1, tenant);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    graph.add(rs.getString(1), rs.getString(2), rs.getString(3));
                }
            }
        }
        return graph;
    }

    private static Instant takenAt(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT transaction_timestamp()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    private static void close(@Nullable Connection c) {
        if (c == null) {
            return;
        }
        try (c) {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is broken; the pool discards it. Nothing was written.
        }
    }

    private static final class DocumentCursor implements Cursor {

        private final Connection connection;
        private final ResultSet rows;
        private final AccessGraph graph;
        private final String tenant;
        private final String folder;
        private final Instant takenAt;
        private boolean pending;
        private boolean closed;
        private long documents;

        DocumentCursor(
                Connection connection,
                ResultSet rows,
                AccessGraph graph,
                String tenant,
                @Nullable String folder,
                Instant takenAt) {
            this.connection = connection;
            this.rows = rows;
            this.graph = graph;
            this.tenant = tenant;
            this.folder = folder;
            this.takenAt = takenAt;
        }

        @Override
        public Instant takenAt() {
            return takenAt;
        }

        @Override
        public long documents() {
            return documents;
        }

        @Override
        public List<Row> next() {
            if (closed) {
                return null;
            }
            try {
                if (!pending && !rows.next()) {
                    close();
                    return null;
                }
                String object = rows.getString(1);
                boolean synced = rows.getBoolean(4);
                do {
                    graph.add(object, rows.getString(2), rows.getString(3));
                    pending = rows.next();
                } while (pending && rows.getString(1).equals(object));
                documents++;
                List<Row> out = new ArrayList<>();
                if (folder == null || graph.isUnder(object, folder)) {
                    String id = ObjectIds.documentIdOf(object, tenant);
                    for (AccessPaths.Reach reach : graph.reaches(tenant, object)) {
                        reach.paths().forEach(path -> out.add(new Row(id, synced, reach.subject(), path)));
                    }
                }
                graph.remove(object);
                return out;
            } catch (SQLException e) {
                close();
                throw new StoreException("The document store is not available.", e);
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                AccessReview.close(connection);
            }
        }
    }
}
