package dev.clearance.access;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The statements of the desired state that run inside a transaction another class opened: a PUT's
 * ({@link DesiredState#replace}), a relationship change's or repair's, the outbox's claim and
 * completion, an adoption. They take that transaction's connection rather than a DataSource, so they
 * commit or roll back with the caller's other work (a document's text with its grants, docs/adr/0005).
 */
final class DesiredStateSql {

    private DesiredStateSql() {}

    /**
     * Every writer takes a document's row before its access object's row (a PUT locks the document
     * first), so a PUT and a relationship change or repair of the same document wait for each other
     * instead of deadlocking.
     */
    static void lockDocuments(Connection c, String tenant, Collection<String> objects) throws SQLException {
        String[] ids = objects.stream()
                .map(o -> ObjectIds.documentIdOf(o, tenant))
                .filter(Objects::nonNull)
                .sorted()
                .toArray(String[]::new);
        if (ids.length == 0) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id FROM documents WHERE tenant = ? AND id = ANY (?) ORDER BY id FOR UPDATE")) {
            s.setString(1, tenant);
            s.setArray(2, c.createArrayOf("text", ids));
            s.executeQuery().close();
        }
    }

    /** Creates missing object rows, then locks all of them in one order (no deadlock between writers). */
    static void lock(Connection c, String tenant, Collection<String> objects) throws SQLException {
        String[] sorted = objects.stream().sorted().toArray(String[]::new);
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO access_objects (object, tenant, version, synced_version)
                SELECT o, ?, 0, 0 FROM unnest(?::text[]) AS o ORDER BY o
                ON CONFLICT (object) DO NOTHING""")) {
            s.setString(1, tenant);
            s.setArray(2, c.createArrayOf("text", sorted));
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement(
                "SELECT object FROM access_objects WHERE object = ANY (?) ORDER BY object FOR UPDATE")) {
            s.setArray(1, c.createArrayOf("text", sorted));
            s.executeQuery().close();
        }
    }

    static Map<String, Set<DesiredTuple>> read(Connection c, Collection<String> objects) throws SQLException {
        Map<String, Set<DesiredTuple>> out = new HashMap<>();
        try (PreparedStatement s =
                c.prepareStatement("SELECT subject, relation, object FROM desired_tuples WHERE object = ANY (?)")) {
            s.setArray(1, c.createArrayOf("text", objects.toArray(String[]::new)));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(3), o -> new HashSet<>())
                            .add(new DesiredTuple(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    /** Removes all desired tuples of {@code object}, before its complete new set is inserted. */
    static void clear(Connection c, String object) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM desired_tuples WHERE object = ?")) {
            s.setString(1, object);
            s.executeUpdate();
        }
    }

    static void insert(Connection c, Collection<DesiredTuple> tuples, String managedBy) throws SQLException {
        if (tuples.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO desired_tuples (object, relation, subject, managed_by) VALUES (?, ?, ?, ?)
                ON CONFLICT (object, relation, subject)
                DO UPDATE SET managed_by = coalesce(EXCLUDED.managed_by, desired_tuples.managed_by)""")) {
            for (DesiredTuple t : tuples) {
                s.setString(1, t.object());
                s.setString(2, t.relation());
                s.setString(3, t.user());
                s.setString(4, managedBy);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    static boolean isAdopting(Connection c, String object) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT adopt FROM access_objects WHERE object = ?")) {
            s.setString(1, object);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** A new version: the object is pending (and, for a document, hidden) until the sync confirms it. */
    static DesiredState.Version bump(Connection c, String object) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE access_objects SET version = nextval('acl_version_seq'), adopt = false, rejections = 0,
                       failures = 0, parked_at = NULL, last_error = NULL, next_attempt_at = now(), changed_at = now()
                WHERE object = ? RETURNING version""")) {
            s.setString(1, object);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new DesiredState.Version(rs.getLong(1), false);
            }
        }
    }

    static DesiredState.Version version(Connection c, String object) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT version, synced_version >= version FROM access_objects WHERE object = ?")) {
            s.setString(1, object);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new DesiredState.Version(rs.getLong(1), rs.getBoolean(2));
            }
        }
    }

    /**
     * A document's grants changed through the relationships API: its row takes the new version (so
     * it is hidden until synced, like after a PUT), the new grants' hash (so a later PUT with the
     * earlier grants is seen as a change and replaces these) and its folder (the parent tuple's; the
     * first by id when there are several), so GET shows the folder the rules say.
     */
    static void mirrorDocument(
            Connection c, String tenant, String object, DesiredState.Version version, Set<DesiredTuple> tuples)
            throws SQLException {
        String documentId = ObjectIds.documentIdOf(object, tenant);
        if (documentId == null) {
            return;
        }
        String folderPrefix = "folder:" + tenant + "/";
        String folder = tuples.stream()
                .filter(t -> t.relation().equals("parent") && t.user().startsWith(folderPrefix))
                .map(t -> t.user().substring(folderPrefix.length()))
                .sorted()
                .findFirst()
                .orElse(null);
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE documents SET acl_version = ?, grants_hash = ?, folder = ?, updated_at = now()
                WHERE tenant = ? AND id = ?""")) {
            s.setLong(1, version.version());
            s.setString(2, DesiredState.grantsHash(tuples));
            s.setString(3, folder);
            s.setString(4, tenant);
            s.setString(5, documentId);
            s.executeUpdate();
        }
    }
}
