package dev.clearance.limits;

import dev.clearance.platform.ProblemException;
import io.micronaut.http.HttpStatus;
import java.util.List;

/** A search over its tenant's or its caller's limit: 429 with the wait the bucket computed. */
public final class RateLimitedException extends ProblemException {

    private final long retryAfterSeconds;

    RateLimitedException(String whose, int perMinute, long retryAfterSeconds) {
        super(
                HttpStatus.TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many searches",
                "The " + whose + " limit of " + perMinute + " searches per minute is used up; retry after "
                        + retryAfterSeconds + " s.",
                List.of(),
                null);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public String retryAfterSeconds() {
        return Long.toString(retryAfterSeconds);
    }
}
