package dev.clearance.platform;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Security headers of the web page. The page loads only its own script and styles and talks only to
 * this service, so its Content-Security-Policy allows nothing else: no inline script, no other
 * origin, no framing. The token it holds can therefore not leave through an injected script.
 */
@ServerFilter({"/", "/index.html", "/assets/**"})
final class PageHeadersFilter {

    static final String CONTENT_SECURITY_POLICY = String.join(
            "; ",
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'");

    @ResponseFilter
    void secure(HttpRequest<?> request, MutableHttpResponse<?> response) {
        response.header("X-Content-Type-Options", "nosniff");
        response.header("Referrer-Policy", "no-referrer");
        String path = request.getPath();
        if (path.equals("/") || path.endsWith(".html")) {
            response.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            // The page is tiny; always revalidating it means a new release is seen at once.
            response.header("Cache-Control", "no-cache");
        }
    }
}
