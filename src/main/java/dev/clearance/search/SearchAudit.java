package dev.clearance.search;

import dev.clearance.access.FgaStore;
import dev.clearance.audit.AuditTrail;
import dev.clearance.identity.Caller;
import dev.clearance.platform.RequestRef;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The audit record of one search: which chunks left the service, and how they were found (counts
 * that include hidden documents, which is why they are written here and not returned), or that it
 * was refused because authorization could not be decided.
 */
@Singleton
final class SearchAudit {

    private final AuditTrail audit;
    private final FgaStore fga;

    SearchAudit(AuditTrail audit, FgaStore fga) {
        this.audit = audit;
        this.fga = fga;
    }

    /** A search answered 503: authorization could not be decided, nothing was returned. */
    void unavailable(
            RequestRef request,
            Caller caller,
            String action,
            String query,
            boolean fresh,
            long ms,
            RuntimeException failure) {
        audit.record(
                new AuditTrail.Unavailable(request, caller, action, query, null, AuditTrail.consistency(fresh), ms),
                failure);
    }

    void record(
            RequestRef request,
            Caller caller,
            String action,
            String query,
            List<SearchResult> returned,
            SearchDiagnostics diagnostics,
            boolean fresh,
            long ms) {
        audit.record(new AuditTrail.Search(
                request,
                caller,
                action,
                query,
                returned.stream().map(r -> Long.parseLong(r.chunkId())).toList(),
                diagnostics.candidates(),
                diagnostics.checked(),
                diagnostics.denied(),
                diagnostics.rounds(),
                diagnostics.strategy(),
                diagnostics.vectorSearch(),
                fga.current().modelId(),
                AuditTrail.consistency(fresh),
                ms));
    }
}
