package dev.clearance.access;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.TaskScheduler;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Named;
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
@Context // eager: its schedule starts with the service, not with the first admin request
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
        // Exported from the start, so an alert on them has a series to read before the first drift.
        for (String kind : List.of("missing", "extra")) {
            meters.counter("clearance.access.drift", "kind", kind);
        }
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
        // Only tenants this deployment has written to: a store shared with other programs or
        // deployments keeps their objects.
        Set<String> tenants = new HashSet<>();
        after.values().forEach(o -> tenants.add(o.tenant()));
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
                        if (state.adopt(object, tenant, null, has)) {
                            adopted(drift, counts, tenant, has);
                        }
                        continue;
                    }
                    if (!tenants.contains(tenant)) {
                        continue;
                    }
                } else if (is == null || !is.equals(was) || !is.synced()) {
                    continue; // changed or syncing during the scan: the sync owns it
                } else if (is.adopt()) {
                    if (state.adopt(object, tenant, is, has)) {
                        adopted(drift, counts, tenant, has);
                    }
                    continue;
                }
                List<ReconcileState.Drift> found = compare(tenant, wanted.getOrDefault(object, Set.of()), has);
                if (!found.isEmpty() && desired.markForRepair(tenant, object, is == null ? null : is.version())) {
                    found.forEach(d -> count(counts, tenant, d.kind(), 1));
                    drift.addAll(found);
                    repair.add(object);
                }
            }
        }
        state.recordDrift(drift);
        drift.stream().filter(d -> !d.kind().equals("adopted")).forEach(d -> {
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

    private static List<ReconcileState.Drift> compare(String tenant, Set<DesiredTuple> want, Set<DesiredTuple> has) {
        List<ReconcileState.Drift> found = new ArrayList<>();
        want.stream()
                .filter(t -> !has.contains(t))
                .forEach(t -> found.add(new ReconcileState.Drift(tenant, "missing", t)));
        has.stream()
                .filter(t -> !want.contains(t))
                .forEach(t -> found.add(new ReconcileState.Drift(tenant, "extra", t)));
        return found;
    }

    /**
     * Tuples adopted as desired state are recorded like drift (kind {@code adopted}), so an operator
     * can review grants that were trusted because nothing else recorded them.
     */
    private static void adopted(
            List<ReconcileState.Drift> drift,
            Map<String, Map<String, Integer>> counts,
            String tenant,
            Set<DesiredTuple> tuples) {
        count(counts, tenant, "adopted", 1);
        tuples.forEach(t -> drift.add(new ReconcileState.Drift(tenant, "adopted", t)));
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
