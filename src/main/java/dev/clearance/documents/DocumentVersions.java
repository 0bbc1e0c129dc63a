package dev.clearance.documents;

import dev.clearance.platform.Jdbc;
import dev.clearance.platform.QueryTimer;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The last read before text leaves the service (search and GET): the access-rule versions that are
 * current now, to confirm that a decision was made for the rules that govern the text returned.
 */
@Singleton
public final class DocumentVersions {

    private final DataSource dataSource;
    private final QueryTimer timer;

    DocumentVersions(DataSource dataSource, QueryTimer timer) {
        this.dataSource = dataSource;
        this.timer = timer;
    }

    /**
     * The current access-rule version of each given document that still exists and whose rules are
     * synced to OpenFGA; documents missing from the answer were deleted or are waiting for their new
     * rules. One statement, so the answer is one consistent view of all of them.
     */
    public Map<String, Long> syncedVersions(String tenant, Collection<String> documents) {
        String sql = "SELECT id, acl_version FROM documents WHERE tenant = ? AND id = ANY (?)"
                + " AND acl_synced_version >= acl_version";
        return timer.time(
                "synced_versions",
                () -> Jdbc.read(dataSource, c -> {
                    try (PreparedStatement s = c.prepareStatement(sql)) {
                        s.setString(1, tenant);
                        s.setArray(2, c.createArrayOf("text", documents.toArray(String[]::new)));
                        Map<String, Long> out = new HashMap<>();
                        try (ResultSet rs = s.executeQuery()) {
                            while (rs.next()) {
                                out.put(rs.getString(1), rs.getLong(2));
                            }
                        }
                        return out;
                    }
                }));
    }
}
