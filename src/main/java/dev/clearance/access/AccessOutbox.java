package dev.clearance.access;

import dev.clearance.platform.Jdbc;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Work queue of the sync to OpenFGA: objects whose desired version is not yet synced. One worker at
 * a time may write an object's tuples (a lease in PostgreSQL, shared by all replicas); completing a
 * sync is fenced by the version, so a worker that applied a version that is no longer current never
 * marks anything synced (docs/adr/0005). One class past the usual size because claim, renew,
 * complete, fail and release are one protocol: that no stale worker marks a version synced shows
 * only when they are read together. What operators see of the queue is in {@link OutboxBacklog}.
 */
@Singleton
final class AccessOutbox {

    private static final String CLAIMED = "o.object, o.tenant, o.version, o.adopt, o.rejections, o.failures";

    private final DataSource dataSource;

    AccessOutbox(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A leased object: apply {@code desired} (version {@code version}) to OpenFGA. */
    record Claim(
            String object,
            String tenant,
            long version,
            boolean adopt,
            int rejections,
            int failures,
            UUID owner,
            Set<DesiredTuple> desired) {

        Claim withDesired(Set<DesiredTuple> tuples) {
            return new Claim(object, tenant, version, adopt, rejections, failures, owner, Set.copyOf(tuples));
        }
    }

    /**
     * Leases {@code object} when it is pending (or {@code always}), due (a failed attempt backs off),
     * not parked, and nobody holds it.
     */
    Optional<Claim> claim(String object, boolean always, UUID owner, Duration lease) {
        List<Claim> claims = claimWhere(
                "o.object = ? AND o.parked_at IS NULL AND o.next_attempt_at <= now()"
                        + " AND (? OR o.synced_version < o.version)",
                owner,
                lease,
                object,
                always);
        return claims.stream().findFirst();
    }

    /** Leases up to {@code limit} due objects. */
    List<Claim> claimDue(int limit, UUID owner, Duration lease) {
        return claimWhere(
                "o.synced_version < o.version AND o.parked_at IS NULL AND o.next_attempt_at <= now()"
                        + " ORDER BY o.next_attempt_at LIMIT ?",
                owner,
                lease,
                limit);
    }

    private List<Claim> claimWhere(String condition, UUID owner, Duration lease, Object... parameters) {
        String sql = "WITH c AS (SELECT o.object FROM access_objects o WHERE (o.lease_until IS NULL"
                + " OR o.lease_until < now()) AND " + condition + " FOR UPDATE SKIP LOCKED)"
                + " UPDATE access_objects o SET lease_owner = ?, lease_until = now() + make_interval(secs => ?)"
                + " FROM c WHERE o.object = c.object RETURNING " + CLAIMED;
        return Jdbc.inTransaction(dataSource, c -> {
            List<Claim> claims = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql)) {
                int i = 1;
                for (Object parameter : parameters) {
                    s.setObject(i++, parameter);
                }
                s.setObject(i++, owner);
                s.setDouble(i, seconds(lease));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        claims.add(new Claim(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getLong(3),
                                rs.getBoolean(4),
                                rs.getInt(5),
                                rs.getInt(6),
                                owner,
                                Set.of()));
                    }
                }
            }
            var desired =
                    DesiredStateSql.read(c, claims.stream().map(Claim::object).toList());
            List<Claim> withTuples = new ArrayList<>(claims.size());
            for (Claim claim : claims) {
                withTuples.add(claim.withDesired(desired.getOrDefault(claim.object(), Set.of())));
            }
            return withTuples;
        });
    }

    /**
     * The fence before a write: extends the lease to cover the write and any late arrival of it, and
     * says whether this worker still holds the object at the claimed version.
     */
    boolean renew(Claim claim, Duration lease) {
        return update("""
                UPDATE access_objects SET lease_until = now() + make_interval(secs => ?)
                WHERE object = ? AND lease_owner = ? AND version = ?""", seconds(lease), claim.object(), claim.owner(), claim.version()) == 1;
    }

    /**
     * OpenFGA holds the claimed version's tuples. Marks the object (and its document) synced only if
     * that version is still the current one; otherwise the newer version is due at once. Releases
     * the lease either way. Returns whether the claimed version was current.
     */
    boolean complete(Claim claim) {
        return Jdbc.inTransaction(dataSource, c -> {
            DesiredStateSql.lockDocuments(c, claim.tenant(), List.of(claim.object()));
            int synced = update(c, """
                    UPDATE access_objects SET synced_version = version, lease_owner = NULL, lease_until = NULL,
                           rejections = 0, failures = 0, last_error = NULL, adopt = false
                    WHERE object = ? AND lease_owner = ? AND version = ?""", claim.object(), claim.owner(), claim.version());
            if (synced == 0) {
                update(c, """
                        UPDATE access_objects SET lease_owner = NULL, lease_until = NULL, next_attempt_at = now()
                        WHERE object = ? AND lease_owner = ?""", claim.object(), claim.owner());
                return false;
            }
            update(c, """
                    UPDATE documents SET acl_synced_version = acl_version
                    WHERE tenant = ? AND id = ? AND acl_version = ?""", claim.tenant(), documentId(claim), claim.version());
            return true;
        });
    }

    /**
     * The attempt failed. {@code keepLease}: the write's outcome is unknown (it may still land), so
     * nobody else may touch the object until {@code lease} from now has passed. {@code park}:
     * OpenFGA refused the tuples too often; the object waits for an operator. Counters, backoff and
     * parking apply only to the claimed version: a newer one has not been tried yet.
     */
    void fail(
            Claim claim,
            String error,
            boolean rejected,
            boolean keepLease,
            Duration lease,
            Duration retryIn,
            boolean park) {
        Jdbc.inTransaction(dataSource, c -> {
            update(
                    c,
                    """
                    UPDATE access_objects SET last_error = ?, next_attempt_at = now() + make_interval(secs => ?),
                           rejections = rejections + ?, failures = failures + ?,
                           parked_at = CASE WHEN ? THEN now() END
                    WHERE object = ? AND lease_owner = ? AND version = ?""",
                    error.length() > 500 ? error.substring(0, 500) : error,
                    seconds(retryIn),
                    rejected ? 1 : 0,
                    rejected ? 0 : 1,
                    park,
                    claim.object(),
                    claim.owner(),
                    claim.version());
            if (keepLease) {
                return update(c, """
                        UPDATE access_objects SET lease_until = greatest(lease_until, now() + make_interval(secs => ?))
                        WHERE object = ? AND lease_owner = ?""", seconds(lease), claim.object(), claim.owner());
            }
            return release(c, claim);
        });
    }

    /**
     * Gives the object up at once (nothing of this worker's can still land): due at once when a newer
     * version waits, otherwise at the retry time already set.
     */
    void release(Claim claim) {
        Jdbc.inTransaction(dataSource, c -> release(c, claim));
    }

    private static int release(Connection c, Claim claim) throws SQLException {
        return update(c, """
                UPDATE access_objects SET lease_owner = NULL, lease_until = NULL,
                       next_attempt_at = CASE WHEN version <> ? THEN now() ELSE next_attempt_at END
                WHERE object = ? AND lease_owner = ?""", claim.version(), claim.object(), claim.owner());
    }

    /** Whether OpenFGA holds the current desired version of {@code object}. */
    boolean synced(String object) {
        return Jdbc.read(dataSource, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT coalesce(bool_and(synced_version >= version), true) FROM access_objects WHERE object = ?")) {
                s.setString(1, object);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }

    /** The document id of a document object of the claim's tenant (null for folders and groups). */
    private static String documentId(Claim claim) {
        return ObjectIds.documentIdOf(claim.object(), claim.tenant());
    }

    private int update(String sql, Object... parameters) {
        return Jdbc.inTransaction(dataSource, c -> update(c, sql, parameters));
    }

    private static int update(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            return s.executeUpdate();
        }
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
