package dev.clearance.audit;

import dev.clearance.platform.Jdbc;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import javax.sql.DataSource;

/**
 * The audit log's query-hash key when none is configured: one row shared by every replica. The first
 * replica to insert its candidate wins; the others (and later restarts) read that row, so a query
 * hashes to the same value everywhere.
 */
@Singleton
public final class AuditKeyStore {

    private final DataSource dataSource;

    AuditKeyStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The stored key, after storing {@code candidate} if there was none yet. */
    public byte[] keyOrStore(byte[] candidate) {
        return Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO audit_query_key (id, key) VALUES (true, ?) ON CONFLICT (id) DO NOTHING")) {
                s.setBytes(1, candidate);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("SELECT key FROM audit_query_key WHERE id");
                    ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        });
    }
}
