package dev.clearance.access;

import io.micrometer.core.instrument.MeterRegistry;
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
 * Runs on the {@link ReconcileSchedule} and when an operator asks ({@link AccessAdmin#reconcile}).
 */
@Singleton
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** Objects the service manages: {@code type:tenant/id} of the model's non-principal types. */
    private static final Pattern MANAGED = Pattern.compile("(document|folder|group):([^/]+)/.+");

    private final RelationshipStore fga;
    private final DesiredState desired;
    private final ReconcileState state;
    private final Adoption adoption;
    private final DriftLog driftLog;
    private final AccessSync sync;
    private final MeterRegistry meters;

    Reconciler(
            RelationshipStore fga,
            DesiredState desired,
            ReconcileState state,
            Adoption adoption,
            DriftLog driftLog,
            AccessSync sync,
            MeterRegistry meters) {
        this.fga = fga;
        this.desired = desired;
        this.state = state;
        this.adoption = adoption;
        this.driftLog = driftLog;
        this.sync = sync;
        this.meters = meters;
    }

    /** What one run found, per tenant and kind ({@code missing}, {@code extra}, {@code adopted}). */
    public record Report(int objects, long tuples, Map<String, Map<String, Integer>> byTenant, boolean ran) {

        public Map<String, Integer> of(String tenant) {
            return byTenant.getOrDefault(tenant, Map.of());
        }
    }

    /** One run, unless another replica is running one (then {@code ran} is false). */
    public Report run() {
        Optional<Report> report = state.exclusively("clearance.reconcile", this::reconcile);
        return report.orElse(new Report(0, 0, Map.of(), false));
    }

    private Report reconcile() {
        long started = System.nanoTime();
        boolean adopting = adoption.pending();
        Map<String, ReconcileState.ObjectState> before = state.objects();
        Map<String, Set<DesiredTuple>> actual = new HashMap<>();
        long[] tuples = {0};
        fga.readAll(page -> page.forEach(t -> {
            if (MANAGED.matcher(t.object()).matches()) {
                tuples[0]++;
                actual.computeIfAbsent(t.object(), o -> new HashSet<>()).add(t);
            }
        }));
        Map<String, ReconcileState.ObjectState> after = state.objects();
        // Only tenants this deployment has written to: a store shared with other programs or
        // deployments keeps their objects.
        Set<String> tenants = new HashSet<>();
        after.values().forEach(o -> tenants.add(o.tenant()));
        Set<String> objects = new HashSet<>(after.keySet());
        objects.addAll(actual.keySet());
        Findings findings = new Findings();
        for (List<String> batch : batches(objects)) {
            Map<String, Set<DesiredTuple>> wanted = desired.of(batch);
            for (String object : batch) {
                ReconcileState.ObjectState is = after.get(object);
                Set<DesiredTuple> has = actual.getOrDefault(object, Set.of());
                String tenant = tenantOf(object);
                switch (verdict(before.get(object), is, adopting, tenants.contains(tenant))) {
                    case ADOPT -> {
                        if (adoption.adopt(object, tenant, is, has)) {
                            findings.adopted(tenant, has);
                        }
                    }
                    case COMPARE -> {
                        List<DriftLog.Drift> found =
                                DriftLog.Drift.between(tenant, wanted.getOrDefault(object, Set.of()), has);
                        if (!found.isEmpty()
                                && desired.markForRepair(tenant, object, is == null ? null : is.version())) {
                            findings.drifted(object, found);
                        }
                    }
                    case SKIP -> {}
                }
            }
        }
        driftLog.record(findings.drift);
        for (List<String> batch : batches(findings.repair)) {
            sync.syncNow(batch);
        }
        if (adopting) {
            adoption.done();
        }
        meters.counter("clearance.access.reconcile.runs").increment();
        LOG.info(
                "Reconciled {} objects ({} tuples) in {} ms: {}",
                objects.size(),
                tuples[0],
                (System.nanoTime() - started) / 1_000_000,
                findings.counts);
        return new Report(objects.size(), tuples[0], findings.counts, true);
    }

    private enum Verdict {
        SKIP,
        ADOPT,
        COMPARE
    }

    /**
     * An object PostgreSQL never knew ({@code was} and {@code is} null) is adopted while adoption is
     * pending, else compared if it is in one of this deployment's tenants. A known object is judged
     * only if it stood still and synced during the scan; otherwise the sync owns it.
     */
    private static Verdict verdict(
            ReconcileState.ObjectState was, ReconcileState.ObjectState is, boolean adopting, boolean ourTenant) {
        if (is == null && was == null) {
            return adopting ? Verdict.ADOPT : ourTenant ? Verdict.COMPARE : Verdict.SKIP;
        }
        if (is == null || !is.equals(was) || !is.synced()) {
            return Verdict.SKIP;
        }
        return is.adopt() ? Verdict.ADOPT : Verdict.COMPARE;
    }

    /** What one run found: counts per tenant and kind, the drift to record, the objects to repair. */
    private static final class Findings {
        final Map<String, Map<String, Integer>> counts = new TreeMap<>();
        final List<DriftLog.Drift> drift = new ArrayList<>();
        final List<String> repair = new ArrayList<>();

        /**
         * Tuples adopted as desired state are recorded like drift (kind {@code adopted}), so an
         * operator can review grants that were trusted because nothing else recorded them.
         */
        void adopted(String tenant, Set<DesiredTuple> tuples) {
            count(tenant, "adopted");
            tuples.forEach(t -> drift.add(new DriftLog.Drift(tenant, "adopted", t)));
        }

        void drifted(String object, List<DriftLog.Drift> found) {
            found.forEach(d -> count(d.tenant(), d.kind()));
            drift.addAll(found);
            repair.add(object);
        }

        private void count(String tenant, String kind) {
            counts.computeIfAbsent(tenant == null ? "" : tenant, t -> new TreeMap<>())
                    .merge(kind, 1, Integer::sum);
        }
    }

    private static String tenantOf(String object) {
        var m = MANAGED.matcher(object);
        return m.matches() ? m.group(2) : null;
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
