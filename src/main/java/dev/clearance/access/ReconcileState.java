package dev.clearance.access;

import dev.clearance.platform.Jdbc;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** What the reconciler reads and writes besides the desired tuples (docs/adr/0005). */
@Singleton
public final class ReconcileState {

    private final DataSource dataSource;

    ReconcileState(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** An object's sync state at one moment; the reconciler only judges objects that stood still. */
    public record ObjectState(String tenant, long version, boolean synced, boolean adopt) {}

    /** A difference between OpenFGA and the desired state. */
    public record Drift(String tenant, String kind, DesiredTuple tuple) {}

    public Map<String, ObjectState> objects() {
        return Jdbc.read(dataSource, c -> {
            Map<String, ObjectState> out = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement(
                            "SELECT object, tenant, version, synced_version >= version, adopt FROM access_objects");
                    ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.put(
                            rs.getString(1),
                            new ObjectState(rs.getString(2), rs.getLong(3), rs.getBoolean(4), rs.getBoolean(5)));
                }
            }
            return out;
        });
    }

    /**
     * Of the given objects, those whose desired tuples are not known yet (written before schema 4),
     * each with its state (null: no row, while adoption of unknown objects is pending).
     */
    public Map<String, ObjectState> awaitingAdoption(Collection<String> objects) {
        return Jdbc.read(dataSource, c -> {
            Map<String, ObjectState> out = new HashMap<>();
            Map<String, ObjectState> known = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT object, tenant, version, synced_version >= version, adopt FROM access_objects
                    WHERE object = ANY (?)""")) {
                s.setArray(1, c.createArrayOf("text", objects.toArray(String[]::new)));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        known.put(
                                rs.getString(1),
                                new ObjectState(rs.getString(2), rs.getLong(3), rs.getBoolean(4), rs.getBoolean(5)));
                    }
                }
            }
            known.forEach((object, state) -> {
                if (state.adopt()) {
                    out.put(object, state);
                }
            });
            if (known.size() < objects.size() && adoptionPending(c)) {
                objects.stream().filter(o -> !known.containsKey(o)).forEach(o -> out.put(o, null));
            }
            return out;
        });
    }

    /** Whether tuples written before schema 4 (unknown to PostgreSQL) are still to be adopted. */
    public boolean adoptionPending() {
        return Jdbc.read(dataSource, ReconcileState::adoptionPending);
    }

    private static boolean adoptionPending(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT coalesce(bool_or(pending), false) FROM access_adoption");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    public void adoptionDone() {
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
    public boolean adopt(String object, String tenant, ObjectState expected, Collection<DesiredTuple> tuples) {
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

    private static boolean claimAdoption(Connection c, String object, ObjectState expected) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE access_objects SET adopt = false
                WHERE object = ? AND adopt AND version = ? AND synced_version >= version""")) {
            s.setString(1, object);
            s.setLong(2, expected.version());
            return s.executeUpdate() == 1;
        }
    }

    public void recordDrift(List<Drift> drift) {
        if (drift.isEmpty()) {
            return;
        }
        Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO access_drift (tenant, kind, object, relation, subject) VALUES (?, ?, ?, ?, ?)")) {
                for (Drift d : drift) {
                    s.setString(1, d.tenant());
                    s.setString(2, d.kind());
                    s.setString(3, d.tuple().object());
                    s.setString(4, d.tuple().relation());
                    s.setString(5, d.tuple().user());
                    s.addBatch();
                }
                return s.executeBatch();
            }
        });
    }

    /** Drift recorded for a tenant, newest first (for operators). */
    public List<Drift> recentDrift(String tenant, int limit) {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT kind, subject, relation, object FROM access_drift WHERE tenant = ?
                    ORDER BY at DESC, id DESC LIMIT ?""")) {
                s.setString(1, tenant);
                s.setInt(2, limit);
                List<Drift> out = new java.util.ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Drift(
                                tenant,
                                rs.getString(1),
                                new DesiredTuple(rs.getString(2), rs.getString(3), rs.getString(4))));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Runs {@code work} unless another replica runs it (a PostgreSQL advisory lock held on one
     * connection for the duration). Empty when it was not run.
     */
    public <T> Optional<T> exclusively(String name, Supplier<T> work) {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return Optional.empty();
                    }
                }
            }
            try {
                return Optional.of(work.get());
            } finally {
                try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
                    s.setString(1, name);
                    s.executeQuery().close();
                }
            }
        });
    }
}
