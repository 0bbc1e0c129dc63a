package dev.clearance.web;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Turns the framework's own errors (unknown route, unreadable JSON, bad parameter, 401/403 from the
 * security filter, 413, 500) into problem+json with a stable {@code type}. Internals such as
 * exception class names or stack traces are never put in the body.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
final class ProblemErrorResponseProcessor implements ErrorResponseProcessor<Problem> {

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        HttpStatus status = response.getStatus();
        List<Problem.FieldError> errors = context.getErrors().stream()
                .filter(e -> e.getPath().isPresent())
                .map(ProblemErrorResponseProcessor::fieldError)
                .toList();
        String detail = status.getCode() >= 500
                ? "The request could not be completed. Quote the request id when reporting this."
                : context.getErrors().stream()
                        .map(Error::getMessage)
                        .map(ProblemErrorResponseProcessor::safe)
                        .findFirst()
                        .orElse(status.getReason());
        return ProblemResponses.of(
                response, context.getRequest(), status, slug(status), status.getReason(), detail, errors);
    }

    private static Problem.FieldError fieldError(Error error) {
        return new Problem.FieldError(error.getPath().orElse(""), safe(error.getMessage()));
    }

    /**
     * Binding errors quote parser internals (class names, source positions); callers get a plain
     * sentence instead, while constraint messages ("must be less than or equal to 50") pass through.
     */
    static String safe(String message) {
        if (message == null) {
            return null;
        }
        if (message.contains("Failed to convert argument")
                || message.contains("Cannot deserialize")
                || message.contains("Unexpected character")
                || message.contains("Source:")) {
            return "The request body is not valid JSON of the expected shape.";
        }
        return message;
    }

    private static String slug(HttpStatus status) {
        return switch (status) {
            case UNAUTHORIZED -> "unauthenticated";
            case FORBIDDEN -> "forbidden";
            case NOT_FOUND -> "not-found";
            case REQUEST_ENTITY_TOO_LARGE -> "payload-too-large";
            case UNSUPPORTED_MEDIA_TYPE -> "unsupported-media-type";
            case METHOD_NOT_ALLOWED -> "method-not-allowed";
            default -> status.getCode() >= 500 ? "internal-error" : "bad-request";
        };
    }
}
