package dev.clearance.documents;

import dev.clearance.access.AccessPaths;
import dev.clearance.access.FgaStore;
import dev.clearance.access.ObjectIds;
import dev.clearance.audit.AuditTrail;
import dev.clearance.contract.Scopes;
import dev.clearance.identity.Caller;
import dev.clearance.identity.Principal;
import dev.clearance.platform.RequestRef;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Explanations of access (ADR 0012). "Why may I see this?" answers the caller about itself, and only
 * once the same OpenFGA check as {@code GET /v1/documents/{id}} allowed it: a caller who may not view
 * the document gets the same 404 as for one that does not exist. "Who may see this?" is for auditors
 * ({@code audit:read}). The paths come from the desired state (what OpenFGA holds once synced).
 */
@Singleton
public final class DocumentAccess {

    /** The caller's own principals (user, and agent when one acts) with their paths. */
    @Serdeable
    public record Explanation(String documentId, List<PrincipalPaths> principals, String modelId) {}

    @Serdeable
    public record PrincipalPaths(String principal, List<List<AccessPaths.Step>> paths) {}

    /**
     * One page of the subjects that may view a document, in subject order. {@code synced}: OpenFGA
     * holds the document's current rules; while false, the list is what it is about to hold.
     */
    @Serdeable
    public record Viewers(
            String documentId,
            List<AccessPaths.Reach> subjects,
            @Nullable String next,
            boolean synced,
            String modelId) {}

    private final DocumentLookup lookup;
    private final DocumentRepository documents;
    private final AccessPaths paths;
    private final AuditTrail audit;
    private final FgaStore fga;

    DocumentAccess(
            DocumentLookup lookup, DocumentRepository documents, AccessPaths paths, AuditTrail audit, FgaStore fga) {
        this.lookup = lookup;
        this.documents = documents;
        this.paths = paths;
        this.audit = audit;
        this.fga = fga;
    }

    public Explanation explain(Caller caller, String id, RequestRef request) {
        // Checked and audited exactly like a GET: 404 unless OpenFGA allows every principal.
        lookup.get(caller, id, request, "access.explain");
        List<String> principals =
                caller.principals().stream().map(Principal::subject).toList();
        List<PrincipalPaths> out = new ArrayList<>();
        paths.pathsFor(caller.tenant(), id, principals)
                .forEach((principal, found) -> out.add(new PrincipalPaths(principal, found)));
        return new Explanation(id, out, fga.current().modelId());
    }

    public Viewers viewers(Caller caller, String id, @Nullable String after, int limit, RequestRef request) {
        caller.requireScope(Scopes.AUDIT_READ);
        long started = System.nanoTime();
        Optional<StoredDocument> row =
                ObjectIds.isValidLocalId(id) ? documents.find(caller.tenant(), id) : Optional.empty();
        audit.record(new AuditTrail.Read(
                request,
                caller,
                "access.viewers",
                row.isPresent() ? id : null,
                row.isPresent() ? AuditTrail.ALLOWED : AuditTrail.NOT_FOUND,
                0,
                null,
                null,
                (System.nanoTime() - started) / 1_000_000));
        if (row.isEmpty()) {
            throw new DocumentNotFoundException(id);
        }
        List<AccessPaths.Reach> all = paths.reaches(caller.tenant(), id).stream()
                .filter(r -> after == null || r.subject().compareTo(after) > 0)
                .toList();
        List<AccessPaths.Reach> page = all.size() > limit ? all.subList(0, limit) : all;
        String next = all.size() > limit ? page.getLast().subject() : null;
        return new Viewers(
                id,
                List.copyOf(page),
                next,
                row.get().aclSynced(),
                fga.current().modelId());
    }
}
