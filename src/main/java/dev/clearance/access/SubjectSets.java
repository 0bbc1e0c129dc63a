package dev.clearance.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.clearance.identity.Caller;
import dev.clearance.identity.Principal;
import dev.openfga.sdk.api.model.ConsistencyPreference;
import dev.openfga.sdk.api.model.ListObjectsRequest;
import dev.openfga.sdk.api.model.ListObjectsResponse;
import dev.openfga.sdk.api.model.ReadRequest;
import dev.openfga.sdk.api.model.ReadRequestTupleKey;
import dev.openfga.sdk.api.model.ReadResponse;
import dev.openfga.sdk.api.model.Tuple;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A caller's access as subjects that many callers share (ADR 0015): the groups it belongs to (as
 * {@code group:<tenant>/<id>#member}), the folders granted to it directly (as {@code
 * folder:<tenant>/<id>#viewer}), {@code user:*} for a user, and the documents granted to it
 * directly. OpenFGA answers for a group once, and every member reuses the answer: a caller seen for
 * the first time costs one expansion (a ListObjects of its groups and a Read of its own grants, sent
 * together) instead of a check per candidate document.
 *
 * <p>Only done when the model's {@link SharingRules} allow it. An expansion is kept per (tenant,
 * access epoch, model, principal), exactly like a decision: a membership removed through the service
 * raises the epoch and retires it. One that cannot be complete (more groups than a ListObjects
 * returns, more direct grants than {@value #MAX_GRANT_PAGES} pages) is remembered as such, and that
 * principal is checked on its own.
 */
@Singleton
public final class SubjectSets {

    /** Pages of 100 direct grants read per object type before a principal is checked on its own. */
    static final int MAX_GRANT_PAGES = 10;

    /** A principal's shared subjects and the documents granted to it directly. */
    record Expansion(List<String> subjects, Set<String> directDocuments) {}

    private static final Expansion INCOMPLETE = new Expansion(List.of(), Set.of());

    private record Key(String tenant, long epoch, String model, String principal) {}

    private final FgaStore store;
    private final FgaProperties properties;
    private final ListObjectsProperties limits;
    private final MeterRegistry meters;
    private final boolean enabled;
    private final Cache<Key, Expansion> expansions;
    private final Counter hits;
    private final Counter misses;

    SubjectSets(
            FgaStore store,
            FgaProperties properties,
            ListObjectsProperties limits,
            DecisionCacheProperties cache,
            MeterRegistry meters) {
        this.store = store;
        this.properties = properties;
        this.limits = limits;
        this.meters = meters;
        this.enabled = cache.enabled() && cache.shareSubjects() && cache.maxExpansions() > 0;
        this.expansions = Caffeine.newBuilder()
                .maximumSize(Math.max(1, cache.maxExpansions()))
                .expireAfterWrite(cache.ttl())
                .build();
        this.hits = meters.counter("clearance.authz.expansion.cache", "result", "hit");
        this.misses = meters.counter("clearance.authz.expansion.cache", "result", "miss");
    }

    /**
     * One expansion per principal of the caller, in the order of {@link Caller#principals()}; null
     * when sharing is off or any principal cannot be expanded completely (the caller is then checked
     * as itself). Fails closed when OpenFGA does not answer by {@code deadlineNanos}.
     */
    List<Expansion> expand(Caller caller, long epoch, boolean higherConsistency, long deadlineNanos) {
        if (!enabled || epoch < 0) {
            return null;
        }
        FgaStore.Resolved resolved = store.current();
        SharingRules rules = store.sharing();
        if (!rules.shareable()) {
            return null;
        }
        List<Expansion> out = new ArrayList<>(2);
        for (Principal principal : caller.principals()) {
            Key key = new Key(caller.tenant(), epoch, resolved.modelId(), principal.subject());
            Expansion expansion = expansions.getIfPresent(key);
            if (expansion != null) {
                hits.increment();
            } else {
                misses.increment();
                expansion = expandOne(resolved, rules, caller.tenant(), principal, higherConsistency, deadlineNanos);
                expansions.put(key, expansion);
            }
            if (expansion == INCOMPLETE) {
                return null;
            }
            out.add(expansion);
        }
        return out;
    }

    private Expansion expandOne(
            FgaStore.Resolved resolved,
            SharingRules rules,
            String tenant,
            Principal principal,
            boolean higherConsistency,
            long deadlineNanos) {
        long started = System.nanoTime();
        long deadline =
                Math.min(deadlineNanos, started + properties.checkTimeout().toNanos());
        ConsistencyPreference consistency =
                higherConsistency ? ConsistencyPreference.HIGHER_CONSISTENCY : ConsistencyPreference.MINIMIZE_LATENCY;
        try {
            // Memberships and direct grants are asked together: one round trip for a new caller.
            Map<String, CompletableFuture<ListObjectsResponse>> memberships = new LinkedHashMap<>();
            for (String userset : rules.usersets()) {
                String[] parts = userset.split("#", 2);
                ListObjectsRequest request = new ListObjectsRequest()
                        .authorizationModelId(resolved.modelId())
                        .type(parts[0])
                        .relation(parts[1])
                        .user(principal.subject())
                        .consistency(consistency);
                memberships.put(
                        userset,
                        start(() -> store.api()
                                .listObjects(resolved.storeId(), request)
                                .thenApply(r -> r.getData())));
            }
            Map<String, CompletableFuture<List<Tuple>>> grants = new LinkedHashMap<>();
            for (String type : rules.directRelations().keySet()) {
                grants.put(type, readGrants(resolved, principal.subject(), type, consistency, null, 0));
            }
            Set<String> subjects = new TreeSet<>();
            for (var entry : memberships.entrySet()) {
                List<String> objects = await(entry.getValue(), deadline).getObjects();
                objects = objects == null ? List.of() : objects;
                boolean nearDeadline = System.nanoTime() - started
                        >= limits.deadline().multipliedBy(9).dividedBy(10).toNanos();
                if (objects.size() >= limits.maxResults() || nearDeadline) {
                    // OpenFGA may have cut the list without saying so.
                    return INCOMPLETE;
                }
                String[] parts = entry.getKey().split("#", 2);
                for (String object : objects) {
                    if (ObjectIds.localIdOf(object, parts[0], tenant) != null) {
                        subjects.add(object + "#" + parts[1]);
                    }
                }
            }
            Set<String> direct = new HashSet<>();
            for (var entry : grants.entrySet()) {
                List<Tuple> tuples = await(entry.getValue(), deadline);
                if (tuples == null) {
                    return INCOMPLETE;
                }
                String type = entry.getKey();
                for (Tuple tuple : tuples) {
                    String object = tuple.getKey().getObject();
                    String relation = tuple.getKey().getRelation();
                    String local = ObjectIds.localIdOf(object, type, tenant);
                    if (local == null || !rules.directRelations().get(type).contains(relation)) {
                        continue;
                    }
                    if (type.equals(ObjectIds.DOCUMENT) && rules.sameObject().contains(relation)) {
                        direct.add(local);
                    }
                    if (rules.inherited().contains(type)) {
                        subjects.add(object + "#" + relation);
                    }
                }
            }
            String kind = principal.subject().substring(0, principal.subject().indexOf(':'));
            if (rules.wildcardTypes().contains(kind)) {
                subjects.add(kind + ":*");
            }
            return new Expansion(List.copyOf(subjects), Set.copyOf(direct));
        } finally {
            meters.timer("clearance.authz.duration", "call", "expand")
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The principal's own tuples on objects of {@code type}, following pages; null past {@value
     * #MAX_GRANT_PAGES} pages.
     */
    private CompletableFuture<List<Tuple>> readGrants(
            FgaStore.Resolved resolved,
            String user,
            String type,
            ConsistencyPreference consistency,
            String token,
            int page) {
        if (page >= MAX_GRANT_PAGES) {
            return CompletableFuture.completedFuture(null);
        }
        ReadRequest request = new ReadRequest()
                .tupleKey(new ReadRequestTupleKey().user(user)._object(type + ":"))
                .pageSize(100)
                .consistency(consistency);
        if (token != null) {
            request.continuationToken(token);
        }
        return start(() -> store.api().read(resolved.storeId(), request).thenCompose(response -> {
            ReadResponse data = response.getData();
            List<Tuple> tuples = data.getTuples() == null ? List.of() : data.getTuples();
            String next = data.getContinuationToken();
            if (next == null || next.isEmpty()) {
                return CompletableFuture.completedFuture(tuples);
            }
            return readGrants(resolved, user, type, consistency, next, page + 1).thenApply(rest -> {
                if (rest == null) {
                    return null;
                }
                List<Tuple> all = new ArrayList<>(tuples);
                all.addAll(rest);
                return all;
            });
        }));
    }

    /** A call of the SDK that hands back a future (and may throw before it does). */
    private interface Call<T> {
        CompletableFuture<T> start() throws Exception;
    }

    private static <T> CompletableFuture<T> start(Call<T> call) {
        try {
            return call.start();
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static <T> T await(CompletableFuture<T> future, long deadline) {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuthorizationUnavailableException("Interrupted while resolving the caller's access.", e);
        } catch (Exception e) {
            future.cancel(true);
            throw new AuthorizationUnavailableException("The authorization service did not answer in time.", e);
        }
    }
}
