package dev.clearance.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.clearance.identity.Caller;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenFGA's decisions, kept per (tenant, access epoch, model, caller's principals, document, access
 * version) so that a caller who searches again does not ask again (ADR 0009). Only a definite
 * answer is kept; an error is never cached and still fails the search closed.
 *
 * <p>Why this is safe: every change of access rules through the service raises the tenant's epoch
 * after OpenFGA holds it and before the change is reported done (AccessSync; also when a retry
 * finds that an earlier, timed-out Write landed after all), and a search
 * reads the epoch before it asks for any decision. A search that starts after a revocation was
 * answered therefore never sees an entry made before it. A document's own grants additionally
 * change its access version, which is part of the key.
 */
@Singleton
public final class DecisionCache {

    private record Key(String tenant, long epoch, String model, String principals, String document, long version) {}

    private final AccessChecker checker;
    private final FgaStore store;
    private final boolean enabled;
    private final Cache<Key, Outcome> decisions;
    private final Counter hits;
    private final Counter misses;

    DecisionCache(AccessChecker checker, FgaStore store, DecisionCacheProperties properties, MeterRegistry meters) {
        this.checker = checker;
        this.store = store;
        this.enabled = properties.enabled() && properties.maxDecisions() > 0;
        this.decisions = Caffeine.newBuilder()
                .maximumSize(properties.maxDecisions())
                .expireAfterWrite(properties.ttl())
                .build();
        this.hits = meters.counter("clearance.authz.decision.cache", "result", "hit");
        this.misses = meters.counter("clearance.authz.decision.cache", "result", "miss");
    }

    /**
     * Outcomes for documents at the given access versions, asking OpenFGA only for those this
     * caller has no decision for in this epoch; OpenFGA's answers are awaited until {@code
     * deadlineNanos} at most (the search's budget).
     */
    public Decisions check(
            Caller caller, Map<String, Long> versions, long epoch, boolean higherConsistency, long deadlineNanos) {
        if (!enabled) {
            return checker.check(caller, versions.keySet(), higherConsistency, deadlineNanos);
        }
        String model = store.current().modelId();
        String principals = caller.subjects();
        Map<String, Outcome> outcomes = new HashMap<>();
        List<String> missing = new ArrayList<>();
        versions.forEach((document, version) -> {
            Outcome known =
                    decisions.getIfPresent(new Key(caller.tenant(), epoch, model, principals, document, version));
            if (known != null) {
                outcomes.put(document, known);
            } else {
                missing.add(document);
            }
        });
        hits.increment(outcomes.size());
        misses.increment(missing.size());
        if (missing.isEmpty()) {
            return new Decisions(outcomes);
        }
        Decisions asked = checker.check(caller, missing, higherConsistency, deadlineNanos);
        for (String document : missing) {
            Outcome outcome = asked.outcome(document);
            outcomes.put(document, outcome);
            if (outcome != Outcome.ERROR) {
                decisions.put(
                        new Key(caller.tenant(), epoch, model, principals, document, versions.get(document)), outcome);
            }
        }
        return new Decisions(outcomes);
    }
}
