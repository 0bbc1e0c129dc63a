package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ProblemsTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void prefersTheDetailAndNamesTheFields() {
        String body = """
                {"type":"https://clearance.dev/problems/invalid-document","title":"Invalid document","status":400,
                 "detail":"no text could be extracted","requestId":"r-1",
                 "errors":[{"field":"text","message":"must not be blank"}]}""";
        assertEquals(
                "HTTP 400: no text could be extracted; text: must not be blank [request r-1]",
                Problems.reason(json, 400, body));
    }

    @Test
    void aDetailThatRepeatsTheFieldErrorIsShownOnce() {
        String body = """
                {"title":"Invalid document","status":400,"detail":"text: either 'text' or 'contentBase64' is required",
                 "errors":[{"field":"text","message":"either 'text' or 'contentBase64' is required"}]}""";
        assertEquals("HTTP 400: text: either 'text' or 'contentBase64' is required", Problems.reason(json, 400, body));
    }

    @Test
    void fallsBackToTitleThenRawBody() {
        assertEquals("HTTP 403: Forbidden", Problems.reason(json, 403, "{\"title\":\"Forbidden\",\"status\":403}"));
        assertEquals("HTTP 502: Bad Gateway", Problems.reason(json, 502, "  Bad\n Gateway "));
        assertEquals("HTTP 500", Problems.reason(json, 500, ""));
    }
}
