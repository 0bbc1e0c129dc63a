package dev.clearance.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.clearance.identity.Caller;
import dev.clearance.identity.Principal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Lists what the caller may view, for the pre-filter strategy. For an agent acting for a user both
 * lists are fetched ({@link ListObjectsClient}) and intersected; the result is incomplete when
 * either list is.
 *
 * <p>Complete lists are kept per (tenant, access epoch, model, principal) like decisions are (ADR
 * 0009): a change through the service raises the epoch and retires them.
 */
@Singleton
public final class AccessLister {

    private record Key(String tenant, long epoch, String model, String subject) {}

    private final FgaStore store;
    private final ListObjectsClient client;
    private final SubjectSets subjects;
    private final FgaProperties properties;
    private final Cache<Key, Set<String>> lists;
    private final boolean caching;
    private final Counter hits;
    private final Counter misses;

    AccessLister(
            FgaStore store,
            ListObjectsClient client,
            SubjectSets subjects,
            FgaProperties properties,
            DecisionCacheProperties cache,
            MeterRegistry meters) {
        this.store = store;
        this.client = client;
        this.subjects = subjects;
        this.properties = properties;
        this.caching = cache.enabled() && cache.maxListed() > 0;
        this.lists = Caffeine.newBuilder()
                .maximumWeight(cache.maxListed())
                .<Key, Set<String>>weigher((key, ids) -> ids.size() + 1)
                .expireAfterWrite(cache.ttl())
                .build();
        this.hits = meters.counter("clearance.authz.list.cache", "result", "hit");
        this.misses = meters.counter("clearance.authz.list.cache", "result", "miss");
    }

    public Viewable listViewable(Caller caller, boolean higherConsistency) {
        return listViewable(caller, higherConsistency, -1);
    }

    /** {@code epoch}: the tenant's access epoch read before this call; negative: do not cache. */
    public Viewable listViewable(Caller caller, boolean higherConsistency, long epoch) {
        return listViewable(caller, higherConsistency, epoch, Mode.ANY);
    }

    /** Which lists a call may use. */
    private enum Mode {
        /** Any list, fetched from OpenFGA when not cached. */
        ANY,
        /** Only lists of shared subjects (groups, folders, public shares), fetched when not cached. */
        SHARED,
        /** Only cached lists of shared subjects: OpenFGA is asked at most for the expansion. */
        CACHED
    }

    /**
     * What the caller may view when every list it needs is already cached for this epoch, or null:
     * asks OpenFGA at most for the caller's expansion (which its checks would need anyway), never for a
     * list. It tells a caller seen for the first time how much of the tenant it may view, so that
     * search can choose the pre-filter without a first post-filter round (ADR 0015).
     */
    public Viewable cachedViewable(Caller caller, boolean higherConsistency, long epoch) {
        return caching && epoch >= 0 ? listViewable(caller, higherConsistency, epoch, Mode.CACHED) : null;
    }

    /**
     * What the caller may view, from the lists of the subjects it shares with other callers, fetching
     * those that are not cached; null when its access cannot be expressed through shared subjects
     * (sharing off, or an incomplete expansion). A list fetched here is one the next caller of the
     * same group or folder finds cached; a caller's own list, which nobody else would reuse, is never
     * fetched here (ADR 0015).
     */
    public Viewable sharedViewable(Caller caller, boolean higherConsistency, long epoch) {
        return caching && epoch >= 0 ? listViewable(caller, higherConsistency, epoch, Mode.SHARED) : null;
    }

    private Viewable listViewable(Caller caller, boolean higherConsistency, long epoch, Mode mode) {
        FgaStore.Resolved resolved = store.current();
        List<SubjectSets.Expansion> expansions = caching
                ? subjects.expand(
                        caller,
                        epoch,
                        higherConsistency,
                        System.nanoTime() + properties.checkTimeout().toNanos())
                : null;
        Set<String> result = null;
        boolean complete = true;
        List<Principal> principals = caller.principals();
        for (int p = 0; p < principals.size(); p++) {
            Set<String> ids;
            if (expansions == null) {
                if (mode == Mode.SHARED) {
                    return null;
                }
                if (mode == Mode.CACHED
                        && !isCached(
                                resolved,
                                caller.tenant(),
                                epoch,
                                principals.get(p).subject())) {
                    return null;
                }
                Listed listed = listed(
                        resolved, caller.tenant(), epoch, principals.get(p).subject(), higherConsistency);
                ids = listed.ids();
                complete &= listed.complete();
            } else {
                // What the principal's shared subjects may view, and what is granted to it directly.
                SubjectSets.Expansion expansion = expansions.get(p);
                ids = expansion.directDocuments();
                for (String subject : expansion.subjects()) {
                    if (mode == Mode.CACHED && !isCached(resolved, caller.tenant(), epoch, subject)) {
                        return null;
                    }
                    Listed listed = listed(resolved, caller.tenant(), epoch, subject, higherConsistency);
                    complete &= listed.complete();
                    ids = union(ids, listed.ids());
                }
            }
            if (result == null) {
                // The cached set itself (immutable): a user alone needs no copy of a long list.
                result = ids;
            } else {
                result = new HashSet<>(result);
                result.retainAll(ids);
            }
        }
        return new Viewable(result == null ? Set.of() : result, complete);
    }

    /**
     * A subject's complete list if this epoch already listed it, without asking OpenFGA: the
     * decision cache answers from it instead of checking documents one by one (ADR 0015).
     */
    Set<String> cached(String tenant, long epoch, String model, String subject) {
        return caching && epoch >= 0 ? lists.getIfPresent(new Key(tenant, epoch, model, subject)) : null;
    }

    private boolean isCached(FgaStore.Resolved resolved, String tenant, long epoch, String subject) {
        return lists.getIfPresent(new Key(tenant, epoch, resolved.modelId(), subject)) != null;
    }

    private record Listed(Set<String> ids, boolean complete) {}

    /** One subject's list, from the cache when this epoch already listed it. */
    private Listed listed(FgaStore.Resolved resolved, String tenant, long epoch, String subject, boolean fresh) {
        Key key = new Key(tenant, epoch, resolved.modelId(), subject);
        Set<String> ids = caching && epoch >= 0 ? lists.getIfPresent(key) : null;
        if (ids != null) {
            hits.increment();
            return new Listed(ids, true);
        }
        misses.increment();
        ListObjectsClient.Listed listed = client.list(resolved, tenant, subject, fresh);
        if (listed.complete() && caching && epoch >= 0) {
            lists.put(key, listed.ids());
        }
        return new Listed(listed.ids(), listed.complete());
    }

    /** The union, reusing the larger set when the smaller adds nothing (a public share often does). */
    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> larger = a.size() >= b.size() ? a : b;
        Set<String> smaller = larger == a ? b : a;
        if (larger.containsAll(smaller)) {
            return larger;
        }
        Set<String> out = new HashSet<>(larger);
        out.addAll(smaller);
        return out;
    }
}
