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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The tuples OpenFGA must hold, per object (docs/adr/0005). Every change of an object's desired
 * tuples takes a new version in the same transaction, and the sync ({@link AccessSync}, working
 * through the {@link AccessOutbox} queue) drives OpenFGA to the newest version. Objects are locked
 * in a fixed order, so two writers changing overlapping objects wait for each other instead of
 * deadlocking or interleaving. The statements these transactions share with other classes'
 * transactions are in {@link DesiredStateSql}.
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
        DesiredStateSql.lock(c, tenant, List.of(object));
        Set<DesiredTuple> current = DesiredStateSql.read(c, List.of(object)).getOrDefault(object, Set.of());
        Set<DesiredTuple> wanted = new HashSet<>(tuples);
        if (!current.equals(wanted) || DesiredStateSql.isAdopting(c, object)) {
            DesiredStateSql.clear(c, object);
            DesiredStateSql.insert(c, wanted, null);
            return DesiredStateSql.bump(c, object);
        }
        return DesiredStateSql.version(c, object);
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
            DesiredStateSql.lockDocuments(c, tenant, objects);
            DesiredStateSql.lock(c, tenant, objects);
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
            DesiredStateSql.insert(c, writes, managedBy);
            Map<String, Version> versions = new TreeMap<>();
            Map<String, Set<DesiredTuple>> after = DesiredStateSql.read(c, objects);
            for (String object : objects) {
                Version version = DesiredStateSql.bump(c, object);
                versions.put(object, version);
                DesiredStateSql.mirrorDocument(c, tenant, object, version, after.getOrDefault(object, Set.of()));
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
            DesiredStateSql.lockDocuments(c, tenant, List.of(object));
            DesiredStateSql.lock(c, tenant, List.of(object));
            Version current = DesiredStateSql.version(c, object);
            boolean unknown = current.version() == 0
                    && DesiredStateSql.read(c, List.of(object)).isEmpty();
            if (expectedVersion == null ? !unknown : current.version() != expectedVersion) {
                return false;
            }
            Version version = DesiredStateSql.bump(c, object);
            Set<DesiredTuple> tuples = DesiredStateSql.read(c, List.of(object)).getOrDefault(object, Set.of());
            DesiredStateSql.mirrorDocument(c, tenant, object, version, tuples);
            return true;
        });
    }

    /** The desired tuples of the given objects (objects without tuples are absent from the map). */
    public Map<String, Set<DesiredTuple>> of(Collection<String> objects) {
        return Jdbc.read(dataSource, c -> DesiredStateSql.read(c, objects));
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
}
