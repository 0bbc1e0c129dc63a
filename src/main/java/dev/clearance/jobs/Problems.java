package dev.clearance.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Turns an error response into one line for the summary, preferring the problem+json detail. */
final class Problems {

    private static final int MAX_FIELD_ERRORS = 3;
    private static final int MAX_RAW = 200;

    private Problems() {}

    static String reason(ObjectMapper json, int status, String body) {
        String prefix = "HTTP " + status;
        JsonNode problem;
        try {
            problem = body == null || body.isBlank() ? null : json.readTree(body);
        } catch (IOException e) {
            problem = null;
        }
        if (problem == null || !problem.isObject()) {
            String raw = body == null ? "" : body.strip().replaceAll("\\s+", " ");
            return raw.isEmpty() ? prefix : prefix + ": " + abbreviate(raw);
        }
        List<String> parts = new ArrayList<>();
        String detail = problem.path("detail").asText("");
        parts.add(detail.isBlank() ? problem.path("title").asText("") : detail);
        JsonNode errors = problem.path("errors");
        for (int i = 0; i < Math.min(errors.size(), MAX_FIELD_ERRORS); i++) {
            JsonNode error = errors.get(i);
            String field = error.path("field").asText("?") + ": "
                    + error.path("message").asText("");
            if (!parts.contains(field)) { // the detail often repeats the only field error
                parts.add(field);
            }
        }
        if (errors.size() > MAX_FIELD_ERRORS) {
            parts.add("(" + (errors.size() - MAX_FIELD_ERRORS) + " more)");
        }
        String requestId = problem.path("requestId").asText("");
        String text = String.join("; ", parts.stream().filter(p -> !p.isBlank()).toList());
        return prefix
                + (text.isEmpty() ? "" : ": " + text)
                + (requestId.isEmpty() ? "" : " [request " + requestId + "]");
    }

    private static String abbreviate(String text) {
        return text.length() <= MAX_RAW ? text : text.substring(0, MAX_RAW) + "…";
    }
}
