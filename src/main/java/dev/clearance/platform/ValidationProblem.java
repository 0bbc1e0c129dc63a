package dev.clearance.platform;

import io.micronaut.http.HttpStatus;
import java.util.List;

/** Input that is well-formed JSON but has invalid fields; each error names its field. */
public final class ValidationProblem extends ProblemException {

    public ValidationProblem(List<Problem.FieldError> errors) {
        super(
                HttpStatus.BAD_REQUEST,
                "invalid-request",
                "Invalid request",
                errors.get(0).field() + ": " + errors.get(0).message(),
                errors,
                null);
    }
}
