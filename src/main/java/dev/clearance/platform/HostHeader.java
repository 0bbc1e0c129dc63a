package dev.clearance.platform;

import io.micronaut.http.HttpRequest;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The request's {@code Host} header, when it is a plain host name or address with an optional port.
 * Absolute URLs the service hands out (the 401 challenge, the protected-resource metadata) are built
 * from it; anything else (quotes, commas, spaces, paths) is ignored so it cannot be echoed into a
 * header parameter or a document.
 */
public final class HostHeader {

    private static final Pattern SAFE =
            Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}])(?::[0-9]{1,5})?");

    private HostHeader() {}

    public static Optional<String> of(HttpRequest<?> request) {
        String host = request.getHeaders().get("Host");
        return host != null && SAFE.matcher(host).matches() ? Optional.of(host) : Optional.empty();
    }
}
