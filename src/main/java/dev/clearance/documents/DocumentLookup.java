package dev.clearance.documents;

import dev.clearance.access.AccessChangeLog;
import dev.clearance.access.AccessChecker;
import dev.clearance.access.AuthorizationUnavailableException;
import dev.clearance.access.FgaStore;
import dev.clearance.access.ObjectIds;
import dev.clearance.access.Outcome;
import dev.clearance.audit.AuditTrail;
import dev.clearance.identity.Caller;
import dev.clearance.platform.RequestRef;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;

/**
 * Reads one document's metadata for a caller. Missing, not yet searchable and not allowed all look
 * the same (404), so the answer does not reveal what exists. Every read is audited, found or not,
 * and so is a read OpenFGA could not decide (503, outcome {@code unavailable}); only a read that
 * PostgreSQL cannot serve leaves no row, because the audit log lives there too.
 *
 * <p>The row is read, then checked, then its access-rule version is confirmed unchanged: a re-PUT
 * with new grants between the read and the check would otherwise answer the old row under the new
 * rules, or the new row under the old ones. When the version moved the read starts over, at most
 * {@link #ATTEMPTS} times; a document that keeps changing is answered as not found, which never shows
 * a reader anything it may not see.
 */
@Singleton
public final class DocumentLookup {

    private static final int ATTEMPTS = 3;

    private final DocumentRepository documents;
    private final DocumentVersions versions;
    private final AccessChecker checker;
    private final AccessChangeLog changes;
    private final AuditTrail audit;
    private final FgaStore fga;

    DocumentLookup(
            DocumentRepository documents,
            DocumentVersions versions,
            AccessChecker checker,
            AccessChangeLog changes,
            AuditTrail audit,
            FgaStore fga) {
        this.documents = documents;
        this.versions = versions;
        this.checker = checker;
        this.changes = changes;
        this.audit = audit;
        this.fga = fga;
    }

    public DocumentView get(Caller caller, String id, RequestRef request, String action) {
        long started = System.nanoTime();
        if (!ObjectIds.isValidLocalId(id)) {
            record(caller, request, action, null, AuditTrail.NOT_FOUND, false, null, started);
            throw new DocumentNotFoundException(id);
        }
        boolean fresh = changes.read(caller.tenant()).changedRecently();
        String consistency = AuditTrail.consistency(fresh);
        boolean refused = false;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Optional<StoredDocument> row = documents.find(caller.tenant(), id).filter(StoredDocument::aclSynced);
            // Checked whether or not the row exists: otherwise only existing documents could answer
            // 503 when OpenFGA fails, and the status code would tell them from missing ones.
            Outcome outcome;
            try {
                outcome = checker.check(caller, List.of(id), fresh).outcome(id);
            } catch (AuthorizationUnavailableException e) {
                throw audited(e, caller, request, action, id, consistency, started);
            }
            if (outcome == Outcome.ERROR) {
                throw audited(
                        new AuthorizationUnavailableException("The authorization check failed.", null),
                        caller,
                        request,
                        action,
                        id,
                        consistency,
                        started);
            }
            if (row.isEmpty() || outcome != Outcome.ALLOWED) {
                refused = row.isPresent();
                break;
            }
            StoredDocument d = row.get();
            Long current = versions.syncedVersions(caller.tenant(), List.of(id)).get(id);
            if (current != null && current == d.aclVersion()) {
                record(caller, request, action, id, AuditTrail.ALLOWED, false, consistency, started);
                return view(d);
            }
        }
        record(caller, request, action, id, AuditTrail.NOT_FOUND, refused, consistency, started);
        throw new DocumentNotFoundException(id);
    }

    /** The 503 of a read OpenFGA could not decide, audited before it is thrown. */
    private AuthorizationUnavailableException audited(
            AuthorizationUnavailableException failed,
            Caller caller,
            RequestRef request,
            String action,
            String id,
            String consistency,
            long started) {
        audit.record(
                new AuditTrail.Unavailable(
                        request, caller, action, null, id, consistency, (System.nanoTime() - started) / 1_000_000),
                failed);
        return failed;
    }

    private void record(
            Caller caller,
            RequestRef request,
            String action,
            String id,
            String outcome,
            boolean refused,
            String consistency,
            long started) {
        audit.record(new AuditTrail.Read(
                request,
                caller,
                action,
                id,
                outcome,
                refused ? 1 : 0,
                // No model for ids refused before any check: that path must not depend on OpenFGA.
                consistency == null ? null : fga.current().modelId(),
                consistency,
                (System.nanoTime() - started) / 1_000_000));
    }

    private static DocumentView view(StoredDocument d) {
        return new DocumentView(
                d.id(),
                d.title(),
                d.source(),
                d.folder(),
                d.mimeType(),
                d.metadata(),
                d.chunkCount(),
                d.tokenCount(),
                d.createdAt(),
                d.updatedAt());
    }
}
