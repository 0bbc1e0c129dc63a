package dev.clearance.documents;

import dev.clearance.platform.Problem;
import dev.clearance.platform.ProblemException;
import io.micronaut.http.HttpStatus;
import java.util.List;

/** A document that cannot be stored as sent: unsupported format, corrupt file, bad field. */
public final class InvalidDocumentException extends ProblemException {

    public InvalidDocumentException(String field, String message) {
        super(
                HttpStatus.BAD_REQUEST,
                "invalid-document",
                "Invalid document",
                field + ": " + message,
                List.of(new Problem.FieldError(field, message)),
                null);
    }

    /** Several invalid fields at once; the detail names the first. */
    public InvalidDocumentException(List<Problem.FieldError> errors) {
        super(
                HttpStatus.BAD_REQUEST,
                "invalid-document",
                "Invalid document",
                errors.get(0).field() + ": " + errors.get(0).message(),
                errors,
                null);
    }
}
