package dev.clearance.access;

import dev.clearance.platform.Jdbc;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * What the reconciler reads besides the tuples: every object's sync state, and the lock that lets
 * one replica at a time run it (docs/adr/0005). Adoption and the drift found are kept by {@link
 * Adoption} and {@link DriftLog}.
 */
@Singleton
final class ReconcileState {

    private final DataSource dataSource;

    ReconcileState(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** An object's sync state at one moment; the reconciler only judges objects that stood still. */
    record ObjectState(String tenant, long version, boolean synced, boolean adopt) {}

    Map<String, ObjectState> objects() {
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
     * Runs {@code work} unless another replica runs it (a PostgreSQL advisory lock held on one
     * connection for the duration). Empty when it was not run.
     */
    <T> Optional<T> exclusively(String name, Supplier<T> work) {
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
