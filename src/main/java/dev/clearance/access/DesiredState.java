package dev.clearance.access;

import dev.clearance.platform.Jdbc;
import dev.clearance.platform.Sha256;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The tuples OpenFGA must hold, per object (docs/adr/0005). Every change of an object's desired
 * tuples takes a new version in the same transaction, and the sync ({@link AccessSync}, working
 * through the {@link AccessOutbox} queue) drives OpenFGA to the newest version. Objects are locked in a fixed order, so two writers changing
 * overlapping objects wait for each other instead of deadlocking or interleaving.
 */
@Singleton
public final class DesiredState {

    private final DataSource dataSource;

    DesiredState(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** An object's version after a change, and whether OpenFGA already holds that version. */
    public record Version(long version, boolean synced) {}

    /** The content-independent fingerprint of a set of grants ("same grants again → no work"). */
    public static String grantsHash(Collection<DesiredTuple> tuples) {
        return Sha256.hex(digest -> tuples.stream()
                .map(DesiredTuple::toString)
                .sorted()
                .forEach(t -> {
                    digest.update(t.getBytes(StandardCharsets.UTF_8));
                    digest.update((byte) 0);
                }));
    }

    /**
     * Makes {@code tuples} the complete desired state of {@code object}, inside the caller's
     * transaction. A new version is taken only when the set differs or the object still awaits adoption.
     * Public because the documents feature must commit a document's text and its grants in one
     * transaction (ADR 0005); it is the only write into this feature that takes a connection.
     */
    public static Version replace(Connection c, String tenant, String object, Collection<DesiredTuple> tuples)
            throws SQLException {
        lock(c, tenant, List.of(object));
        Set<DesiredTuple> current = read(c, List.of(object)).getOrDefault(object, Set.of());
        Set<DesiredTuple> wanted = new HashSet<>(tuples);
        if (!current.equals(wanted) || isAdopting(c, object)) {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM desired_tuples WHERE object = ?")) {
                s.setString(1, object);
                s.executeUpdate();
            }
            insert(c, wanted, null);
            return bump(c, object);
        }
        return version(c, object);
    }

    /**
     * Adds and removes single tuples (the relationships API) in one transaction. Every object the
     * change names takes a new version, even when its desired tuples were already as asked: the sync
     * then compares it with OpenFGA again, so the answer "in effect" is true of OpenFGA, not only of
     * this table (a tuple written behind the service's back is removed by a delete that names it).
     * Returns the objects with their new versions.
     */
    public Map<String, Version> change(
            String tenant, Collection<DesiredTuple> writes, Collection<DesiredTuple> deletes, String managedBy) {
        return Jdbc.inTransaction(dataSource, c -> {
            Set<String> objects = new HashSet<>();
            writes.forEach(t -> objects.add(t.object()));
            deletes.forEach(t -> objects.add(t.object()));
            lockDocuments(c, tenant, objects);
            lock(c, tenant, objects);
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM desired_tuples WHERE object = ? AND relation = ? AND subject = ?")) {
                for (DesiredTuple t : deletes) {
                    s.setString(1, t.object());
                    s.setString(2, t.relation());
                    s.setString(3, t.user());
                    s.addBatch();
                }
                s.executeBatch();
            }
            insert(c, writes, managedBy);
            Map<String, Version> versions = new TreeMap<>();
            Map<String, Set<DesiredTuple>> after = read(c, objects);
            for (String object : objects) {
                Version version = bump(c, object);
                versions.put(object, version);
                mirrorDocument(c, tenant, object, version, after.getOrDefault(object, Set.of()));
            }
            return versions;
        });
    }

    /**
     * OpenFGA differs from the desired state of {@code object} (found by the reconciler): a new
     * version hides the document until the sync has applied the desired tuples again. Only if the
     * object is still at {@code expectedVersion} (null: PostgreSQL did not know it); otherwise it
     * changed since the scan and the sync owns it. Returns whether it was marked.
     */
    public boolean markForRepair(String tenant, String object, Long expectedVersion) {
        return Jdbc.inTransaction(dataSource, c -> {
            lockDocuments(c, tenant, List.of(object));
            lock(c, tenant, List.of(object));
            Version current = version(c, object);
            boolean unknown = current.version() == 0 && read(c, List.of(object)).isEmpty();
            if (expectedVersion == null ? !unknown : current.version() != expectedVersion) {
                return false;
            }
            Version version = bump(c, object);
            mirrorDocument(c, tenant, object, version, read(c, List.of(object)).getOrDefault(object, Set.of()));
            return true;
        });
    }

    /**
     * A document's grants changed through the relationships API: its row takes the new version (so
     * it is hidden until synced, like after a PUT), the new grants' hash (so a later PUT with the
     * earlier grants is seen as a change and replaces these) and its folder (the parent tuple's; the
     * first by id when there are several), so GET shows the folder the rules say.
     */
    private static void mirrorDocument(
            Connection c, String tenant, String object, Version version, Set<DesiredTuple> tuples) throws SQLException {
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
            s.setString(2, grantsHash(tuples));
            s.setString(3, folder);
            s.setString(4, tenant);
            s.setString(5, documentId);
            s.executeUpdate();
        }
    }

    /** The desired tuples of the given objects (objects without tuples are absent from the map). */
    public Map<String, Set<DesiredTuple>> of(Collection<String> objects) {
        return Jdbc.read(dataSource, c -> read(c, objects));
    }

    /** The desired tuples {@code managedBy} asked for in a tenant, in a stable order, one page. */
    public List<DesiredTuple> managedBy(String tenant, String managedBy, String afterKey, int limit) {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT t.subject, t.relation, t.object FROM desired_tuples t
                    JOIN access_objects o ON o.object = t.object
                    WHERE o.tenant = ? AND t.managed_by = ?
                      AND (t.object || ' ' || t.relation || ' ' || t.subject) > ?
                    ORDER BY t.object || ' ' || t.relation || ' ' || t.subject LIMIT ?""")) {
                s.setString(1, tenant);
                s.setString(2, managedBy);
                s.setString(3, afterKey == null ? "" : afterKey);
                s.setInt(4, limit);
                List<DesiredTuple> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new DesiredTuple(rs.getString(1), rs.getString(2), rs.getString(3)));
                    }
                }
                return out;
            }
        });
    }

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
    private static void lock(Connection c, String tenant, Collection<String> objects) throws SQLException {
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

    private static boolean isAdopting(Connection c, String object) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT adopt FROM access_objects WHERE object = ?")) {
            s.setString(1, object);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** A new version: the object is pending (and, for a document, hidden) until the sync confirms it. */
    private static Version bump(Connection c, String object) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE access_objects SET version = nextval('acl_version_seq'), adopt = false, rejections = 0,
                       failures = 0, parked_at = NULL, last_error = NULL, next_attempt_at = now(), changed_at = now()
                WHERE object = ? RETURNING version""")) {
            s.setString(1, object);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new Version(rs.getLong(1), false);
            }
        }
    }

    private static Version version(Connection c, String object) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT version, synced_version >= version FROM access_objects WHERE object = ?")) {
            s.setString(1, object);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new Version(rs.getLong(1), rs.getBoolean(2));
            }
        }
    }
}
