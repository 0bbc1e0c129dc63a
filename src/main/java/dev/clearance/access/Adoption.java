package dev.clearance.access;

import dev.clearance.platform.Jdbc;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Adoption of tuples written before the desired state existed (schema 4): what OpenFGA holds for
 * such an object becomes its desired state, once, so neither the reconciler nor a relationship
 * change removes grants that were only ever recorded in OpenFGA (docs/adr/0005).
 */
@Singleton
final class Adoption {

    private final DataSource dataSource;

    Adoption(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Of the given objects, those whose desired tuples are not known yet (written before schema 4),
     * each with its state (null: no row, while adoption of unknown objects is pending).
     */
    Map<String, ReconcileState.ObjectState> awaiting(Collection<String> objects) {
        return Jdbc.read(dataSource, c -> {
            Map<String, ReconcileState.ObjectState> out = new HashMap<>();
            Map<String, ReconcileState.ObjectState> known = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT object, tenant, version, synced_version >= version, adopt FROM access_objects
                    WHERE object = ANY (?)""")) {
                s.setArray(1, c.createArrayOf("text", objects.toArray(String[]::new)));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        known.put(
                                rs.getString(1),
                                new ReconcileState.ObjectState(
                                        rs.getString(2), rs.getLong(3), rs.getBoolean(4), rs.getBoolean(5)));
                    }
                }
            }
            known.forEach((object, state) -> {
                if (state.adopt()) {
                    out.put(object, state);
                }
            });
            if (known.size() < objects.size() && pending(c)) {
                objects.stream().filter(o -> !known.containsKey(o)).forEach(o -> out.put(o, null));
            }
            return out;
        });
    }

    /** Whether tuples written before schema 4 (unknown to PostgreSQL) are still to be adopted. */
    boolean pending() {
        return Jdbc.read(dataSource, Adoption::pending);
    }

    private static boolean pending(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT coalesce(bool_or(pending), false) FROM access_adoption");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /**
     * Called after a reconciliation that adopted every object OpenFGA held: from then on an object
     * PostgreSQL does not know is drift, not grants to adopt.
     */
    void done() {
        Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE access_adoption SET pending = false")) {
                return s.executeUpdate();
            }
        });
    }

    /**
     * Records what OpenFGA holds as the desired state of an object that did not change since {@code
     * expected} was read (or, with {@code expected} null, of an object PostgreSQL does not know).
     */
    boolean adopt(String object, String tenant, ReconcileState.ObjectState expected, Collection<DesiredTuple> tuples) {
        return Jdbc.inTransaction(dataSource, c -> {
            boolean ok = expected == null ? insertSynced(c, object, tenant) : claimAdoption(c, object, expected);
            if (ok) {
                DesiredStateSql.clear(c, object);
                DesiredStateSql.insert(c, tuples, null);
            }
            return ok;
        });
    }

    private static boolean insertSynced(Connection c, String object, String tenant) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO access_objects (object, tenant, version, synced_version)
                SELECT ?, ?, v, v FROM nextval('acl_version_seq') AS v ON CONFLICT (object) DO NOTHING""")) {
            s.setString(1, object);
            s.setString(2, tenant);
            return s.executeUpdate() == 1;
        }
    }

    private static boolean claimAdoption(Connection c, String object, ReconcileState.ObjectState expected)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE access_objects SET adopt = false
                WHERE object = ? AND adopt AND version = ? AND synced_version >= version""")) {
            s.setString(1, object);
            s.setLong(2, expected.version());
            return s.executeUpdate() == 1;
        }
    }
}
