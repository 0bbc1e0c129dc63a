package dev.clearance.platform;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.validation.exceptions.ConstraintExceptionHandler;
import jakarta.inject.Singleton;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import java.util.Comparator;
import java.util.List;

/**
 * Bean validation failures become the same {@code invalid-request} problem as the service's own
 * checks, with one entry per field in JSON terms ({@code topK}, {@code documents[0].document.title}),
 * so HTTP and MCP callers see one shape whichever layer caught the input.
 */
@Singleton
@Produces
@Replaces(ConstraintExceptionHandler.class)
@Requires(classes = {ConstraintViolationException.class, ExceptionHandler.class})
final class ConstraintViolationProblemHandler
        implements ExceptionHandler<ConstraintViolationException, HttpResponse<Problem>> {

    private final ProblemExceptionHandler problems;

    ConstraintViolationProblemHandler(ProblemExceptionHandler problems) {
        this.problems = problems;
    }

    @Override
    public HttpResponse<Problem> handle(HttpRequest request, ConstraintViolationException exception) {
        List<Problem.FieldError> errors = exception.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(field(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field).thenComparing(Problem.FieldError::message))
                .toList();
        if (errors.isEmpty()) {
            errors = List.of(new Problem.FieldError("body", "is invalid"));
        }
        return problems.handle(request, new ValidationProblem(errors));
    }

    /** The JSON path of a violation: method and parameter nodes dropped, list indexes kept. */
    static String field(ConstraintViolation<?> violation) {
        StringBuilder field = new StringBuilder();
        String parameter = null;
        Path path = violation.getPropertyPath();
        if (path == null) {
            return "body";
        }
        for (Path.Node node : path) {
            ElementKind kind = node.getKind();
            if (kind == ElementKind.METHOD
                    || kind == ElementKind.CONSTRUCTOR
                    || kind == ElementKind.CROSS_PARAMETER
                    || kind == ElementKind.RETURN_VALUE) {
                continue;
            }
            if (kind == ElementKind.PARAMETER) {
                parameter = node.getName();
                continue;
            }
            if (node.isInIterable() && (node.getIndex() != null || node.getKey() != null)) {
                field.append('[')
                        .append(node.getIndex() != null ? node.getIndex() : node.getKey())
                        .append(']');
            }
            String name = node.getName();
            if (name != null && !name.isEmpty() && !name.startsWith("<")) {
                if (!field.isEmpty()) {
                    field.append('.');
                }
                field.append(name);
            }
        }
        if (!field.isEmpty()) {
            return field.toString();
        }
        return parameter == null ? "body" : parameter;
    }
}
