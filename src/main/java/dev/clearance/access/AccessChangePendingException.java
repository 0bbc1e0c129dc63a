package dev.clearance.access;

import dev.clearance.platform.ProblemException;
import io.micronaut.http.HttpStatus;
import java.util.List;

/**
 * An access change is recorded but OpenFGA does not hold it yet (slow or unavailable, or another
 * writer of the same object is still in flight). Not a 2xx: a client must not take a revocation
 * for done before it is in effect. Sending the same change again is safe.
 */
public final class AccessChangePendingException extends ProblemException {

    public AccessChangePendingException() {
        super(
                HttpStatus.SERVICE_UNAVAILABLE,
                "access-change-pending",
                "Access change not yet in effect",
                "The change is recorded and is being applied to the authorization service, but it is not in"
                        + " effect yet. Send the same change again to learn when it is (that is safe).",
                List.of(),
                null);
    }

    @Override
    public String retryAfterSeconds() {
        return "2";
    }
}
