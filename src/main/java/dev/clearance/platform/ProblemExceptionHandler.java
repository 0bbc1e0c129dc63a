package dev.clearance.platform;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps every {@link ProblemException} to its problem+json response. */
@Singleton
@Produces
@Requires(classes = {ProblemException.class, ExceptionHandler.class})
final class ProblemExceptionHandler implements ExceptionHandler<ProblemException, HttpResponse<Problem>> {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemExceptionHandler.class);

    private final MeterRegistry meters;

    ProblemExceptionHandler(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, ProblemException exception) {
        // One counter for every refused or failed request, by problem type and route (no ids).
        meters.counter(
                        "clearance.problems",
                        "type",
                        exception.type(),
                        "status",
                        Integer.toString(exception.status().getCode()))
                .increment();
        if (exception.status().getCode() >= 500) {
            LOG.warn(
                    "{} {}: {}",
                    exception.status().getCode(),
                    exception.type(),
                    exception.getMessage(),
                    exception.getCause());
        } else {
            LOG.info("{} {}: {}", exception.status().getCode(), exception.type(), exception.getMessage());
        }
        var response = HttpResponse.<Problem>status(exception.status());
        if (exception.retryAfterSeconds() != null) {
            response.header(HttpHeaders.RETRY_AFTER, exception.retryAfterSeconds());
        }
        return response.contentType(ProblemResponses.PROBLEM_JSON)
                .body(Problem.of(exception, request.getPath(), RequestIds.of(request)));
    }
}
