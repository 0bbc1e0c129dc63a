package dev.clearance.access;

import dev.clearance.platform.Jdbc;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What operators and alerts see of the sync queue: how much waits and for how long, which objects
 * are parked, and the operator's retry of them. Apart from {@link AccessOutbox} because none of it
 * takes part in the lease: it reads or resets rows no worker holds.
 */
@Singleton
final class OutboxBacklog {

    private final DataSource dataSource;

    OutboxBacklog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Objects waiting to be synced, objects parked, and the age in seconds of the oldest change. */
    record Backlog(long pending, long parked, double lagSeconds) {}

    /** An object whose tuples OpenFGA refused too often; an operator looks at it and retries. */
    record Parked(String object, long version, String lastError, int rejections, Instant parkedAt) {}

    Backlog backlog() {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT count(*) FILTER (WHERE parked_at IS NULL), count(*) FILTER (WHERE parked_at IS NOT NULL),
                           coalesce(extract(epoch FROM now() - min(changed_at) FILTER (WHERE parked_at IS NULL)), 0)
                    FROM access_objects WHERE synced_version < version""");
                    ResultSet rs = s.executeQuery()) {
                rs.next();
                return new Backlog(rs.getLong(1), rs.getLong(2), rs.getDouble(3));
            }
        });
    }

    /** The parked objects of a tenant. */
    List<Parked> parked(String tenant) {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT object, version, last_error, rejections, parked_at FROM access_objects
                    WHERE tenant = ? AND parked_at IS NOT NULL ORDER BY parked_at, object LIMIT 1000""")) {
                s.setString(1, tenant);
                List<Parked> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Parked(
                                rs.getString(1),
                                rs.getLong(2),
                                rs.getString(3),
                                rs.getInt(4),
                                rs.getTimestamp(5).toInstant()));
                    }
                }
                return out;
            }
        });
    }

    /** Puts a tenant's parked objects back in the queue; returns how many. */
    int retryParked(String tenant) {
        return Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE access_objects SET parked_at = NULL, rejections = 0, next_attempt_at = now()
                    WHERE tenant = ? AND parked_at IS NOT NULL""")) {
                s.setObject(1, tenant);
                return s.executeUpdate();
            }
        });
    }
}
