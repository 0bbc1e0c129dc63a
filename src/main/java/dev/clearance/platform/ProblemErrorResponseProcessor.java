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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern LOCATION = Pattern.compile("line: (\\d+), column: (\\d+)");

    /** Serde names the property it failed on in some messages: "Error decoding property [Integer topK]". */
    private static final Pattern PROPERTY = Pattern.compile("decoding property \\[(?:\\S+ )?([A-Za-z0-9_]{1,64})]");

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
                    Error unreadable = context.getErrors().stream()
                            .filter(e -> isUnreadable(e.getMessage()))
                            .findFirst()
                            .orElse(null);
                    boolean missing = context.getErrors().stream()
                            .anyMatch(e ->
                                    e.getMessage() != null && e.getMessage().startsWith("Required Body"));
                    if (missing) {
                        detail = "body: a JSON body is required.";
                        errors = List.of(new Problem.FieldError("body", "a JSON body is required"));
                    } else if (unreadable != null) {
                        String argument = unreadable
                                .getPath()
                                .map(p -> p.replaceFirst("^/", ""))
                                .orElse("body");
                        String body = RouteAttributes.getRouteInfo(request)
                                .flatMap(RouteInfo::getBodyArgument)
                                .map(Argument::getName)
                                .orElse("body");
                        String message;
                        String field;
                        if (argument.equals(body)) {
                            field = property(unreadable.getMessage());
                            message = NOT_JSON + location(unreadable.getMessage()) + ".";
                        } else {
                            // A path or query parameter, e.g. ?limit=x: named as the caller wrote it.
                            field = argument;
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

    /** Binding errors quote parser internals (class names, Java types, source excerpts). */
    static boolean isUnreadable(String message) {
        return message != null
                && (message.contains("Failed to convert argument")
                        || message.contains("Cannot deserialize")
                        || message.contains("Unexpected character")
                        || message.contains("Unexpected token")
                        || message.contains("Error decoding property")
                        || message.contains("Source:"));
    }

    /** The JSON property the parser failed on, when it says; otherwise the body as a whole. */
    static String property(String message) {
        Matcher m = PROPERTY.matcher(message);
        return m.find() ? m.group(1) : "body";
    }

    /** Where in the body the parser stopped, which a client can use without knowing our types. */
    static String location(String message) {
        Matcher m = LOCATION.matcher(message);
        return m.find() ? " (line " + m.group(1) + ", column " + m.group(2) + ")" : "";
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
