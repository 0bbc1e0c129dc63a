package dev.clearance.documents;

import dev.clearance.access.ConcurrentChangeException;
import dev.clearance.platform.Jdbc;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Which writer (an ingest job, by name) holds each document: its SQL, apart from the document's own. */
@Singleton
final class DocumentOwners {

    private final DataSource dataSource;

    DocumentOwners(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records a new writer of a document whose content and grants are unchanged, without touching
     * anything else. Applies only while the row still has the content and grants the caller saw: a
     * concurrent PUT in between makes it fail with {@link ConcurrentChangeException}, so the caller
     * decides again instead of tagging the other PUT's document with its own writer.
     */
    void recordManagedBy(String tenant, String id, String contentHash, String grantsHash, String managedBy) {
        Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE documents SET managed_by = ?
                    WHERE tenant = ? AND id = ? AND content_hash = ? AND grants_hash = ?""")) {
                s.setString(1, managedBy);
                s.setString(2, tenant);
                s.setString(3, id);
                s.setString(4, contentHash);
                s.setString(5, grantsHash);
                if (s.executeUpdate() == 0) {
                    throw new ConcurrentChangeException(id);
                }
            }
            return null;
        });
    }

    /**
     * One page of the ids of a tenant's documents written under {@code managedBy}, in id order,
     * after {@code afterId} (null: from the start). Documents still waiting for their grants are
     * listed too: the writer owns them as soon as they exist.
     */
    List<String> idsManagedBy(String tenant, String managedBy, String afterId, int limit) {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT id FROM documents WHERE tenant = ? AND managed_by = ? AND id > ?
                    ORDER BY id LIMIT ?""")) {
                s.setString(1, tenant);
                s.setString(2, managedBy);
                s.setString(3, afterId == null ? "" : afterId);
                s.setInt(4, limit);
                List<String> ids = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
                return ids;
            }
        });
    }
}
