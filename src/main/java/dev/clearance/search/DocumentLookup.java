package dev.clearance.search;

import dev.clearance.authz.AccessChecker;
import dev.clearance.authz.AuthorizationUnavailableException;
import dev.clearance.authz.Decisions;
import dev.clearance.authz.ObjectIds;
import dev.clearance.authz.Outcome;
import dev.clearance.identity.Caller;
import dev.clearance.ingest.DocumentNotFoundException;
import dev.clearance.store.AccessChangeLog;
import dev.clearance.store.DocumentRepository;
import dev.clearance.store.StoredDocument;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Reads one document's metadata for a caller. Missing, not yet searchable and not allowed all look
 * the same (404), so the answer does not reveal what exists.
 */
@Singleton
public final class DocumentLookup {

    private final DocumentRepository documents;
    private final AccessChecker checker;
    private final AccessChangeLog changes;
    private final SearchProperties properties;

    DocumentLookup(
            DocumentRepository documents, AccessChecker checker, AccessChangeLog changes, SearchProperties properties) {
        this.documents = documents;
        this.checker = checker;
        this.changes = changes;
        this.properties = properties;
    }

    public DocumentView get(Caller caller, String id) {
        if (!ObjectIds.isValidLocalId(id)) {
            throw new DocumentNotFoundException(id);
        }
        StoredDocument d = documents
                .find(caller.tenant(), id)
                .filter(StoredDocument::aclSynced)
                .orElseThrow(() -> new DocumentNotFoundException(id));
        boolean fresh = changes.changedWithin(caller.tenant(), properties.consistencyWindow());
        Decisions decisions = checker.check(caller, List.of(id), fresh);
        Outcome outcome = decisions.outcome(id);
        if (outcome == Outcome.ERROR) {
            throw new AuthorizationUnavailableException("The authorization check failed.", null);
        }
        if (outcome != Outcome.ALLOWED) {
            throw new DocumentNotFoundException(id);
        }
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
