package dev.clearance.audit;

import dev.clearance.platform.Jdbc;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Append-only audit records of what was returned to whom. */
@Singleton
public final class AuditRepository {

    /** Written by {@link #append}; {@code at} is the database's clock, the same for every replica. */
    private static final String WRITTEN = """
            request_id, client_request_id, tenant, user_id, agent_id, action, query_hash, chunk_ids,
            document_ids, outcome, candidates, checked, denied, rounds, strategy, vector_search,
            model_id, consistency, latency_ms
            """;

    private static final String COLUMNS = "at, " + WRITTEN;

    private final DataSource dataSource;

    AuditRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * One audit record. {@code requestId} is the server's id of the request, {@code clientRequestId}
     * the caller's {@code X-Request-Id} if it sent a usable one. {@code chunkIds} are the chunks that
     * left the service; {@code documentIds} the documents asked for by id. The {@code outcome} of a
     * read is {@code allowed} or {@code not_found}, of a search {@code answered}; either is {@code
     * unavailable} when authorization could not be decided (503, nothing left). The counts describe
     * how a search found its results and are absent for reads by id and refused requests. {@code
     * at} is null when appending: the database stamps it.
     */
    @Serdeable
    public record AuditRecord(
            @Nullable Instant at,
            String requestId,
            @Nullable String clientRequestId,
            String tenant,
            String userId,
            @Nullable String agentId,
            String action,
            @Nullable String queryHash,
            List<Long> chunkIds,
            List<String> documentIds,
            @Nullable String outcome,
            @Nullable Integer candidates,
            @Nullable Integer checked,
            int denied,
            @Nullable Integer rounds,
            @Nullable String strategy,
            @Nullable String vectorSearch,
            @Nullable String modelId,
            @Nullable String consistency,
            int latencyMs) {

        public AuditRecord {
            chunkIds = List.copyOf(chunkIds);
            documentIds = List.copyOf(documentIds);
        }
    }

    public void append(AuditRecord r) {
        String sql = "INSERT INTO audit_log (" + WRITTEN + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?, ?, ?)";
        Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, r.requestId());
                s.setString(2, r.clientRequestId());
                s.setString(3, r.tenant());
                s.setString(4, r.userId());
                s.setString(5, r.agentId());
                s.setString(6, r.action());
                s.setString(7, r.queryHash());
                s.setArray(8, c.createArrayOf("bigint", r.chunkIds().toArray(Long[]::new)));
                s.setArray(9, c.createArrayOf("text", r.documentIds().toArray(String[]::new)));
                s.setString(10, r.outcome());
                setInteger(s, 11, r.candidates());
                setInteger(s, 12, r.checked());
                s.setInt(13, r.denied());
                setInteger(s, 14, r.rounds());
                s.setString(15, r.strategy());
                s.setString(16, r.vectorSearch());
                s.setString(17, r.modelId());
                s.setString(18, r.consistency());
                s.setInt(19, r.latencyMs());
                s.executeUpdate();
            }
            return null;
        });
    }

    /** Newest records of a tenant, newest first. */
    public List<AuditRecord> recent(String tenant, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM audit_log WHERE tenant = ? ORDER BY at DESC, id DESC LIMIT ?";
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, tenant);
                s.setInt(2, limit);
                List<AuditRecord> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    private static AuditRecord read(ResultSet rs) throws SQLException {
        return new AuditRecord(
                rs.getTimestamp(1).toInstant(),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                List.of((Long[]) rs.getArray(9).getArray()),
                List.of((String[]) rs.getArray(10).getArray()),
                rs.getString(11),
                integer(rs, 12),
                integer(rs, 13),
                rs.getInt(14),
                integer(rs, 15),
                rs.getString(16),
                rs.getString(17),
                rs.getString(18),
                rs.getString(19),
                rs.getInt(20));
    }

    private static void setInteger(PreparedStatement s, int index, Integer value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setInt(index, value);
        }
    }

    private static Integer integer(ResultSet rs, int index) throws SQLException {
        int value = rs.getInt(index);
        return rs.wasNull() ? null : value;
    }
}
