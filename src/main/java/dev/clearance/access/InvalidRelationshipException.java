package dev.clearance.access;

import dev.clearance.platform.Problem;
import dev.clearance.platform.ProblemException;
import io.micronaut.http.HttpStatus;
import java.util.List;

/** A subject, relation or object that the authorization model does not accept. */
public final class InvalidRelationshipException extends ProblemException {

    public InvalidRelationshipException(List<Problem.FieldError> errors) {
        super(
                HttpStatus.BAD_REQUEST,
                "invalid-relationship",
                "Invalid relationship",
                errors.get(0).field() + ": " + errors.get(0).message(),
                errors,
                null);
    }
}
