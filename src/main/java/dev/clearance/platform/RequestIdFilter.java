package dev.clearance.platform;

import io.micronaut.context.propagation.slf4j.MdcPropagationContext;
import io.micronaut.core.order.Ordered;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import java.util.Map;

/**
 * Gives every request a server-generated id, puts it (and the client's own {@code X-Request-Id},
 * when usable) in the logging context for every thread the request runs on, and returns the
 * server's id in {@code X-Request-Id}: the id support needs to find the logs and the audit record.
 * Runs before security so that 401s carry it too.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class RequestIdFilter implements Ordered {

    @RequestFilter
    void assign(HttpRequest<?> request, MutablePropagatedContext context) {
        String id = RequestIds.generate();
        request.setAttribute(RequestIds.ATTRIBUTE, id);
        String client = RequestIds.client(request.getHeaders().get(RequestIds.HEADER));
        if (client == null) {
            context.add(new MdcPropagationContext(Map.of(RequestIds.MDC_KEY, id)));
        } else {
            request.setAttribute(RequestIds.CLIENT_ATTRIBUTE, client);
            context.add(new MdcPropagationContext(Map.of(RequestIds.MDC_KEY, id, RequestIds.CLIENT_MDC_KEY, client)));
        }
    }

    @ResponseFilter
    void echo(HttpRequest<?> request, MutableHttpResponse<?> response) {
        String id = RequestIds.of(request);
        if (id != null) {
            response.header(RequestIds.HEADER, id);
        }
        if (response.getStatus() == HttpStatus.UNAUTHORIZED
                && !response.getHeaders().contains("WWW-Authenticate")) {
            // RFC 6750 challenge, pointing MCP clients at the protected-resource metadata (RFC 9728).
            // A presented token that was refused gets error="invalid_token" and nothing more: why it
            // was refused (signature, expiry, issuer, audience) is not told to the caller.
            String authorization = request.getHeaders().get("Authorization");
            boolean presented = authorization != null && !authorization.isBlank();
            response.header(
                    "WWW-Authenticate",
                    "Bearer resource_metadata=\"http://"
                            + HostHeader.of(request).orElse("localhost")
                            + "/.well-known/oauth-protected-resource\""
                            + (presented ? ", error=\"invalid_token\"" : ""));
        }
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.FIRST.order();
    }
}
