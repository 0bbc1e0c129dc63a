package dev.clearance.documents;

import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.Map;

/** Metadata of a document the caller may view (no text: text comes through search). */
@Serdeable
public record DocumentView(
        String id,
        String title,
        String source,
        String folder,
        String mimeType,
        Map<String, String> metadata,
        int chunks,
        int tokens,
        Instant createdAt,
        Instant updatedAt) {}
