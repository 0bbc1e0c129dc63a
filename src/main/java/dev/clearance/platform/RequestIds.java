package dev.clearance.platform;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.context.ServerRequestContext;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Request ids. Every request gets an id generated here: it is the id of the logs, of problem
 * responses, of the audit log and of the {@code X-Request-Id} response header. A client's own
 * {@code X-Request-Id} is never used in its place (a client could otherwise pick the id under which
 * its request is audited, or reuse another request's); when it is safe to log it is kept beside the
 * server's id as the client request id.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    public static final String CLIENT_MDC_KEY = "clientRequestId";
    static final String ATTRIBUTE = "clearance.requestId";
    static final String CLIENT_ATTRIBUTE = "clearance.clientRequestId";

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {}

    /** The server's id of this request (as set by {@link RequestIdFilter}), or null outside a request. */
    public static String of(HttpRequest<?> request) {
        return request.getAttribute(ATTRIBUTE, String.class).orElse(null);
    }

    /** Both ids of this request, for the audit log; a fresh server id outside a filtered request. */
    public static RequestRef refOf(HttpRequest<?> request) {
        String id = of(request);
        return id == null
                ? RequestRef.generated()
                : new RequestRef(
                        id, request.getAttribute(CLIENT_ATTRIBUTE, String.class).orElse(null));
    }

    /**
     * Both ids of the HTTP request being served on this thread, for work that does not get the
     * request handed to it (MCP tools run inside the {@code /mcp} request); a fresh id outside one.
     */
    public static RequestRef current() {
        return ServerRequestContext.currentRequest().map(RequestIds::refOf).orElseGet(RequestRef::generated);
    }

    static String generate() {
        return UUID.randomUUID().toString();
    }

    /** The client's id when it is safe to log and store, null otherwise. */
    static String client(String incoming) {
        return incoming != null && SAFE.matcher(incoming).matches() ? incoming : null;
    }
}
