package dev.clearance.documents;

import dev.clearance.access.AccessSync;
import dev.clearance.access.ConcurrentChangeException;
import dev.clearance.access.DesiredState;
import dev.clearance.access.DesiredTuple;
import dev.clearance.contract.Scopes;
import dev.clearance.identity.Caller;
import dev.clearance.platform.Sha256;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Ingestion: extract → chunk → embed → store, with the document's desired tuples written to the
 * desired state (access) in the same transaction. Work is skipped when content and grants are unchanged (content hash). Embedding
 * happens before the transaction so no database connection is held during model inference.
 */
@Singleton
public final class IngestService {

    private final TextExtractor extractor;
    private final DocumentChecks checks;
    private final DocumentGrants grants;
    private final DocumentEmbedding embedding;
    private final DocumentRepository documents;
    private final DocumentOwners owners;
    private final AccessSync accessSync;
    private final MeterRegistry meters;

    IngestService(
            TextExtractor extractor,
            DocumentChecks checks,
            DocumentGrants grants,
            DocumentEmbedding embedding,
            DocumentRepository documents,
            DocumentOwners owners,
            AccessSync accessSync,
            MeterRegistry meters) {
        this.extractor = extractor;
        this.checks = checks;
        this.grants = grants;
        this.embedding = embedding;
        this.documents = documents;
        this.owners = owners;
        this.accessSync = accessSync;
        this.meters = meters;
    }

    public PutResult put(Caller caller, String id, DocumentInput input) {
        caller.requireScope(Scopes.DOCUMENTS_WRITE);
        checks.requireValidId(caller.tenant(), id);
        checks.requireValid(caller.tenant(), input);
        List<DesiredTuple> desired = grants.of(caller.tenant(), id, input);
        TextExtractor.Extracted extracted = extractor.extract(input.mimeType(), input.text(), input.contentBase64());
        checks.requireTextWithinLimit(input, extracted.text());
        String contentHash = hash(
                input.title(),
                extracted.mimeType(),
                extracted.text(),
                input.source(),
                new TreeMap<>(input.metadataOrEmpty()).toString(),
                embedding.modelName());
        String grantsHash = DesiredState.grantsHash(desired);
        // A concurrent PUT of the same id with other text can land between deciding "content unchanged"
        // and writing; the write then refuses (compare-and-set) and the decision is made again.
        for (int attempt = 1; ; attempt++) {
            try {
                return write(caller, id, input, extracted, contentHash, grantsHash, desired);
            } catch (ConcurrentChangeException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private PutResult write(
            Caller caller,
            String id,
            DocumentInput input,
            TextExtractor.Extracted extracted,
            String contentHash,
            String grantsHash,
            List<DesiredTuple> desired) {
        Optional<StoredDocument> existing = documents.find(caller.tenant(), id);
        boolean contentSame =
                existing.map(d -> d.contentHash().equals(contentHash)).orElse(false);
        boolean grantsSame =
                existing.map(d -> d.grantsHash().equals(grantsHash)).orElse(false);
        if (contentSame && grantsSame) {
            StoredDocument d = existing.get();
            // A writer that takes over a document (an ingest job tagging what it sent before it had a
            // name) must own it even though nothing else changed; that needs no embedding and no sync.
            if (!Objects.equals(d.managedBy(), input.managedBy())) {
                owners.recordManagedBy(caller.tenant(), id, contentHash, grantsHash, input.managedBy());
            }
            meters.counter("clearance.ingest.documents", "status", "unchanged").increment();
            return new PutResult(id, "unchanged", d.chunkCount(), d.tokenCount(), d.aclSynced());
        }
        List<NewChunk> chunks = contentSame ? null : embedding.chunks(extracted.text(), input.title());
        StoredDocument saved = documents.save(new DocumentWrite(
                caller.tenant(),
                id,
                input.title(),
                input.source(),
                input.folder(),
                extracted.mimeType(),
                input.metadataOrEmpty(),
                contentHash,
                grantsHash,
                embedding.modelName(),
                chunks,
                desired,
                input.managedBy()));
        boolean searchable =
                saved.aclSynced() || accessSync.syncNow(List.of(DocumentRepository.object(caller.tenant(), id)));
        String status = existing.isEmpty() ? "created" : "updated";
        meters.counter("clearance.ingest.documents", "status", status).increment();
        return new PutResult(id, status, saved.chunkCount(), saved.tokenCount(), searchable);
    }

    public void delete(Caller caller, String id) {
        caller.requireScope(Scopes.DOCUMENTS_WRITE);
        checks.requireValidId(caller.tenant(), id);
        if (!documents.delete(caller.tenant(), id)) {
            throw new DocumentNotFoundException(id);
        }
        meters.counter("clearance.ingest.documents", "status", "deleted").increment();
        accessSync.syncNow(List.of(DocumentRepository.object(caller.tenant(), id)));
    }

    /** Length-prefixed parts, so ("ab", "c") and ("a", "bc") never hash alike. */
    private static String hash(String... parts) {
        return Sha256.hex(digest -> {
            for (String part : parts) {
                byte[] bytes = (part == null ? "\u0000" : part).getBytes(StandardCharsets.UTF_8);
                digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
                digest.update((byte) ':');
                digest.update(bytes);
            }
        });
    }
}
