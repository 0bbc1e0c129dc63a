package dev.clearance.access;

import dev.clearance.identity.Caller;
import dev.clearance.identity.Principal;
import dev.openfga.sdk.api.model.BatchCheckItem;
import dev.openfga.sdk.api.model.BatchCheckRequest;
import dev.openfga.sdk.api.model.BatchCheckResponse;
import dev.openfga.sdk.api.model.BatchCheckSingleResult;
import dev.openfga.sdk.api.model.CheckRequestTupleKey;
import dev.openfga.sdk.api.model.ConsistencyPreference;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Checks documents against OpenFGA with the server-side BatchCheck API: every principal of the
 * caller (user, and agent when one acts) for every document, in requests of at most {@code
 * batchSize} checks, at most {@code maxParallelBatches} in flight at once. Results are matched by
 * correlation id, never by position. A check that errors or is missing from the response is an
 * {@link Outcome#ERROR}; when OpenFGA does not answer by the deadline the whole decision fails with
 * {@link AuthorizationUnavailableException}.
 *
 * <p>Not final: the throughput benchmark replaces it, from the test classes only, with one that
 * allows everything, to measure what authorization costs (ADR 0009). Searches reach it through the
 * {@link DecisionCache}.
 */
@Singleton
public class AccessChecker {

    private final FgaStore store;
    private final FgaProperties properties;
    private final MeterRegistry meters;

    AccessChecker(FgaStore store, FgaProperties properties, MeterRegistry meters) {
        this.store = store;
        this.properties = properties;
        this.meters = meters;
        // Exported from start-up: decisions shared through subjects may answer many searches
        // before the first BatchCheck, and the runbook's alerts need the series to exist.
        for (Outcome outcome : Outcome.values()) {
            meters.counter("clearance.authz.checks", "outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
        }
        meters.timer("clearance.authz.duration", "call", "batch_check");
    }

    /**
     * @param higherConsistency ask OpenFGA to bypass its caches (used for recently changed access)
     */
    public Decisions check(Caller caller, Collection<String> documentIds, boolean higherConsistency) {
        return check(caller, documentIds, higherConsistency, Long.MAX_VALUE);
    }

    /**
     * As {@link #check(Caller, Collection, boolean)}, giving up at {@code deadlineNanos} ({@link
     * System#nanoTime()}) when that comes before the check timeout: a search's checks share its budget.
     */
    public Decisions check(
            Caller caller, Collection<String> documentIds, boolean higherConsistency, long deadlineNanos) {
        List<String> documents = List.copyOf(new LinkedHashSet<>(documentIds));
        if (documents.isEmpty()) {
            return new Decisions(Map.of());
        }
        List<Principal> principals = caller.principals();
        List<Pair> pairs = new ArrayList<>(documents.size() * principals.size());
        for (String document : documents) {
            for (Principal principal : principals) {
                pairs.add(new Pair(principal.subject(), document));
            }
        }
        Outcome[] perItem = decide(caller.tenant(), pairs, higherConsistency, deadlineNanos);
        return aggregate(documents, principals.size(), perItem);
    }

    /** One question for OpenFGA: may this subject (a principal, or a group's members) view this document? */
    record Pair(String subject, String documentId) {}

    /**
     * OpenFGA's answer to each pair, in one decision with the same budget and limits as {@link
     * #check(Caller, Collection, boolean, long)}: the subjects a caller shares with others (ADR 0015).
     */
    Map<Pair, Outcome> check(String tenant, List<Pair> pairs, boolean higherConsistency, long deadlineNanos) {
        if (pairs.isEmpty()) {
            return Map.of();
        }
        Outcome[] perItem = decide(tenant, pairs, higherConsistency, deadlineNanos);
        Map<Pair, Outcome> out = new HashMap<>();
        for (int i = 0; i < perItem.length; i++) {
            out.put(pairs.get(i), perItem[i]);
        }
        count(perItem);
        return out;
    }

    private Outcome[] decide(String tenant, List<Pair> pairs, boolean higherConsistency, long deadlineNanos) {
        long timeout = System.nanoTime() + properties.checkTimeout().toNanos();
        long deadline = deadlineNanos - timeout < 0 ? deadlineNanos : timeout;
        FgaStore.Resolved resolved = store.current();
        List<BatchCheckItem> items = new ArrayList<>(pairs.size());
        for (Pair pair : pairs) {
            items.add(new BatchCheckItem()
                    .correlationId(Integer.toString(items.size()))
                    .tupleKey(new CheckRequestTupleKey()
                            .user(pair.subject())
                            .relation(properties.relation())
                            ._object(ObjectIds.document(tenant, pair.documentId()))));
        }
        long started = System.nanoTime();
        try {
            return send(resolved, items, higherConsistency, deadline);
        } finally {
            meters.timer("clearance.authz.duration", "call", "batch_check")
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private Outcome[] send(
            FgaStore.Resolved resolved, List<BatchCheckItem> items, boolean higherConsistency, long deadline) {
        ConsistencyPreference consistency =
                higherConsistency ? ConsistencyPreference.HIGHER_CONSISTENCY : ConsistencyPreference.MINIMIZE_LATENCY;
        List<BatchCheckRequest> requests = new ArrayList<>();
        for (int from = 0; from < items.size(); from += properties.batchSize()) {
            requests.add(new BatchCheckRequest()
                    .checks(items.subList(from, Math.min(items.size(), from + properties.batchSize())))
                    .authorizationModelId(resolved.modelId())
                    .consistency(consistency));
        }
        Outcome[] outcomes = new Outcome[items.size()];
        Arrays.fill(outcomes, Outcome.ERROR);
        // At most maxParallelBatches requests in flight; answers are awaited in sending order and each
        // one answered lets the next request go. Requests not yet sent when the deadline passes are
        // never sent, so a search that fails closed does not leave OpenFGA a backlog of its checks.
        ArrayDeque<CompletableFuture<BatchCheckResponse>> inFlight = new ArrayDeque<>();
        int next = 0;
        while (next < requests.size() && inFlight.size() < properties.maxParallelBatches()) {
            inFlight.add(sendOne(resolved.storeId(), requests.get(next++)));
        }
        while (!inFlight.isEmpty()) {
            CompletableFuture<BatchCheckResponse> future = inFlight.poll();
            BatchCheckResponse response;
            try {
                response = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                future.cancel(true);
                inFlight.forEach(f -> f.cancel(true));
                throw new AuthorizationUnavailableException("The authorization service did not answer in time.", e);
            }
            record(response, outcomes);
            if (next < requests.size()) {
                inFlight.add(sendOne(resolved.storeId(), requests.get(next++)));
            }
        }
        return outcomes;
    }

    private CompletableFuture<BatchCheckResponse> sendOne(String storeId, BatchCheckRequest request) {
        try {
            return store.api().batchCheck(storeId, request).thenApply(r -> r.getData());
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void record(BatchCheckResponse response, Outcome[] outcomes) {
        if (response == null || response.getResult() == null) {
            return;
        }
        for (Map.Entry<String, BatchCheckSingleResult> entry :
                response.getResult().entrySet()) {
            int index = parseIndex(entry.getKey(), outcomes.length);
            if (index < 0) {
                continue;
            }
            BatchCheckSingleResult result = entry.getValue();
            if (result == null || result.getError() != null || result.getAllowed() == null) {
                outcomes[index] = Outcome.ERROR;
            } else {
                outcomes[index] = result.getAllowed() ? Outcome.ALLOWED : Outcome.DENIED;
            }
        }
    }

    private static int parseIndex(String correlationId, int size) {
        try {
            int index = Integer.parseInt(correlationId);
            return index >= 0 && index < size ? index : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private Decisions aggregate(List<String> documents, int perDocument, Outcome[] perItem) {
        Map<String, Outcome> byDocument = new HashMap<>();
        for (int d = 0; d < documents.size(); d++) {
            Outcome combined = Outcome.ALLOWED;
            for (int p = 0; p < perDocument; p++) {
                combined = Outcome.intersect(combined, perItem[d * perDocument + p]);
            }
            byDocument.put(documents.get(d), combined);
        }
        count(perItem);
        return new Decisions(byDocument);
    }

    private void count(Outcome[] perItem) {
        int allowed = 0;
        int denied = 0;
        int errors = 0;
        for (Outcome outcome : perItem) {
            switch (outcome) {
                case ALLOWED -> allowed++;
                case DENIED -> denied++;
                case ERROR -> errors++;
            }
        }
        meters.counter("clearance.authz.checks", "outcome", "allowed").increment(allowed);
        meters.counter("clearance.authz.checks", "outcome", "denied").increment(denied);
        meters.counter("clearance.authz.checks", "outcome", "error").increment(errors);
    }
}
