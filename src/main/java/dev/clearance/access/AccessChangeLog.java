package dev.clearance.access;

import dev.clearance.platform.Jdbc;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Per tenant: when its access rules last changed and its access epoch, a counter raised by every
 * change (shared by all service instances through PostgreSQL).
 */
@Singleton
public final class AccessChangeLog {

    /**
     * What a search must know before it asks for any decision. {@code epoch}: cached decisions of
     * another epoch are void. {@code changedRecently}: a change lies within the consistency window,
     * so OpenFGA must be asked to bypass its own caches.
     */
    public record TenantAccess(long epoch, boolean changedRecently) {}

    private final DataSource dataSource;
    private final Duration window;

    AccessChangeLog(DataSource dataSource, AccessProperties properties) {
        this.dataSource = dataSource;
        this.window = properties.consistencyWindow();
    }

    /**
     * Records a change: called by the sync before it writes to OpenFGA and again once OpenFGA has
     * answered, before the change is reported done. The second call is what retires decisions made
     * while the write was in flight.
     */
    public void touch(String tenant) {
        Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO access_changes (tenant, changed_at, epoch) VALUES (?, clock_timestamp(), 1)
                    ON CONFLICT (tenant) DO UPDATE
                    SET changed_at = EXCLUDED.changed_at, epoch = access_changes.epoch + 1""")) {
                s.setString(1, tenant);
                s.executeUpdate();
            }
            return null;
        });
    }

    /** The tenant's epoch, and whether its access rules changed within the consistency window. */
    public TenantAccess read(String tenant) {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT epoch, changed_at > clock_timestamp() - make_interval(secs => ?)
                    FROM access_changes WHERE tenant = ?""")) {
                s.setDouble(1, window.toMillis() / 1000.0);
                s.setString(2, tenant);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? new TenantAccess(rs.getLong(1), rs.getBoolean(2)) : new TenantAccess(0, false);
                }
            }
        });
    }
}
