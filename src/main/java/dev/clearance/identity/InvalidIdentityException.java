package dev.clearance.identity;

import dev.clearance.platform.ProblemException;
import io.micronaut.http.HttpStatus;

/**
 * The token verified, but its claims cannot be turned into a caller (e.g. a tenant id with
 * characters that could smuggle a path into an authorization object id). Refused, never guessed.
 */
public final class InvalidIdentityException extends ProblemException {

    public InvalidIdentityException(String detail) {
        super(HttpStatus.FORBIDDEN, "invalid-identity", "Token claims not accepted", detail);
    }
}
