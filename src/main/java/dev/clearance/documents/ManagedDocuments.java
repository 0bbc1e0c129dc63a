package dev.clearance.documents;

import dev.clearance.contract.Scopes;
import dev.clearance.identity.Caller;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The documents a writer (such as an ingest job) sent under its own name, in the caller's tenant.
 * A writer that lost its own records lists them to find the ones it no longer has, and deletes those.
 */
@Singleton
public final class ManagedDocuments {

    /** One listed document; an object rather than a bare id, so fields can be added later. */
    @Serdeable
    public record Entry(String id) {}

    /** One page in id order; {@code next} continues it (absent on the last page). */
    @Serdeable
    public record Page(List<Entry> documents, String next) {}

    private final DocumentOwners owners;

    ManagedDocuments(DocumentOwners owners) {
        this.owners = owners;
    }

    /** Needs {@code documents:write}: only writers have a use for the list, and it names documents. */
    public Page list(Caller caller, String managedBy, String after, int limit) {
        caller.requireScope(Scopes.DOCUMENTS_WRITE);
        List<String> ids = owners.idsManagedBy(caller.tenant(), managedBy, after, limit);
        // A full page may be followed by more; the next request finds out (an empty last page at worst).
        String next = ids.size() < limit ? null : ids.getLast();
        return new Page(ids.stream().map(Entry::new).toList(), next);
    }
}
