package dev.clearance.access;

import dev.clearance.platform.StoreException;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives OpenFGA to the desired state, one object at a time, with one writer per object across all
 * replicas (docs/adr/0005): lease the object, read its tuples from OpenFGA, renew the lease as a
 * fence, write the difference, and mark the version synced only if it is still the current one. A
 * write whose outcome is unknown keeps the lease until it can no longer land. Runs right after each
 * change (so the request can answer "in effect") and on a schedule for whatever is left. One class
 * past the usual size because an attempt's steps and every way it can end are one protocol: when
 * the lease is kept and when it is given up shows only when they are read together.
 */
@Singleton
public final class AccessSync {

    private static final Logger LOG = LoggerFactory.getLogger(AccessSync.class);
    private static final int DRAIN_BATCH = 50;

    private final AccessOutbox outbox;
    private final RelationshipStore relationships;
    private final AccessChangeLog changes;
    private final AccessProperties properties;
    private final SyncMetrics metrics;
    private final Duration readLease;
    private final Duration writeLease;
    /** Bounded: every apply holds a database connection for a moment and makes OpenFGA calls. */
    private final ExecutorService appliers = Executors.newFixedThreadPool(
            4, Thread.ofPlatform().name("access-sync-", 0).daemon().factory());

    AccessSync(
            AccessOutbox outbox,
            RelationshipStore relationships,
            AccessChangeLog changes,
            AccessProperties properties,
            FgaProperties fga,
            SyncMetrics metrics) {
        this.outbox = outbox;
        this.relationships = relationships;
        this.changes = changes;
        this.properties = properties;
        this.metrics = metrics;
        Duration call = fga.callTimeout();
        this.readLease = call.plusSeconds(2);
        this.writeLease = call.plus(properties.lateWriteGrace()).plusSeconds(2);
    }

    /**
     * Syncs the objects now, waiting up to the configured time for work another worker holds.
     * Returns whether OpenFGA holds the current desired state of all of them. Never throws: what is
     * not synced now is retried by {@link #drain()}.
     */
    public boolean syncNow(Collection<String> objects) {
        Set<String> waiting = new LinkedHashSet<>(objects);
        long deadline = System.nanoTime() + properties.syncWait().toNanos();
        UUID owner = UUID.randomUUID();
        try {
            while (true) {
                List<AccessOutbox.Claim> claimed = new ArrayList<>();
                for (String object : waiting) {
                    outbox.claim(object, false, owner, readLease).ifPresent(claimed::add);
                }
                applyAll(claimed);
                waiting.removeIf(outbox::synced);
                if (waiting.isEmpty()) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(25);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (StoreException e) {
            LOG.warn("Access state unavailable while syncing {}: {}", objects, e.toString());
            return false;
        }
    }

    /**
     * Applies independent objects side by side: a change naming ten objects costs about one object's
     * OpenFGA round trips instead of ten (each object has its own lease, so they cannot interfere).
     */
    private void applyAll(List<AccessOutbox.Claim> claimed) throws InterruptedException {
        if (claimed.size() == 1) {
            apply(claimed.get(0));
            return;
        }
        List<Callable<Boolean>> work = new ArrayList<>();
        claimed.forEach(claim -> work.add(() -> apply(claim)));
        for (Future<Boolean> done : appliers.invokeAll(work)) {
            try {
                done.get();
            } catch (ExecutionException e) {
                LOG.warn("Access sync failed: {}", e.getCause().toString());
            }
        }
    }

    @PreDestroy
    void close() {
        appliers.shutdownNow();
    }

    @Scheduled(fixedDelay = "${clearance.outbox.interval:2s}", initialDelay = "${clearance.outbox.initial-delay:5s}")
    public void drain() {
        UUID owner = UUID.randomUUID();
        try {
            List<AccessOutbox.Claim> due;
            do {
                due = outbox.claimDue(DRAIN_BATCH, owner, readLease);
                due.forEach(this::apply);
            } while (due.size() == DRAIN_BATCH);
        } catch (RuntimeException e) {
            LOG.warn("Access sync drain failed: {}", e.toString());
        }
    }

    /** Thrown by the fence when this worker may no longer write the object. */
    private static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super(null, null, false, false);
        }
    }

    /** Applies one leased object; true when its claimed version is now synced. */
    private boolean apply(AccessOutbox.Claim claim) {
        boolean[] sent = {false};
        try {
            Set<DesiredTuple> current = new HashSet<>(relationships.readByObject(claim.object()));
            List<DesiredTuple> writes = diff(claim.desired(), current);
            List<DesiredTuple> deletes = diff(current, claim.desired());
            if (!writes.isEmpty() || !deletes.isEmpty()) {
                changes.touch(claim.tenant());
                // The fence before every Write request: a large change is several requests, and each
                // must still be this worker's, with a lease that covers its late arrival.
                relationships.write(writes, deletes, () -> {
                    if (!outbox.renew(claim, writeLease)) {
                        throw new LeaseLost();
                    }
                    sent[0] = true;
                });
            }
            // Raised even when nothing was left to write: an earlier attempt's Write may have landed
            // after its timeout, and decisions cached since that attempt's raise were taken under the
            // old rules. Only a raise after the landing (seen by the read above) retires them.
            changes.touch(claim.tenant());
            return metrics.done(outbox.complete(claim) ? "ok" : "superseded");
        } catch (LeaseLost e) {
            // Every request sent so far was answered; a newer version (or worker) takes over now.
            outbox.release(claim);
            return metrics.done("lease_lost");
        } catch (InvalidRelationshipException e) {
            // OpenFGA validated the request and refused it: nothing of that request was written.
            boolean park = claim.rejections() + 1 >= properties.parkAfter();
            LOG.warn(
                    "OpenFGA refused the tuples of {} (refusal {}){}",
                    claim.object(),
                    claim.rejections() + 1,
                    park ? "; parked for an operator" : "");
            // Its answer is known (a refusal): no lease is kept.
            outbox.fail(claim, e.getMessage(), true, false, writeLease, backoff(claim.rejections()), park);
            return metrics.done(park ? "parked" : "rejected");
        } catch (AuthorizationUnavailableException | StoreException e) {
            LOG.warn(
                    "Tuples of {} not yet in OpenFGA (attempt {}{}): {}",
                    claim.object(),
                    claim.failures() + 1,
                    sent[0] ? ", outcome unknown" : "",
                    e.getMessage());
            try {
                outbox.fail(claim, e.getMessage(), false, sent[0], writeLease, backoff(claim.failures()), false);
            } catch (StoreException ignored) {
                // The lease runs out by itself.
            }
            return metrics.done("retry");
        }
    }

    private static List<DesiredTuple> diff(Set<DesiredTuple> from, Set<DesiredTuple> minus) {
        return from.stream().filter(t -> !minus.contains(t)).toList();
    }

    private static Duration backoff(int attempts) {
        return Duration.ofSeconds(Math.min(60, 1L << Math.min(6, attempts)));
    }
}
