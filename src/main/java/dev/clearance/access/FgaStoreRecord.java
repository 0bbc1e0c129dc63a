package dev.clearance.access;

import dev.clearance.platform.Jdbc;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.sql.DataSource;

/**
 * The OpenFGA store this deployment uses (found by name or created), kept in PostgreSQL. Store names are not unique in
 * OpenFGA, so replicas that start at once against an empty server take turns (an advisory lock) and
 * the first one's store is the one every replica uses.
 */
@Singleton
public final class FgaStoreRecord {

    private final DataSource dataSource;

    FgaStoreRecord(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<String> storeId(String name) {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT store_id FROM fga_store WHERE name = ?")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    public void record(String name, String apiUrl, String storeId) {
        Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO fga_store (name, api_url, store_id) VALUES (?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET api_url = EXCLUDED.api_url, store_id = EXCLUDED.store_id,
                        created_at = now()""")) {
                s.setString(1, name);
                s.setString(2, apiUrl);
                s.setString(3, storeId);
                return s.executeUpdate();
            }
        });
    }

    /** Runs {@code work} while holding the deployment-wide store lock (other replicas wait). */
    public <T> T locked(Callable<T> work) throws Exception {
        try (var c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_lock(hashtext('clearance.fga-store'))")) {
                s.executeQuery().close();
            }
            try {
                return work.call();
            } finally {
                try (PreparedStatement s =
                        c.prepareStatement("SELECT pg_advisory_unlock(hashtext('clearance.fga-store'))")) {
                    s.executeQuery().close();
                }
            }
        }
    }
}
