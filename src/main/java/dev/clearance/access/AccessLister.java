package dev.clearance.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.clearance.identity.Caller;
import dev.clearance.identity.Principal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.HashSet;
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
    private final Cache<Key, Set<String>> lists;
    private final boolean caching;
    private final Counter hits;
    private final Counter misses;

    AccessLister(FgaStore store, ListObjectsClient client, DecisionCacheProperties cache, MeterRegistry meters) {
        this.store = store;
        this.client = client;
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
        FgaStore.Resolved resolved = store.current();
        Set<String> result = null;
        boolean complete = true;
        for (Principal principal : caller.principals()) {
            Key key = new Key(caller.tenant(), epoch, resolved.modelId(), principal.subject());
            Set<String> ids = caching && epoch >= 0 ? lists.getIfPresent(key) : null;
            if (ids != null) {
                hits.increment();
            } else {
                misses.increment();
                ListObjectsClient.Listed listed =
                        client.list(resolved, caller.tenant(), principal.subject(), higherConsistency);
                ids = listed.ids();
                if (!listed.complete()) {
                    complete = false;
                } else if (caching && epoch >= 0) {
                    lists.put(key, ids);
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
}
