package dev.clearance.documents;

import dev.clearance.access.AccessSync;
import dev.clearance.access.ConcurrentChangeException;
import dev.clearance.access.DesiredState;
import dev.clearance.access.DesiredTuple;
import dev.clearance.access.ObjectIds;
import dev.clearance.access.Relationship;
import dev.clearance.access.ScopedTuple;
import dev.clearance.access.TupleScoper;
import dev.clearance.chunk.Chunk;
import dev.clearance.chunk.Chunker;
import dev.clearance.contract.Scopes;
import dev.clearance.embed.Embedder;
import dev.clearance.identity.Caller;
import dev.clearance.platform.InputLimits;
import dev.clearance.platform.Problem;
import dev.clearance.platform.Sha256;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Ingestion: extract → chunk → embed → store, with the access rules handed to the outbox in the
 * same transaction. Work is skipped when content and grants are unchanged (content hash). Embedding
 * happens before the transaction so no database connection is held during model inference.
 */
@Singleton
public final class IngestService {

    private final TextExtractor extractor;
    private final Chunker chunker;
    private final Embedder embedder;
    private final DocumentRepository documents;
    private final TupleScoper scoper;
    private final AccessSync accessSync;
    private final MeterRegistry meters;
    private final InputLimits limits;

    IngestService(
            TextExtractor extractor,
            Chunker chunker,
            Embedder embedder,
            DocumentRepository documents,
            TupleScoper scoper,
            AccessSync accessSync,
            MeterRegistry meters,
            InputLimits limits) {
        this.extractor = extractor;
        this.chunker = chunker;
        this.embedder = embedder;
        this.documents = documents;
        this.scoper = scoper;
        this.accessSync = accessSync;
        this.meters = meters;
        this.limits = limits;
    }

    public PutResult put(Caller caller, String id, DocumentInput input) {
        caller.requireScope(Scopes.DOCUMENTS_WRITE);
        requireValidId(caller.tenant(), id);
        validate(caller.tenant(), input);
        List<DesiredTuple> desired = desiredTuples(caller.tenant(), id, input);
        TextExtractor.Extracted extracted = extractor.extract(input.mimeType(), input.text(), input.contentBase64());
        if (extracted.text().length() > limits.textMaxChars()) {
            throw new InvalidDocumentException(
                    input.text() != null ? "text" : "contentBase64",
                    "the text is " + extracted.text().length() + " characters long; the limit is "
                            + limits.textMaxChars());
        }
        String contentHash = hash(
                input.title(),
                extracted.mimeType(),
                extracted.text(),
                input.source(),
                new TreeMap<>(input.metadataOrEmpty()).toString(),
                embedder.modelName());
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
                documents.recordManagedBy(caller.tenant(), id, contentHash, grantsHash, input.managedBy());
            }
            meters.counter("clearance.ingest.documents", "status", "unchanged").increment();
            return new PutResult(id, "unchanged", d.chunkCount(), d.tokenCount(), d.aclSynced());
        }
        List<NewChunk> chunks = contentSame ? null : embed(extracted.text(), input.title());
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
                embedder.modelName(),
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
        requireValidId(caller.tenant(), id);
        if (!documents.delete(caller.tenant(), id)) {
            throw new DocumentNotFoundException(id);
        }
        meters.counter("clearance.ingest.documents", "status", "deleted").increment();
        accessSync.syncNow(List.of(DocumentRepository.object(caller.tenant(), id)));
    }

    private List<NewChunk> embed(String text, String title) {
        // Chunking counts cl100k tokens and word pieces many times per chunk; timed on its own so its
        // share of ingestion is visible next to clearance.embedding.duration.
        Timer.Sample chunking = Timer.start(meters);
        List<Chunk> chunks = chunker.chunk(text, title);
        // The title gives short chunks their context; it is embedded, not stored in the chunk text.
        List<String> texts =
                chunks.stream().map(c -> chunker.embeddingText(title, c.text())).toList();
        chunking.stop(Timer.builder("clearance.ingest.chunking.duration")
                .description("Time to cut one document into chunks (token and word-piece counting)")
                .register(meters));
        List<float[]> vectors = embedder.embedAll(texts);
        List<NewChunk> out = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            Chunk chunk = chunks.get(i);
            out.add(new NewChunk(chunk.ordinal(), chunk.text(), chunk.tokens(), vectors.get(i)));
        }
        meters.counter("clearance.ingest.chunks").increment(out.size());
        meters.counter("clearance.ingest.tokens")
                .increment(out.stream().mapToInt(NewChunk::tokens).sum());
        return out;
    }

    private List<DesiredTuple> desiredTuples(String tenant, String id, DocumentInput input) {
        String object = ObjectIds.DOCUMENT + ":" + id;
        // Each grant keeps the name of the field it came from, so a refusal points at viewers[2].
        Map<String, Relationship> grants = new java.util.LinkedHashMap<>();
        if (input.folder() != null) {
            grants.put("folder", new Relationship("folder:" + input.folder(), "parent", object));
        }
        addGrants(grants, "viewers", input.viewersOrEmpty(), "viewer", object);
        addGrants(grants, "editors", input.editorsOrEmpty(), "editor", object);
        addGrants(grants, "owners", input.ownersOrEmpty(), "owner", object);
        List<DesiredTuple> desired = new ArrayList<>();
        for (Map.Entry<String, Relationship> grant : grants.entrySet()) {
            ScopedTuple t = scoper.scope(tenant, grant.getValue(), grant.getKey());
            desired.add(new DesiredTuple(t.user(), t.relation(), t.object()));
        }
        return desired.stream().distinct().toList();
    }

    private static void addGrants(
            Map<String, Relationship> grants, String field, List<String> subjects, String relation, String object) {
        for (int i = 0; i < subjects.size(); i++) {
            grants.put(field + "[" + i + "]", new Relationship(subjects.get(i), relation, object));
        }
    }

    private void requireValidId(String tenant, String id) {
        String problem = scoper.localIdProblem(ObjectIds.DOCUMENT, tenant, id);
        if (problem != null) {
            throw new InvalidDocumentException("id", problem);
        }
    }

    /**
     * Field checks that bean validation cannot express: configurable limits, ids that must fit
     * OpenFGA, and NUL characters, which PostgreSQL cannot store. All problems are reported at once.
     */
    private void validate(String tenant, DocumentInput input) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (input.folder() != null) {
            String problem = scoper.localIdProblem("folder", tenant, input.folder());
            if (problem != null) {
                errors.add(new Problem.FieldError("folder", problem));
            }
        }
        noNul(errors, "title", input.title());
        noNul(errors, "text", input.text());
        noNul(errors, "source", input.source());
        noNul(errors, "mimeType", input.mimeType());
        Map<String, String> metadata = input.metadataOrEmpty();
        if (metadata.size() > limits.metadataMaxEntries()) {
            errors.add(new Problem.FieldError(
                    "metadata", "at most " + limits.metadataMaxEntries() + " entries, got " + metadata.size()));
        }
        for (Map.Entry<String, String> entry : new TreeMap<>(metadata).entrySet()) {
            String key = entry.getKey();
            String field = "metadata." + (key.length() > 40 ? key.substring(0, 40) + "..." : key);
            if (key.isEmpty() || key.length() > limits.metadataKeyMaxChars()) {
                errors.add(new Problem.FieldError(
                        field, "keys must be 1 to " + limits.metadataKeyMaxChars() + " characters long"));
            }
            if (entry.getValue() != null && entry.getValue().length() > limits.metadataValueMaxChars()) {
                errors.add(new Problem.FieldError(
                        field, "values must be at most " + limits.metadataValueMaxChars() + " characters long"));
            }
            if (InputLimits.hasNul(key) || InputLimits.hasNul(entry.getValue())) {
                errors.add(new Problem.FieldError(field, "must not contain NUL (U+0000) characters"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidDocumentException(errors);
        }
    }

    private static void noNul(List<Problem.FieldError> errors, String field, String value) {
        if (InputLimits.hasNul(value)) {
            errors.add(new Problem.FieldError(field, "must not contain NUL (U+0000) characters"));
        }
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
