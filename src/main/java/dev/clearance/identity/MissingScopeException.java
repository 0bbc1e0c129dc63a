package dev.clearance.identity;

import dev.clearance.platform.ProblemException;
import io.micronaut.http.HttpStatus;

/** The token is valid but lacks the scope the operation needs. */
public final class MissingScopeException extends ProblemException {

    public MissingScopeException(String scope) {
        super(
                HttpStatus.FORBIDDEN,
                "missing-scope",
                "Missing scope",
                "This operation needs the scope '" + scope + "'.");
    }
}
