package dev.clearance.embed;

import dev.clearance.platform.ProblemException;
import io.micronaut.http.HttpStatus;
import java.util.List;

/** The configured embedding endpoint failed; nothing was stored and the request can be retried. */
public final class EmbeddingUnavailableException extends ProblemException {

    public EmbeddingUnavailableException(String detail, Throwable cause) {
        super(
                HttpStatus.SERVICE_UNAVAILABLE,
                "embedding-unavailable",
                "Embedding unavailable",
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
