package dev.clearance.store;

import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The transactional outbox of access rules. An entry says "document X must have exactly these
 * tuples, as of version V". Only the newest version of a document matters: older entries are
 * superseded. Entries are leased (not locked) while OpenFGA is called, so a crashed worker's lease
 * simply expires and another worker retries.
 */
@Singleton
public final class AclOutbox {

    private static final Argument<List<DesiredTuple>> TUPLES = Argument.listOf(DesiredTuple.class);

    private final DataSource dataSource;
    private final JsonMapper json;

    AclOutbox(DataSource dataSource, JsonMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /** A leased unit of work: the newest desired state of one document. */
    public record Entry(
            long id, String tenant, String documentId, long aclVersion, List<DesiredTuple> desired, int attempts) {}

    static void enqueue(
            Connection c, JsonMapper json, String tenant, String id, long version, List<DesiredTuple> desired)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO acl_outbox (tenant, document_id, acl_version, desired) VALUES (?, ?, ?, ?::jsonb)")) {
            s.setString(1, tenant);
            s.setString(2, id);
            s.setLong(3, version);
            s.setString(4, json.writeValueAsString(desired));
            s.executeUpdate();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Leases up to {@code limit} due entries (newest per document) for {@code lease}. */
    public List<Entry> lease(int limit, Duration lease) {
        return leaseWhere("""
                SELECT id FROM acl_outbox x
                WHERE x.next_attempt_at <= now()
                  AND x.acl_version = (SELECT max(acl_version) FROM acl_outbox y
                                       WHERE y.tenant = x.tenant AND y.document_id = x.document_id)
                ORDER BY x.id LIMIT ? FOR UPDATE SKIP LOCKED""", lease, limit);
    }

    /** Leases the newest entry of one document right away (used after a PUT, to answer synced). */
    public List<Entry> leaseDocument(String tenant, String documentId, Duration lease) {
        return leaseWhere("""
                SELECT id FROM acl_outbox x WHERE x.tenant = ? AND x.document_id = ?
                ORDER BY x.acl_version DESC LIMIT 1 FOR UPDATE SKIP LOCKED""", lease, tenant, documentId);
    }

    /** Pushes the next attempt of the selected entries past the lease and returns them. */
    private List<Entry> leaseWhere(String selectIds, Duration lease, Object... parameters) {
        String sql = "UPDATE acl_outbox o SET next_attempt_at = now() + make_interval(secs => ?),"
                + " attempts = attempts + 1 WHERE o.id IN (" + selectIds + ")"
                + " RETURNING o.id, o.tenant, o.document_id, o.acl_version, o.desired::text, o.attempts";
        return Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setDouble(1, lease.toMillis() / 1000.0);
                for (int i = 0; i < parameters.length; i++) {
                    s.setObject(i + 2, parameters[i]);
                }
                List<Entry> entries = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        entries.add(new Entry(
                                rs.getLong(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getLong(4),
                                parse(rs.getString(5)),
                                rs.getInt(6)));
                    }
                }
                return entries;
            }
        });
    }

    /**
     * OpenFGA now holds the entry's tuples: drop it and every older entry of the document, and mark
     * the document searchable if this entry is still its current version.
     */
    public void complete(Entry entry) {
        Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM acl_outbox WHERE tenant = ? AND document_id = ? AND acl_version <= ?")) {
                s.setString(1, entry.tenant());
                s.setString(2, entry.documentId());
                s.setLong(3, entry.aclVersion());
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE documents SET acl_synced_version = acl_version
                    WHERE tenant = ? AND id = ? AND acl_version = ?""")) {
                s.setString(1, entry.tenant());
                s.setString(2, entry.documentId());
                s.setLong(3, entry.aclVersion());
                s.executeUpdate();
            }
            return null;
        });
    }

    /** Records a failure; the entry is retried after {@code retryIn}. */
    public void fail(Entry entry, String error, Duration retryIn) {
        Jdbc.inTransaction(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE acl_outbox SET last_error = ?, next_attempt_at = now() + make_interval(secs => ?)
                    WHERE id = ?""")) {
                s.setString(1, error.length() > 500 ? error.substring(0, 500) : error);
                s.setDouble(2, retryIn.toMillis() / 1000.0);
                s.setLong(3, entry.id());
                s.executeUpdate();
            }
            return null;
        });
    }

    /** True when no access-rule change of the document is pending (its current grants are in OpenFGA). */
    public boolean settled(String tenant, String documentId) {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT NOT EXISTS (SELECT 1 FROM acl_outbox WHERE tenant = ? AND document_id = ?)")) {
                s.setString(1, tenant);
                s.setString(2, documentId);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }

    /** Seconds since the oldest pending entry was written (0 when empty): the outbox lag. */
    /** How many documents' access rules are waiting to be written to OpenFGA. */
    public long pending() {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM acl_outbox");
                    ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    public double lagSeconds() {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(
                            "SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM acl_outbox");
                    ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        });
    }

    private List<DesiredTuple> parse(String text) {
        try {
            return json.readValue(text, TUPLES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
