package dev.clearance.platform;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.util.List;

/** Builds problem responses; the one place that decides their shape and media type. */
public final class ProblemResponses {

    public static final MediaType PROBLEM_JSON = MediaType.of("application/problem+json");

    private ProblemResponses() {}

    public static MutableHttpResponse<Problem> of(
            MutableHttpResponse<?> base,
            HttpRequest<?> request,
            HttpStatus status,
            String type,
            String title,
            String detail,
            List<Problem.FieldError> errors) {
        Problem problem = new Problem(
                Problem.TYPE_BASE + type,
                title,
                status.getCode(),
                detail,
                request.getPath(),
                RequestIds.of(request),
                errors);
        return base.status(status).contentType(PROBLEM_JSON).body(problem);
    }
}
