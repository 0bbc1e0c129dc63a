package dev.clearance.search;

import dev.clearance.access.AccessChangeLog;
import dev.clearance.access.AccessPaths;
import dev.clearance.access.AuthorizationUnavailableException;
import dev.clearance.contract.Scopes;
import dev.clearance.embed.Embedder;
import dev.clearance.identity.Caller;
import dev.clearance.identity.Principal;
import dev.clearance.limits.RateLimits;
import dev.clearance.platform.InputLimits;
import dev.clearance.platform.RequestRef;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;

/**
 * Search: embed the query, find at least k authorized chunks, rank, pack to the token budget, audit.
 * The same service answers HTTP, MCP and the ask endpoint, so all three return exactly the same
 * authorized set. How the results were found (counts that include documents the caller may not
 * read) goes to the audit log, and back to the caller only when it holds the scope {@code
 * audit:read}.
 */
@Singleton
public final class SearchService {

    private final Embedder embedder;
    private final Retrieval retrieval;
    private final ContextPacker packer;
    private final SearchAudit audit;
    private final SearchProperties properties;
    private final MeterRegistry meters;
    private final AccessChangeLog changes;
    private final SearchAdmission admission;
    private final InputLimits limits;
    private final RateLimits rateLimits;
    private final AccessPaths paths;

    SearchService(
            AccessChangeLog changes,
            Embedder embedder,
            Retrieval retrieval,
            ContextPacker packer,
            SearchAudit audit,
            SearchProperties properties,
            MeterRegistry meters,
            InputLimits limits,
            SearchAdmission admission,
            RateLimits rateLimits,
            AccessPaths paths) {
        this.paths = paths;
        this.admission = admission;
        this.changes = changes;
        this.embedder = embedder;
        this.retrieval = retrieval;
        this.packer = packer;
        this.audit = audit;
        this.properties = properties;
        this.meters = meters;
        this.limits = limits;
        this.rateLimits = rateLimits;
    }

    public SearchResponse search(Caller caller, SearchRequest request, RequestRef requestId, String action) {
        long started = System.nanoTime();
        request.requireValid(limits);
        // Shared by every replica, so it is asked before this replica's own line.
        rateLimits.admit(caller);
        // Bad input is refused at once; valid searches wait for a slot (SearchAdmission).
        return admission.run(caller, () -> run(caller, request, requestId, action, started));
    }

    private SearchResponse run(
            Caller caller, SearchRequest request, RequestRef requestId, String action, long started) {
        int topK = request.topKOrDefault();
        float[] vector = timed("embed", () -> embedder.embedQuery(request.query()));
        Strategy strategy = request.strategyOrDefault();
        // Read before any decision is asked for or taken from a cache (ADR 0009).
        AccessChangeLog.TenantAccess access = changes.read(caller.tenant());
        boolean fresh = access.changedRecently();
        Found found;
        try {
            found = timed(
                    "retrieve",
                    () -> retrieval.find(
                            new Retrieval.Query(caller, vector, request.query(), topK, access.epoch(), fresh),
                            strategy));
        } catch (AuthorizationUnavailableException e) {
            audit.unavailable(
                    requestId, caller, action, request.query(), fresh, (System.nanoTime() - started) / 1_000_000, e);
            throw e;
        }
        List<SearchResult> ranked = Ranking.rank(found.allowed().values(), properties.hybrid()).stream()
                .limit(topK)
                .map(s -> new SearchResult(
                        s.candidate().documentId(),
                        Long.toString(s.candidate().chunkId()),
                        s.candidate().ordinal(),
                        s.candidate().title(),
                        s.candidate().text(),
                        s.score(),
                        s.candidate().tokens(),
                        s.candidate().source(),
                        false,
                        null))
                .toList();
        List<SearchResult> fitted = timed("pack", () -> packer.pack(ranked, request.maxTokens()));
        List<SearchResult> packed = request.explainOrDefault() && !fitted.isEmpty()
                ? timed("explain", () -> explained(caller, fitted))
                : fitted;
        long ms = (System.nanoTime() - started) / 1_000_000;
        meters.counter("clearance.search.rounds", "strategy", found.strategy())
                .increment(found.effort().rounds());
        SearchDiagnostics diagnostics = found.diagnostics();
        audit.record(requestId, caller, action, request.query(), packed, diagnostics, fresh, ms);
        return new SearchResponse(
                packed,
                new SearchStats(packed.size(), found.complete(), ms),
                caller.hasScope(Scopes.AUDIT_READ) ? diagnostics : null);
    }

    /**
     * Each result with the caller's shortest path to its document, from one read of the desired state
     * for all of them (no OpenFGA call: every result was already allowed for every principal).
     */
    private List<SearchResult> explained(Caller caller, List<SearchResult> results) {
        List<String> principals =
                caller.principals().stream().map(Principal::subject).toList();
        Map<String, Map<String, List<AccessPaths.Step>>> shortest = paths.shortestFor(
                caller.tenant(),
                results.stream().map(SearchResult::documentId).distinct().toList(),
                principals);
        return results.stream()
                .map(r -> r.withAccess(principals.stream()
                        .map(p -> new SearchResult.AccessReason(
                                p,
                                shortest.getOrDefault(r.documentId(), Map.of()).getOrDefault(p, List.of())))
                        .toList()))
                .toList();
    }

    private <T> T timed(String stage, java.util.function.Supplier<T> work) {
        return Timer.builder("clearance.search.stage")
                .tag("stage", stage)
                .register(meters)
                .record(work);
    }
}
