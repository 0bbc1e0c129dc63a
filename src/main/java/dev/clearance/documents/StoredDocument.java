package dev.clearance.documents;

import java.time.Instant;
import java.util.Map;

/** A document row: what the service knows about a document besides its chunks. */
public record StoredDocument(
        String tenant,
        String id,
        String title,
        String source,
        String folder,
        String mimeType,
        Map<String, String> metadata,
        String contentHash,
        String grantsHash,
        long aclVersion,
        long aclSyncedVersion,
        int chunkCount,
        int tokenCount,
        Instant createdAt,
        Instant updatedAt,
        String managedBy) {

    public StoredDocument {
        metadata = Map.copyOf(metadata);
    }

    /** Searchable only once OpenFGA holds the grants of the current version. */
    public boolean aclSynced() {
        return aclSyncedVersion >= aclVersion;
    }
}
