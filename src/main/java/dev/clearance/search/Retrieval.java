package dev.clearance.search;

import dev.clearance.access.AccessChangeLog;
import dev.clearance.access.AccessChecker;
import dev.clearance.access.AuthorizationUnavailableException;
import dev.clearance.access.DecisionCache;
import dev.clearance.access.Decisions;
import dev.clearance.access.Outcome;
import dev.clearance.access.Viewable;
import dev.clearance.identity.Caller;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Finds at least k authorized chunks whenever k exist (see ADR 0004). Post-filter rounds fetch a
 * growing window of candidates, check their documents in BatchCheck and drop denied documents from
 * later rounds; the pre-filter lists what the caller may view and searches only inside that list.
 * Any check that errors aborts the search: no partial result leaves this class.
 *
 * <p>How many candidates round one fetches follows from k and the share of candidates this caller
 * was recently allowed to see ({@link CallerShares}); a caller who sees little of the tenant goes
 * straight to the pre-filter. Decisions come from the {@link DecisionCache} when this caller was
 * already answered for a document in the tenant's current access epoch (ADR 0009).
 *
 * <p>Decisions are kept per document and access-rule version, and the chunks found are confirmed
 * against the current versions before they leave ({@link VersionCheck}). A chunk dropped there is
 * not replaced by another round: the search says {@code complete: false} instead, because under a
 * stream of changes to the same documents further rounds could go on dropping, and a retry a moment
 * later sees the new version whole.
 *
 * <p>One class of about 200 lines on purpose: the rounds, their windows, the decisions carried from
 * round to round and the one budget are a single loop whose guarantees (no partial result, every
 * returned chunk authorized for its version) can only be checked by reading it whole.
 */
@Singleton
final class Retrieval {

    private final ChunkSearchRepository chunks;
    private final DecisionCache checker;
    private final Prefilter prefilter;
    private final CallerShares shares;
    private final SearchProperties properties;
    private final TenantSizes sizes;
    private final VersionCheck versions;
    private final AccessChangeLog changes;
    private final AccessChecker recheck;

    Retrieval(
            ChunkSearchRepository chunks,
            DecisionCache checker,
            Prefilter prefilter,
            CallerShares shares,
            SearchProperties properties,
            TenantSizes sizes,
            VersionCheck versions,
            AccessChangeLog changes,
            AccessChecker recheck) {
        this.changes = changes;
        this.recheck = recheck;
        this.shares = shares;
        this.versions = versions;
        this.chunks = chunks;
        this.checker = checker;
        this.prefilter = prefilter;
        this.properties = properties;
        this.sizes = sizes;
    }

    /** A document as of one version of its access rules: the unit a decision is valid for. */
    private record Versioned(String documentId, long aclVersion) {
        static Versioned of(Candidate c) {
            return new Versioned(c.documentId(), c.aclVersion());
        }
    }

    /**
     * One search: who asks, the query as vector and text, k, the tenant's access epoch read before
     * any decision, and whether checks must bypass OpenFGA's caches because the tenant's access rules
     * changed recently.
     */
    record Query(Caller caller, float[] vector, String text, int topK, long epoch, boolean fresh) {}

    Found find(Query q, Strategy strategy) {
        // One budget for the whole search: a list cut by OpenFGA's deadline leaves the post-filter
        // only what is left of it. A failing search fails within the budget plus at most one list
        // wait per principal (the list has its own deadline, clearance.fga.list-objects).
        long deadline = System.nanoTime() + properties.budget().toNanos();
        Found found;
        OptionalDouble share = shares.of(q.caller());
        Viewable known = null;
        if (share.isEmpty() && strategy == Strategy.ADAPTIVE) {
            // A caller not seen lately: when the lists of the groups and folders it shares are cached
            // (another member searched in this epoch), their union says how much it may view, and a
            // caller who sees little skips the post-filter round that would have found it out.
            known = prefilter.cached(q);
            if (known == null && sizes.listable(q.caller().tenant())) {
                // Some of those lists are missing, and the tenant is small enough that no list can be
                // long: fetch them now rather than learn the share from a post-filter round through
                // the whole tenant. The lists are cached, so the next caller who shares them pays nothing.
                known = prefilter.listed(q);
            }
            if (known != null) {
                long documents = Math.max(1, sizes.documents(q.caller().tenant()));
                share = OptionalDouble.of(
                        Math.min(1.0, (double) known.documentIds().size() / documents));
            }
        }
        boolean sparse = share.isPresent() && share.getAsDouble() < properties.prefilterBelow();
        if (strategy == Strategy.PREFILTER || (strategy == Strategy.ADAPTIVE && sparse)) {
            Found pre = prefilter.find(q, Found.Effort.NONE, strategy == Strategy.ADAPTIVE, known);
            if (pre == null && sparse) {
                // The caller's list is too long to trust: post-filter from now on.
                shares.remember(q.caller(), properties.prefilterBelow());
            }
            found = pre != null ? pre : postfilter(q, false, share, deadline);
        } else {
            found = postfilter(q, strategy == Strategy.ADAPTIVE, share, deadline);
        }
        // After every check of this search and before anything is ranked or returned.
        return confirm(q, found);
    }

    /**
     * The last step: decisions hold for the text they are returned with (invariant 3 of
     * docs/consistency.md). A check asked after the chunk was read, with the version unchanged after
     * it, is for that text ({@link VersionCheck}). A list or a caller's expansion (ADR 0015) was made
     * for the rules of the epoch the search read, possibly before a chunk of a newer version became
     * visible; such a version can only have become visible after its sync raised the epoch. So while
     * the epoch has not moved, every decision holds; when it has, the documents found are checked
     * again now, after their text was read, before the versions are confirmed.
     */
    private Found confirm(Query q, Found found) {
        String tenant = q.caller().tenant();
        Map<Long, Candidate> allowed = found.allowed();
        int dropped = 0;
        if (!allowed.isEmpty() && changes.read(tenant).epoch() != q.epoch()) {
            Set<String> documents = new HashSet<>();
            allowed.values().forEach(c -> documents.add(c.documentId()));
            Decisions now = recheck.check(q.caller(), documents, true);
            failIfErrors(now);
            Map<Long, Candidate> kept = new LinkedHashMap<>();
            allowed.forEach((id, c) -> {
                if (now.outcome(c.documentId()) == Outcome.ALLOWED) {
                    kept.put(id, c);
                }
            });
            dropped = allowed.size() - kept.size();
            allowed = kept;
        }
        VersionCheck.Confirmed confirmed = versions.confirm(tenant, allowed);
        return found.confirmed(new VersionCheck.Confirmed(confirmed.kept(), confirmed.dropped() + dropped), q.topK());
    }

    private Found postfilter(Query q, boolean adaptive, OptionalDouble share, long deadline) {
        boolean exact = sizes.exactScan(q.caller().tenant());
        Caller caller = q.caller();
        int topK = q.topK();
        Map<Long, Candidate> allowed = new LinkedHashMap<>();
        Map<Versioned, Outcome> decided = new HashMap<>();
        Set<String> denied = new HashSet<>();
        int window = firstWindow(topK, share);
        int candidates = 0;
        int rounds = 0;
        boolean exhausted = false;
        // Round one always runs: past the budget its checks fail closed at once, unless cached.
        while (allowed.size() < topK
                && rounds < properties.maxRounds()
                && (rounds == 0 || System.nanoTime() < deadline)) {
            rounds++;
            Round fetched = candidates(caller.tenant(), q.vector(), q.text(), window, denied, exact);
            List<Candidate> round = fetched.candidates();
            candidates += round.size();
            Map<String, Long> toCheck = new HashMap<>();
            round.forEach(c -> {
                if (!decided.containsKey(Versioned.of(c))) {
                    toCheck.put(c.documentId(), c.aclVersion());
                }
            });
            Decisions decisions = checker.check(caller, toCheck, q.epoch(), q.fresh(), deadline);
            failIfErrors(decisions);
            // One check of a document covers every version of it read before the check; VersionCheck
            // later keeps only chunks of the version that was still current after it.
            round.stream()
                    .filter(c -> toCheck.containsKey(c.documentId()))
                    .forEach(c -> decided.put(Versioned.of(c), decisions.outcome(c.documentId())));
            for (Candidate c : round) {
                if (decided.get(Versioned.of(c)) == Outcome.ALLOWED) {
                    allowed.putIfAbsent(c.chunkId(), c);
                } else {
                    denied.add(c.documentId());
                }
            }
            exhausted = fetched.exhausted();
            if (exhausted) {
                break;
            }
            if (adaptive && rounds == 1 && allowed.size() < topK && share(decided) < properties.prefilterBelow()) {
                Found pre = prefilter.find(q, effort(candidates, decided, rounds), true, null);
                if (pre != null) {
                    // Observed once: a search that goes on post-filtering observes all its rounds below.
                    shares.observe(caller, count(decided, Outcome.ALLOWED), decided.size());
                    return pre;
                }
            }
            window = Math.min(properties.maxWindow(), window * properties.growth());
        }
        boolean complete = exhausted || allowed.size() >= topK;
        shares.observe(caller, count(decided, Outcome.ALLOWED), decided.size());
        return new Found(
                allowed,
                effort(candidates, decided, rounds),
                adaptive ? "adaptive-postfilter" : "postfilter",
                complete,
                exact,
                0);
    }

    private static Found.Effort effort(int candidates, Map<Versioned, Outcome> decided, int rounds) {
        return new Found.Effort(candidates, count(decided, Outcome.ALLOWED), count(decided, Outcome.DENIED), rounds);
    }

    /**
     * Round one's window: k over the caller's recent allowed share with a margin, or a fixed multiple
     * of k for a caller not seen lately.
     */
    private int firstWindow(int topK, OptionalDouble share) {
        if (share.isEmpty()) {
            return Math.min(properties.maxWindow(), topK * properties.firstWindowFactor());
        }
        double visible = Math.max(share.getAsDouble(), 1.0 / properties.firstWindowFactor() / 4);
        return (int) Math.min(properties.maxWindow(), Math.ceil(topK * 1.25 / visible) + 2);
    }

    /**
     * Fails closed. The message is the same however many checks failed: that number grows with the
     * documents the caller may not read (invariant 4 of docs/consistency.md).
     */
    private static void failIfErrors(Decisions decisions) {
        if (decisions.hasErrors()) {
            throw new AuthorizationUnavailableException(
                    "Authorization checks failed; no partial result is returned.", null);
        }
    }

    /** One round's candidates; exhausted when the vector leg returned fewer than asked. */
    private record Round(List<Candidate> candidates, boolean exhausted) {}

    private Round candidates(
            String tenant, float[] vector, String query, int window, Set<String> denied, boolean exact) {
        List<Candidate> nearest = chunks.nearest(tenant, vector, query, window, denied, exact);
        if (!exact && nearest.size() < window) {
            // The approximate scan stops early on sparse tenants; only an exact scan proves exhaustion.
            nearest = chunks.nearest(tenant, vector, query, window, denied, true);
        }
        boolean exhausted = nearest.size() < window;
        if (!properties.hybrid()) {
            return new Round(nearest, exhausted);
        }
        Map<Long, Candidate> merged = new LinkedHashMap<>();
        nearest.forEach(c -> merged.put(c.chunkId(), c));
        chunks.lexical(tenant, vector, query, Math.max(10, window / 4), denied)
                .forEach(c -> merged.putIfAbsent(c.chunkId(), c));
        return new Round(List.copyOf(merged.values()), exhausted);
    }

    private static double share(Map<Versioned, Outcome> decided) {
        return decided.isEmpty() ? 1.0 : (double) count(decided, Outcome.ALLOWED) / decided.size();
    }

    private static int count(Map<Versioned, Outcome> decided, Outcome outcome) {
        return (int) decided.values().stream().filter(o -> o == outcome).count();
    }
}
