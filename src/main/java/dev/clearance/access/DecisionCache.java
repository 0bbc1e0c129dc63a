package dev.clearance.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.clearance.identity.Caller;
import dev.clearance.identity.Principal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenFGA's decisions, kept per (tenant, access epoch, model, subject, document, access version) so
 * that nobody asks twice (ADR 0009). The subject is one that many callers share, a group, a folder
 * granted directly or {@code user:*}, when the model allows sharing (ADR 0015, {@link SubjectSets});
 * otherwise the caller's principals. Only a definite answer is kept; an error is never cached and
 * still fails the search closed.
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

    /**
     * Subjects asked about one document for one principal before the principal is asked itself: a
     * caller in many groups would otherwise cost more checks than it did alone.
     */
    static final int MAX_SUBJECT_CHECKS = 4;

    private final AccessChecker checker;
    private final SubjectSets subjects;
    private final AccessLister lister;
    private final FgaStore store;
    private final boolean enabled;
    private final Cache<Key, Outcome> decisions;
    private final Counter hits;
    private final Counter misses;

    DecisionCache(
            AccessChecker checker,
            SubjectSets subjects,
            AccessLister lister,
            FgaStore store,
            DecisionCacheProperties properties,
            MeterRegistry meters) {
        this.checker = checker;
        this.subjects = subjects;
        this.lister = lister;
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
        if (versions.isEmpty()) {
            // A round without candidates: nothing to decide, so no caller is expanded for it.
            return new Decisions(Map.of());
        }
        String model = store.current().modelId();
        List<SubjectSets.Expansion> expansions = subjects.expand(caller, epoch, higherConsistency, deadlineNanos);
        if (expansions != null) {
            return shared(caller, expansions, versions, epoch, model, higherConsistency, deadlineNanos);
        }
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

    /**
     * Decisions through the subjects the caller shares with others (ADR 0015): a document is allowed
     * for a principal granted it directly, or when OpenFGA allows one of the principal's subjects (a
     * group it is in, a folder granted to it, {@code user:*}); every principal must be allowed. Only
     * subject-document pairs no caller has asked in this epoch go to OpenFGA, in one BatchCheck.
     */
    private Decisions shared(
            Caller caller,
            List<SubjectSets.Expansion> expansions,
            Map<String, Long> versions,
            long epoch,
            String model,
            boolean higherConsistency,
            long deadlineNanos) {
        String tenant = caller.tenant();
        Map<AccessChecker.Pair, Outcome> known = new HashMap<>();
        Set<AccessChecker.Pair> missing = new LinkedHashSet<>();
        // A subject listed in this epoch (by a pre-filter search of any caller) needs no checks.
        Map<String, Set<String>> lists = new HashMap<>();
        expansions.forEach(e -> e.subjects().forEach(subject -> {
            Set<String> listed = lister.cached(tenant, epoch, model, subject);
            if (listed != null) {
                lists.put(subject, listed);
            }
        }));
        // Per principal, the documents it is asked about itself (its answer then decides alone).
        List<Map<String, AccessChecker.Pair>> own = new ArrayList<>();
        List<Principal> principals = caller.principals();
        int found = 0;
        for (int p = 0; p < expansions.size(); p++) {
            SubjectSets.Expansion expansion = expansions.get(p);
            Map<String, AccessChecker.Pair> asItself = new HashMap<>();
            own.add(asItself);
            for (String document : versions.keySet()) {
                if (expansion.directDocuments().contains(document)) {
                    continue;
                }
                List<AccessChecker.Pair> unknown = new ArrayList<>();
                boolean allowed = false;
                for (String subject : expansion.subjects()) {
                    AccessChecker.Pair pair = new AccessChecker.Pair(subject, document);
                    Set<String> listed = lists.get(subject);
                    if (listed != null && !known.containsKey(pair)) {
                        known.put(pair, listed.contains(document) ? Outcome.ALLOWED : Outcome.DENIED);
                        found++;
                    }
                    Outcome cached = known.get(pair);
                    if (cached == null) {
                        cached = decisions.getIfPresent(
                                new Key(tenant, epoch, model, subject, document, versions.get(document)));
                        if (cached != null) {
                            known.put(pair, cached);
                            found++;
                        }
                    }
                    if (cached == null) {
                        unknown.add(pair);
                    }
                    allowed |= cached == Outcome.ALLOWED;
                }
                if (allowed || unknown.isEmpty()) {
                    continue;
                }
                if (unknown.size() <= MAX_SUBJECT_CHECKS) {
                    // Every subject not yet answered is asked: any one of them may allow.
                    missing.addAll(unknown);
                } else {
                    AccessChecker.Pair itself =
                            new AccessChecker.Pair(principals.get(p).subject(), document);
                    Outcome cached = decisions.getIfPresent(
                            new Key(tenant, epoch, model, itself.subject(), document, versions.get(document)));
                    if (cached != null) {
                        known.put(itself, cached);
                        found++;
                    } else {
                        missing.add(itself);
                    }
                    asItself.put(document, itself);
                }
            }
        }
        hits.increment(found);
        misses.increment(missing.size());
        Map<AccessChecker.Pair, Outcome> asked =
                checker.check(tenant, List.copyOf(missing), higherConsistency, deadlineNanos);
        asked.forEach((pair, outcome) -> {
            known.put(pair, outcome);
            if (outcome != Outcome.ERROR) {
                decisions.put(
                        new Key(
                                tenant,
                                epoch,
                                model,
                                pair.subject(),
                                pair.documentId(),
                                versions.get(pair.documentId())),
                        outcome);
            }
        });
        Map<String, Outcome> outcomes = new HashMap<>();
        for (String document : versions.keySet()) {
            Outcome all = Outcome.ALLOWED;
            for (int p = 0; p < expansions.size(); p++) {
                SubjectSets.Expansion expansion = expansions.get(p);
                AccessChecker.Pair itself = own.get(p).get(document);
                Outcome any = expansion.directDocuments().contains(document) ? Outcome.ALLOWED : Outcome.DENIED;
                if (itself != null) {
                    // OpenFGA's answer for the principal itself covers every subject it holds.
                    any = known.getOrDefault(itself, Outcome.ERROR);
                } else {
                    for (String subject : expansion.subjects()) {
                        any = Outcome.union(
                                any, known.getOrDefault(new AccessChecker.Pair(subject, document), Outcome.ERROR));
                    }
                }
                all = Outcome.intersect(all, any);
            }
            outcomes.put(document, all);
        }
        return new Decisions(outcomes);
    }
}
