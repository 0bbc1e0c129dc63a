package dev.clearance.documents;

import io.micronaut.http.HttpRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Ids in request paths ({@code /v1/documents/{id}}), read as RFC 3986 defines a path segment, so
 * that ids with '+' (allowed, e.g. {@code g++}) are themselves. The framework gets '+' wrong twice
 * (micronaut-core issues 6974 and 8090): a plain {@code {id}} route segment does not match a '+'
 * (it follows RFC 6570 simple expansion, which reserves it), and path variables are decoded as HTML
 * form data, where '+' means a space. So the route matches any segment ({@link #ROUTE}) and the id
 * is decoded here from the raw path; the framework's own decoding of it is not used.
 */
final class PathIds {

    /** A route segment for an id: anything up to the next '/'; the id rule is checked later. */
    static final String ROUTE = "/{id:[^/]+}";

    private PathIds() {}

    /** The id in the segment before {@code suffix}, e.g. {@code /v1/documents/{id}/access}. */
    static String segmentBefore(HttpRequest<?> request, String suffix) {
        String path = request.getUri().getRawPath();
        String head = path.endsWith(suffix) ? path.substring(0, path.length() - suffix.length()) : path;
        return decodeSegment(head.substring(head.lastIndexOf('/') + 1));
    }

    /** The id in the last segment of the request's path. */
    static String lastSegment(HttpRequest<?> request) {
        String path = request.getUri().getRawPath();
        return decodeSegment(path.substring(path.lastIndexOf('/') + 1));
    }

    /**
     * Percent-decodes a path segment: %XX are UTF-8 bytes, everything else (including '+') is itself.
     * A malformed escape is kept as written, and invalid UTF-8 becomes U+FFFD: the id rule then
     * refuses the id with a 400 naming the field, instead of a guess being stored.
     */
    static String decodeSegment(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int i = 0;
        while (i < segment.length()) {
            int high = segment.charAt(i) == '%' && i + 2 < segment.length()
                    ? Character.digit(segment.charAt(i + 1), 16)
                    : -1;
            int low = high >= 0 ? Character.digit(segment.charAt(i + 2), 16) : -1;
            if (low >= 0) {
                bytes.write(high * 16 + low);
                i += 3;
            } else {
                int codePoint = segment.codePointAt(i);
                bytes.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(codePoint);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
