package dev.clearance.platform;

import io.micronaut.http.HttpStatus;
import java.util.List;

/**
 * Base of every domain failure that reaches a caller. Each subclass names one failure; {@link
 * ProblemExceptionHandler} turns all of them into {@code application/problem+json} in one place.
 */
public abstract class ProblemException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String title;
    private final List<Problem.FieldError> errors;

    protected ProblemException(HttpStatus status, String type, String title, String detail) {
        this(status, type, title, detail, List.of(), null);
    }

    protected ProblemException(
            HttpStatus status,
            String type,
            String title,
            String detail,
            List<Problem.FieldError> errors,
            Throwable cause) {
        super(detail, cause);
        this.status = status;
        this.type = type;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }

    /** A {@code Retry-After} value for failures that pass with time (overload), else null. */
    public String retryAfterSeconds() {
        return null;
    }
}
