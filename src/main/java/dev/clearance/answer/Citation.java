package dev.clearance.answer;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;

/**
 * A source given to the model as {@code [number]}. Every citation is a chunk that was in the
 * prompt; {@code cited} says whether the answer refers to it.
 */
@Serdeable
public record Citation(
        int number,
        String documentId,
        String chunkId,
        String title,
        @Nullable String source,
        int position,
        boolean cited) {}
