package dev.clearance.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.identity.Caller;
import dev.clearance.platform.RequestRef;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class AuditTrailTest {

    /**
     * A request that fails closed while PostgreSQL is down too cannot be audited; it must still fail
     * with its own cause (the authorization error the caller gets as 503), not with the audit's.
     */
    @Test
    void aRefusalThatCannotBeRecordedKeepsItsOwnCause() {
        DataSource down = (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    throw new SQLException("database down");
                });
        AuditTrail trail = new AuditTrail(new AuditRepository(down), new QueryHasher(null, "key"));
        RuntimeException failure = new IllegalStateException("authorization unavailable");

        // Does not throw: the caller goes on to throw the failure itself.
        trail.record(
                new AuditTrail.Unavailable(
                        RequestRef.generated(),
                        new Caller("acme", "ana", Optional.empty(), Set.of()),
                        "search",
                        "salary bands",
                        null,
                        "MINIMIZE_LATENCY",
                        5),
                failure);

        assertEquals(1, failure.getSuppressed().length, "the audit failure rides along");
        Throwable cause = failure.getSuppressed()[0];
        while (cause.getCause() != null && !(cause instanceof SQLException)) {
            cause = cause.getCause();
        }
        assertTrue(cause instanceof SQLException, "the suppressed failure is the database's: " + cause);
    }
}
