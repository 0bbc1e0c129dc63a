package dev.clearance.access;

import dev.clearance.platform.ProblemException;
import io.micronaut.http.HttpStatus;
import java.util.List;

/**
 * Authorization could not be decided (OpenFGA down, slow, or answering errors). The request fails
 * closed with 503: no text is returned that was not positively allowed.
 */
public final class AuthorizationUnavailableException extends ProblemException {

    public AuthorizationUnavailableException(String detail, Throwable cause) {
        super(
                HttpStatus.SERVICE_UNAVAILABLE,
                "authorization-unavailable",
                "Authorization unavailable",
                detail,
                List.of(),
                cause);
    }

    /** A dependency that fails now may answer in a moment: clients and load balancers retry after this. */
    @Override
    public String retryAfterSeconds() {
        return "2";
    }
}
