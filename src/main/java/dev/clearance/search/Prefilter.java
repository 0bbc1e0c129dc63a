package dev.clearance.search;

import dev.clearance.access.AccessLister;
import dev.clearance.access.Viewable;
import dev.clearance.identity.Caller;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pre-filter: list what the caller may view, then find the nearest chunks among exactly those
 * documents (an exact scan, so the answer does not depend on how many documents the list has).
 */
@Singleton
final class Prefilter {

    private final AccessLister lister;
    private final ChunkSearchRepository chunks;

    Prefilter(AccessLister lister, ChunkSearchRepository chunks) {
        this.lister = lister;
        this.chunks = chunks;
    }

    /**
     * The caller's list for this epoch if every list it needs is cached (OpenFGA asked at most for
     * the caller's expansion), else null.
     */
    Viewable cached(Retrieval.Query q) {
        return lister.cachedViewable(q.caller(), q.fresh(), q.epoch());
    }

    /**
     * The caller's list for this epoch from the lists of the groups, folders and public shares it
     * holds access through, fetching from OpenFGA those not cached; null when its access is not
     * expressed that way (subject sharing off) or a list is too long to trust. Every list fetched is
     * cached for the next caller that shares it.
     */
    Viewable listed(Retrieval.Query q) {
        Viewable viewable = lister.sharedViewable(q.caller(), q.fresh(), q.epoch());
        return viewable != null && viewable.complete() ? viewable : null;
    }

    /**
     * Null when the caller's list is too long to trust; the caller then post-filters. The list is the
     * decision: it was made in the access epoch this search read (or later), exactly what a cached
     * decision would be, so the documents it returns are not checked a second time. {@code before} is
     * what the search spent before it switched here; {@code known} the caller's list if {@link
     * #cached} already gave it, else null.
     */
    Found find(Retrieval.Query q, Found.Effort before, boolean adaptive, Viewable known) {
        Caller caller = q.caller();
        int topK = q.topK();
        Viewable viewable = known != null ? known : lister.listViewable(caller, q.fresh(), q.epoch());
        if (!viewable.complete()) {
            return null;
        }
        List<Candidate> within = viewable.documentIds().isEmpty()
                ? List.of()
                : chunks.exactWithin(caller.tenant(), q.vector(), q.text(), topK * 4, viewable.documentIds());
        Map<Long, Candidate> allowed = new LinkedHashMap<>();
        within.forEach(c -> allowed.putIfAbsent(c.chunkId(), c));
        int documents =
                (int) within.stream().map(Candidate::documentId).distinct().count();
        Found.Effort effort = new Found.Effort(
                before.candidates() + within.size(),
                before.allowedDocs() + documents,
                before.deniedDocs(),
                before.rounds() + 1);
        return new Found(allowed, effort, adaptive ? "adaptive-prefilter" : "prefilter", true, true, 0);
    }
}
