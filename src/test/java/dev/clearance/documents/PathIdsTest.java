package dev.clearance.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micronaut.http.HttpRequest;
import org.junit.jupiter.api.Test;

class PathIdsTest {

    @Test
    void aPlusInAPathSegmentIsAPlusNotASpace() {
        assertEquals("g++", PathIds.decodeSegment("g++"));
        assertEquals("g++", PathIds.decodeSegment("g%2B%2B"));
        assertEquals("g++", PathIds.decodeSegment("g%2b+"));
        assertEquals("a b", PathIds.decodeSegment("a%20b"));
    }

    @Test
    void escapesAreUtf8AndMalformedOnesStayVisible() {
        assertEquals("café", PathIds.decodeSegment("caf%C3%A9"));
        assertEquals("ドキュメント", PathIds.decodeSegment("ドキュメント"));
        // Kept as written, so that the id rule refuses the '%' rather than a guess being stored.
        assertEquals("a%zz", PathIds.decodeSegment("a%zz"));
        assertEquals("a%2", PathIds.decodeSegment("a%2"));
        assertEquals("a%", PathIds.decodeSegment("a%"));
        assertEquals("a\uFFFDb", PathIds.decodeSegment("a%FFb"));
    }

    @Test
    void theIdIsTheLastSegmentWithoutTheQuery() {
        assertEquals(
                "libstdc++-12.2@v=1~x",
                PathIds.lastSegment(HttpRequest.GET("/v1/documents/libstdc++-12.2%40v%3D1~x?x=a+b")));
    }
}
