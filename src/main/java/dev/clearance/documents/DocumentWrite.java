package dev.clearance.documents;

import dev.clearance.access.DesiredTuple;
import java.util.List;
import java.util.Map;

/**
 * Everything one PUT changes, applied in one transaction: the document row, its chunks (null when
 * the content is unchanged) and the desired tuples, which take a new access version only when they
 * differ from the stored ones.
 * {@code managedBy} is the writer that asked for it (null: none).
 */
public record DocumentWrite(
        String tenant,
        String id,
        String title,
        String source,
        String folder,
        String mimeType,
        Map<String, String> metadata,
        String contentHash,
        String grantsHash,
        String embeddingModel,
        List<NewChunk> chunks,
        List<DesiredTuple> desiredTuples,
        String managedBy) {}
