package dev.clearance.platform;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.RouteInfo;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Turns the framework's own errors (unknown route, unreadable JSON, bad parameter, 401/403 from the
 * security filter, 413, 500) into problem+json with a stable {@code type}. Internals such as
 * exception class names, stack traces, parser positions in Java terms or configuration property
 * names are never put in the body. Each one is counted in {@code clearance.problems} like the
 * service's own problems.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
final class ProblemErrorResponseProcessor implements ErrorResponseProcessor<Problem> {

    static final String NOT_JSON = "The request body is not valid JSON of the expected shape";

    private final MeterRegistry meters;
    private final long maxRequestSize;

    ProblemErrorResponseProcessor(MeterRegistry meters, HttpServerConfiguration server) {
        this.meters = meters;
        this.maxRequestSize = Math.min(server.getMaxRequestSize(), server.getMaxRequestBufferSize());
    }

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        HttpRequest<?> request = context.getRequest();
        HttpStatus status = refine(response.getStatus(), request);
        List<Problem.FieldError> errors = List.of();
        String detail;
        switch (status) {
            case REQUEST_ENTITY_TOO_LARGE ->
                detail = "The request body is larger than the limit of " + maxRequestSize + " bytes.";
            case REQUEST_HEADER_FIELDS_TOO_LARGE -> detail = "The request headers are larger than the server accepts.";
            case REQUEST_URI_TOO_LONG -> detail = "The request URI is longer than the server accepts.";
            default -> {
                if (status.getCode() >= 500) {
                    detail = "The request could not be completed. Quote the request id when reporting this.";
                } else {
                    String body = RouteAttributes.getRouteInfo(request)
                            .flatMap(RouteInfo::getBodyArgument)
                            .map(Argument::getName)
                            .orElse("body");
                    BindingFailure failure = context.getRootCause()
                            .flatMap(root -> BindingFailure.of(root, body))
                            .orElse(null);
                    if (failure != null && failure.missingBody()) {
                        detail = "body: a JSON body is required.";
                        errors = List.of(new Problem.FieldError("body", "a JSON body is required"));
                    } else if (failure != null) {
                        String message;
                        String field;
                        if (failure.argument().equals(body)) {
                            field = failure.property().orElse("body");
                            message = NOT_JSON + failure.where() + ".";
                        } else {
                            // A path or query parameter, e.g. ?limit=x: named as the caller wrote it.
                            field = failure.argument();
                            message = "cannot be read as a value of the expected type.";
                        }
                        errors = List.of(new Problem.FieldError(field, message));
                        detail = field.equals("body") ? message : field + ": " + message;
                    } else {
                        errors = context.getErrors().stream()
                                .filter(e -> e.getPath().isPresent())
                                .map(e -> new Problem.FieldError(
                                        e.getPath().get().replaceFirst("^/", ""), e.getMessage()))
                                .toList();
                        detail = context.getErrors().stream()
                                .map(Error::getMessage)
                                .findFirst()
                                .orElse(status.getReason());
                    }
                }
            }
        }
        String type = slug(status);
        meters.counter("clearance.problems", "type", type, "status", Integer.toString(status.getCode()))
                .increment();
        return ProblemResponses.of(response, request, status, type, status.getReason(), detail, errors);
    }

    /**
     * The server answers 413 for every frame that is too long. Headers and the request line are not
     * the body: they get the statuses that say so (431, 414), so a client knows what to shorten.
     */
    private static HttpStatus refine(HttpStatus status, HttpRequest<?> request) {
        if (status != HttpStatus.REQUEST_ENTITY_TOO_LARGE || !(request instanceof NettyHttpRequest<?> netty)) {
            return status;
        }
        DecoderResult result = netty.getNativeRequest().decoderResult();
        Throwable cause = result == null ? null : result.cause();
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (cause instanceof TooLongHttpLineException) {
            return HttpStatus.REQUEST_URI_TOO_LONG;
        }
        return status;
    }

    private static String slug(HttpStatus status) {
        return switch (status) {
            case UNAUTHORIZED -> "unauthenticated";
            case FORBIDDEN -> "forbidden";
            case NOT_FOUND -> "not-found";
            case REQUEST_ENTITY_TOO_LARGE -> "payload-too-large";
            case REQUEST_HEADER_FIELDS_TOO_LARGE -> "headers-too-large";
            case REQUEST_URI_TOO_LONG -> "uri-too-long";
            case UNSUPPORTED_MEDIA_TYPE -> "unsupported-media-type";
            case METHOD_NOT_ALLOWED -> "method-not-allowed";
            default -> status.getCode() >= 500 ? "internal-error" : "bad-request";
        };
    }
}
