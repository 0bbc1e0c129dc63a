package dev.clearance.ingest;

import dev.clearance.authz.AuthorizationUnavailableException;
import dev.clearance.authz.RelationshipStore;
import dev.clearance.authz.ScopedTuple;
import dev.clearance.store.AclOutbox;
import dev.clearance.store.DesiredTuple;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives OpenFGA to the desired grants of each document in the outbox: reads the document's current
 * tuples, writes what is missing, deletes what is extra, then marks the document searchable. Runs
 * right after a PUT/DELETE and, for anything that failed, on a schedule with exponential backoff.
 */
@Singleton
final class AclSync {

    private static final Logger LOG = LoggerFactory.getLogger(AclSync.class);
    private static final Set<String> MANAGED = Set.of("parent", "viewer", "editor", "owner");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration HANDOVER_WAIT = Duration.ofSeconds(3);

    private final AclOutbox outbox;
    private final RelationshipStore relationships;
    private final AccessChangeRecorder changes;
    private final MeterRegistry meters;

    AclSync(AclOutbox outbox, RelationshipStore relationships, AccessChangeRecorder changes, MeterRegistry meters) {
        this.outbox = outbox;
        this.relationships = relationships;
        this.changes = changes;
        this.meters = meters;
        Gauge.builder("clearance.outbox.lag.seconds", this, AclSync::lagOrZero)
                .description("Age of the oldest access-rule change not yet in OpenFGA")
                .register(meters);
        Gauge.builder("clearance.outbox.pending", this, AclSync::pendingOrNaN)
                .description("Documents whose access rules are not yet in OpenFGA (not yet searchable)")
                .register(meters);
    }

    /**
     * Syncs one document now and returns whether it is searchable afterwards. When another worker
     * holds the document's entry, waits briefly for it instead of reporting a state it has not
     * reached. Never throws: what is not synced now is retried by {@link #drain()}.
     */
    boolean syncNow(String tenant, String documentId) {
        try {
            boolean applied =
                    outbox.leaseDocument(tenant, documentId, LEASE).stream().allMatch(this::apply);
            if (!applied) {
                return false;
            }
            long deadline = System.nanoTime() + HANDOVER_WAIT.toNanos();
            while (!outbox.settled(tenant, documentId)) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(25);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            LOG.warn("Outbox unavailable for {}/{}: {}", tenant, documentId, e.toString());
            return false;
        }
    }

    @Scheduled(fixedDelay = "${clearance.outbox.interval:2s}", initialDelay = "${clearance.outbox.initial-delay:5s}")
    void drain() {
        try {
            List<AclOutbox.Entry> due;
            do {
                due = outbox.lease(50, LEASE);
                due.forEach(this::apply);
            } while (due.size() == 50);
        } catch (RuntimeException e) {
            LOG.warn("Outbox drain failed: {}", e.toString());
        }
    }

    private boolean apply(AclOutbox.Entry entry) {
        String object = "document:" + entry.tenant() + "/" + entry.documentId();
        try {
            Set<ScopedTuple> desired = new HashSet<>();
            for (DesiredTuple t : entry.desired()) {
                desired.add(new ScopedTuple(t.user(), t.relation(), t.object()));
            }
            Set<ScopedTuple> current = new HashSet<>();
            for (ScopedTuple t : relationships.readByObject(object)) {
                if (MANAGED.contains(t.relation())) {
                    current.add(t);
                }
            }
            List<ScopedTuple> writes =
                    desired.stream().filter(k -> !current.contains(k)).toList();
            List<ScopedTuple> deletes =
                    current.stream().filter(k -> !desired.contains(k)).toList();
            if (!writes.isEmpty() || !deletes.isEmpty()) {
                changes.accessChanged(entry.tenant());
                relationships.write(writes, deletes);
                changes.accessChanged(entry.tenant());
            }
            outbox.complete(entry);
            meters.counter("clearance.outbox.applied", "result", "ok").increment();
            return true;
        } catch (AuthorizationUnavailableException | dev.clearance.authz.InvalidRelationshipException e) {
            Duration retry = Duration.ofSeconds(Math.min(60, 1L << Math.min(6, entry.attempts())));
            LOG.warn(
                    "Access rules of {} not yet in OpenFGA (attempt {}), retry in {}: {}",
                    object,
                    entry.attempts(),
                    retry,
                    e.getMessage());
            outbox.fail(entry, e.getMessage(), retry);
            meters.counter("clearance.outbox.applied", "result", "retry").increment();
            return false;
        }
    }

    private double pendingOrNaN() {
        try {
            return outbox.pending();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private double lagOrZero() {
        try {
            return outbox.lagSeconds();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
