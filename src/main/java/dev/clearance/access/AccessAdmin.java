package dev.clearance.access;

import dev.clearance.contract.Scopes;
import dev.clearance.identity.Caller;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;

/**
 * What operators and writers may see of the access state, always of the caller's own tenant and
 * with tenant-relative ids: parked objects, recorded drift, a reconciliation, and the tuples a
 * writer asked for under its own name.
 */
@Singleton
public final class AccessAdmin {

    private final OutboxBacklog backlog;
    private final DriftLog driftLog;
    private final Reconciler reconciler;
    private final DesiredState desired;

    private final io.micronaut.scheduling.TaskScheduler scheduler;

    AccessAdmin(
            OutboxBacklog backlog,
            DriftLog driftLog,
            Reconciler reconciler,
            DesiredState desired,
            @jakarta.inject.Named(io.micronaut.scheduling.TaskExecutors.SCHEDULED)
                    io.micronaut.scheduling.TaskScheduler scheduler) {
        this.scheduler = scheduler;
        this.backlog = backlog;
        this.driftLog = driftLog;
        this.reconciler = reconciler;
        this.desired = desired;
    }

    @Serdeable
    public record ParkedObject(String object, long version, String lastError, int refusals, Instant parkedAt) {}

    @Serdeable
    public record DriftEntry(String kind, Relationship tuple) {}

    /** One page of tuples; {@code next} continues it (absent on the last page). */
    @Serdeable
    public record TuplePage(List<Relationship> relationships, String next) {}

    public List<ParkedObject> parked(Caller caller) {
        caller.requireScope(Scopes.ACCESS_ADMIN);
        return backlog.parked(caller.tenant()).stream()
                .map(p -> new ParkedObject(
                        TupleScoper.unscope(caller.tenant(), p.object()),
                        p.version(),
                        p.lastError(),
                        p.rejections(),
                        p.parkedAt()))
                .toList();
    }

    public int retryParked(Caller caller) {
        caller.requireScope(Scopes.ACCESS_ADMIN);
        return backlog.retryParked(caller.tenant());
    }

    public List<DriftEntry> drift(Caller caller, int limit) {
        caller.requireScope(Scopes.ACCESS_ADMIN);
        return driftLog.recent(caller.tenant(), limit).stream()
                .map(d -> new DriftEntry(d.kind(), relative(caller, d.tuple())))
                .toList();
    }

    /**
     * Starts a reconciliation in the background. It covers the whole store, so its duration and
     * whether another one is running depend on other tenants: the caller learns neither, only where
     * its own tenant's findings appear ({@link #drift}).
     */
    public void reconcile(Caller caller) {
        caller.requireScope(Scopes.ACCESS_ADMIN);
        scheduler.schedule(java.time.Duration.ZERO, () -> {
            try {
                reconciler.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(AccessAdmin.class).warn("Reconciliation failed: {}", e.toString());
            }
        });
    }

    public TuplePage managedBy(Caller caller, String managedBy, String after, int limit) {
        caller.requireScope(Scopes.RELATIONSHIPS_WRITE);
        List<DesiredTuple> page = desired.managedBy(caller.tenant(), managedBy, after, limit);
        String next = page.size() < limit ? null : key(page.get(page.size() - 1));
        return new TuplePage(page.stream().map(t -> relative(caller, t)).toList(), next);
    }

    private static String key(DesiredTuple t) {
        return t.object() + " " + t.relation() + " " + t.user();
    }

    private static Relationship relative(Caller caller, DesiredTuple t) {
        return new Relationship(
                TupleScoper.unscope(caller.tenant(), t.user()),
                t.relation(),
                TupleScoper.unscope(caller.tenant(), t.object()));
    }
}
