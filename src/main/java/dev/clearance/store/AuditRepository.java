package dev.clearance.store;

import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Append-only audit records of what was returned to whom. */
@Singleton
public final class AuditRepository {

    private final DataSource dataSource;

    AuditRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** One audit record. {@code chunkIds} are the chunks that left the service. */
    @Serdeable
    public record AuditRecord(
            Instant at,
            String requestId,
            String tenant,
            String userId,
            String agentId,
            String action,
            String queryHash,
            List<Long> chunkIds,
            int denied,
            int errors,
            String modelId,
            String consistency,
            String strategy,
            int latencyMs) {}

    public void append(AuditRecord r) {
        String sql = """
                INSERT INTO audit_log (request_id, tenant, user_id, agent_id, action, query_hash, chunk_ids, denied,
                                       errors, model_id, consistency, strategy, latency_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """;
        Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, r.requestId());
                s.setString(2, r.tenant());
                s.setString(3, r.userId());
                s.setString(4, r.agentId());
                s.setString(5, r.action());
                s.setString(6, r.queryHash());
                s.setArray(7, c.createArrayOf("bigint", r.chunkIds().toArray(Long[]::new)));
                s.setInt(8, r.denied());
                s.setInt(9, r.errors());
                s.setString(10, r.modelId());
                s.setString(11, r.consistency());
                s.setString(12, r.strategy());
                s.setInt(13, r.latencyMs());
                s.executeUpdate();
            }
            return null;
        });
    }

    /** Newest records of a tenant, newest first. */
    public List<AuditRecord> recent(String tenant, int limit) {
        String sql = """
                SELECT at, request_id, tenant, user_id, agent_id, action, query_hash, chunk_ids, denied, errors,
                       model_id, consistency, strategy, latency_ms
                FROM audit_log WHERE tenant = ? ORDER BY at DESC, id DESC LIMIT ?
                """;
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, tenant);
                s.setInt(2, limit);
                List<AuditRecord> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        Long[] ids = (Long[]) rs.getArray(8).getArray();
                        out.add(new AuditRecord(
                                rs.getTimestamp(1).toInstant(),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6),
                                rs.getString(7),
                                List.of(ids),
                                rs.getInt(9),
                                rs.getInt(10),
                                rs.getString(11),
                                rs.getString(12),
                                rs.getString(13),
                                rs.getObject(14) == null ? 0 : rs.getInt(14)));
                    }
                }
                return out;
            }
        });
    }
}
