package dev.clearance.platform;

import io.micronaut.http.HttpStatus;
import java.util.List;

/** PostgreSQL could not be reached or failed; nothing was half-written (transactions roll back). */
public final class StoreException extends ProblemException {

    public StoreException(String detail, Throwable cause) {
        super(
                HttpStatus.SERVICE_UNAVAILABLE,
                "store-unavailable",
                "Document store unavailable",
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
