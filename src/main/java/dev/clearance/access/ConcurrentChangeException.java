package dev.clearance.access;

import dev.clearance.platform.ProblemException;
import io.micronaut.http.HttpStatus;

/**
 * Another PUT changed the document's content between reading it and writing: the writer decides
 * again with the stored state (compare-and-set inside the transaction). Reaches a client as 409 only
 * when the document keeps changing under it.
 */
public final class ConcurrentChangeException extends ProblemException {

    public ConcurrentChangeException(String documentId) {
        super(
                HttpStatus.CONFLICT,
                "concurrent-change",
                "Document changed concurrently",
                "Document " + documentId + " was changed by another request at the same time; send it again.");
    }
}
