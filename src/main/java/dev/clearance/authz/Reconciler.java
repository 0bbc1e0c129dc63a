package dev.clearance.authz;

import dev.clearance.store.DesiredState;
import dev.clearance.store.DesiredTuple;
import dev.clearance.store.ReconcileState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.TaskScheduler;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares every tuple in OpenFGA with the desired state in PostgreSQL and repairs the difference
 * (docs/adr/0005): tuples lost (a store wiped or restored from an old backup) are written again,
 * tuples added behind the service's back or left by a stale write are removed and reported. An
 * object found drifting gets a new version first, so a document stays hidden until it is repaired.
 * Only objects that stood still during the scan are judged; the others are being synced anyway.
 */
@Singleton
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** Objects the service manages: {@code type:tenant/id} of the model's non-principal types. */
    private static final Pattern MANAGED = Pattern.compile("(document|folder|group):([^/]+)/.+");

    private final RelationshipStore fga;
    private final DesiredState desired;
    private final ReconcileState state;
    private final AccessSync sync;
    private final AccessProperties properties;
    private final MeterRegistry meters;
    private final TaskScheduler scheduler;

    Reconciler(
            @Named(TaskExecutors.SCHEDULED) TaskScheduler scheduler,
            RelationshipStore fga,
            DesiredState desired,
            ReconcileState state,
            AccessSync sync,
            AccessProperties properties,
            MeterRegistry meters) {
        this.scheduler = scheduler;
        this.fga = fga;
        this.desired = desired;
        this.state = state;
        this.sync = sync;
        this.properties = properties;
        this.meters = meters;
    }

    /** What one run found, per tenant and kind ({@code missing}, {@code extra}, {@code adopted}). */
    public record Report(int objects, long tuples, Map<String, Map<String, Integer>> byTenant, boolean ran) {

        public Map<String, Integer> of(String tenant) {
            return byTenant.getOrDefault(tenant, Map.of());
        }
    }

    /** Scheduled here, not by annotation, because an interval of 0 means "never" (no schedule at all). */
    @PostConstruct
    void schedule() {
        if (!properties.reconcileInterval().isZero()) {
            scheduler.scheduleWithFixedDelay(
                    properties.reconcileInitialDelay(), properties.reconcileInterval(), this::scheduled);
        }
    }

    private void scheduled() {
        try {
            run();
        } catch (RuntimeException e) {
            LOG.warn("Reconciliation failed: {}", e.toString());
        }
    }

    /** One run, unless another replica is running one (then {@code ran} is false). */
    public Report run() {
        Optional<Report> report = state.exclusively("clearance.reconcile", this::reconcile);
        return report.orElse(new Report(0, 0, Map.of(), false));
    }

    private Report reconcile() {
        long started = System.nanoTime();
        boolean adopting = state.adoptionPending();
        Map<String, ReconcileState.ObjectState> before = state.objects();
        Map<String, Set<DesiredTuple>> actual = new HashMap<>();
        long[] tuples = {0};
        fga.readAll(page -> page.forEach(t -> {
            if (MANAGED.matcher(t.object()).matches()) {
                tuples[0]++;
                actual.computeIfAbsent(t.object(), o -> new HashSet<>())
                        .add(new DesiredTuple(t.user(), t.relation(), t.object()));
            }
        }));
        Map<String, ReconcileState.ObjectState> after = state.objects();
        Set<String> objects = new HashSet<>(after.keySet());
        objects.addAll(actual.keySet());
        Map<String, Map<String, Integer>> counts = new TreeMap<>();
        List<ReconcileState.Drift> drift = new ArrayList<>();
        List<String> repair = new ArrayList<>();
        for (List<String> batch : batches(objects)) {
            Map<String, Set<DesiredTuple>> wanted = desired.of(batch);
            for (String object : batch) {
                ReconcileState.ObjectState was = before.get(object);
                ReconcileState.ObjectState is = after.get(object);
                Set<DesiredTuple> has = actual.getOrDefault(object, Set.of());
                String tenant = tenantOf(object);
                if (is == null && was == null) {
                    if (adopting) {
                        state.adopt(object, tenant, null, has);
                        count(counts, tenant, "adopted", 1);
                        continue;
                    }
                } else if (is == null || !is.equals(was) || !is.synced()) {
                    continue; // changed or syncing during the scan: the sync owns it
                } else if (is.adopt()) {
                    if (state.adopt(object, tenant, is, has)) {
                        count(counts, tenant, "adopted", 1);
                    }
                    continue;
                }
                Set<DesiredTuple> want = wanted.getOrDefault(object, Set.of());
                boolean differs = false;
                for (DesiredTuple t : want) {
                    if (!has.contains(t)) {
                        drift.add(new ReconcileState.Drift(tenant, "missing", t));
                        count(counts, tenant, "missing", 1);
                        differs = true;
                    }
                }
                for (DesiredTuple t : has) {
                    if (!want.contains(t)) {
                        drift.add(new ReconcileState.Drift(tenant, "extra", t));
                        count(counts, tenant, "extra", 1);
                        differs = true;
                    }
                }
                if (differs) {
                    desired.markForRepair(tenant, object);
                    repair.add(object);
                }
            }
        }
        state.recordDrift(drift);
        drift.forEach(d -> {
            meters.counter("clearance.access.drift", "kind", d.kind()).increment();
            LOG.warn(
                    "Access drift ({}): {} {} {}",
                    d.kind(),
                    d.tuple().user(),
                    d.tuple().relation(),
                    d.tuple().object());
        });
        for (List<String> batch : batches(repair)) {
            sync.syncNow(batch);
        }
        if (adopting) {
            state.adoptionDone();
        }
        meters.counter("clearance.access.reconcile.runs").increment();
        LOG.info(
                "Reconciled {} objects ({} tuples) in {} ms: {}",
                objects.size(),
                tuples[0],
                (System.nanoTime() - started) / 1_000_000,
                counts);
        return new Report(objects.size(), tuples[0], counts, true);
    }

    private static String tenantOf(String object) {
        var m = MANAGED.matcher(object);
        return m.matches() ? m.group(2) : null;
    }

    private static void count(Map<String, Map<String, Integer>> counts, String tenant, String kind, int n) {
        counts.computeIfAbsent(tenant == null ? "" : tenant, t -> new TreeMap<>())
                .merge(kind, n, Integer::sum);
    }

    private static List<List<String>> batches(java.util.Collection<String> objects) {
        List<String> all = new ArrayList<>(objects);
        List<List<String>> out = new ArrayList<>();
        for (int from = 0; from < all.size(); from += 500) {
            out.add(all.subList(from, Math.min(all.size(), from + 500)));
        }
        return out;
    }
}
