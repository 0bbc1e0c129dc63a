package dev.clearance.store;

import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import javax.sql.DataSource;

/** Per-tenant time of the last change of access rules (shared by all service instances). */
@Singleton
public final class AccessChangeLog {

    private final DataSource dataSource;

    AccessChangeLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void touch(String tenant) {
        Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO access_changes (tenant, changed_at) VALUES (?, clock_timestamp())
                    ON CONFLICT (tenant) DO UPDATE SET changed_at = EXCLUDED.changed_at""")) {
                s.setString(1, tenant);
                s.executeUpdate();
            }
            return null;
        });
    }

    /** Whether the tenant's access rules changed within {@code window} of now. */
    public boolean changedWithin(String tenant, Duration window) {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT EXISTS (SELECT 1 FROM access_changes
                                   WHERE tenant = ? AND changed_at > clock_timestamp() - make_interval(secs => ?))""")) {
                s.setString(1, tenant);
                s.setDouble(2, window.toMillis() / 1000.0);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }
}
