package dev.clearance.documents;

import dev.clearance.platform.ProblemException;
import io.micronaut.http.HttpStatus;

/**
 * No such document for this caller. Also used when it exists but the caller may not view it, so
 * the answer does not reveal that it exists.
 */
public final class DocumentNotFoundException extends ProblemException {

    public DocumentNotFoundException(String id) {
        super(
                HttpStatus.NOT_FOUND,
                "document-not-found",
                "Document not found",
                "No document '" + id + "' that you may view.");
    }
}
