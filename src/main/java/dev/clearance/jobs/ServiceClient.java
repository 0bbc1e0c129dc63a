package dev.clearance.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The few calls a job makes to the service. Transient failures (connection errors, 429, 502-504)
 * are retried with backoff; everything else is reported with the reason from the problem+json body.
 */
final class ServiceClient {

    private static final int ATTEMPTS = 5;
    private static final Set<Integer> TRANSIENT = Set.of(429, 502, 503, 504);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    /** What the service said about one PUT. */
    record PutOutcome(String status, boolean searchable) {}

    /** A call that failed for good. {@code fatal}: no later call can succeed either (bad token, scope). */
    static final class CallFailed extends Exception {
        private final boolean fatal;

        CallFailed(String reason, boolean fatal) {
            super(reason);
            this.fatal = fatal;
        }

        boolean fatal() {
            return fatal;
        }
    }

    private final URI base;
    private final Credentials credentials;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    ServiceClient(URI base, Credentials credentials, HttpClient http) {
        this.base = base;
        this.credentials = credentials;
        this.http = http;
    }

    static HttpClient newHttpClient() {
        // HTTP/1.1: no h2c upgrade dance on plain http, one connection per concurrent request.
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    PutOutcome put(String id, byte[] body) throws CallFailed {
        HttpResponse<String> response = send("PUT", "/v1/documents/" + encode(id), body);
        if (response.statusCode() / 100 != 2) {
            throw failure(response);
        }
        try {
            JsonNode node = json.readTree(response.body());
            return new PutOutcome(
                    node.path("status").asText("?"), node.path("searchable").asBoolean(true));
        } catch (IOException e) {
            throw new CallFailed("unexpected response: " + e.getMessage(), false);
        }
    }

    /** Deletes a document; true when it existed, false when it was already gone. */
    boolean delete(String id) throws CallFailed {
        HttpResponse<String> response = send("DELETE", "/v1/documents/" + encode(id), null);
        if (response.statusCode() == 404) {
            return false;
        }
        if (response.statusCode() / 100 != 2) {
            throw failure(response);
        }
        return true;
    }

    void relationships(List<Tuple> writes, List<Tuple> deletes) throws CallFailed {
        byte[] body = bytes(Map.of("writes", writes, "deletes", deletes));
        HttpResponse<String> response = send("POST", "/v1/relationships", body);
        if (response.statusCode() / 100 != 2) {
            throw failure(response);
        }
    }

    private HttpResponse<String> send(String method, String path, byte[] body) throws CallFailed {
        boolean refreshed = false;
        for (int attempt = 1; ; attempt++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + credentials.token())
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, application/problem+json")
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 401 && !refreshed && credentials.refresh()) {
                    refreshed = true; // an expired demo token: fetch a new one, once
                    attempt--;
                    continue;
                }
                if (!TRANSIENT.contains(response.statusCode()) || attempt == ATTEMPTS) {
                    return response;
                }
                pause(attempt, response.headers().firstValue("Retry-After").orElse(null));
            } catch (IOException e) {
                if (attempt == ATTEMPTS) {
                    throw new CallFailed("service unreachable at " + base + ": " + e, true);
                }
                pause(attempt, null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CallFailed("interrupted", true);
            }
        }
    }

    private CallFailed failure(HttpResponse<String> response) {
        int status = response.statusCode();
        return new CallFailed(Problems.reason(json, status, response.body()), status == 401 || status == 403);
    }

    private byte[] bytes(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // Ids may contain '+', '=', '@' and '~'; encoding all but unreserved characters keeps them literal.
    static String encode(String id) {
        StringBuilder out = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static void pause(int attempt, String retryAfter) throws CallFailed {
        long millis = 500L << (attempt - 1);
        if (retryAfter != null && retryAfter.matches("\\d{1,3}")) {
            millis = Math.max(millis, Long.parseLong(retryAfter) * 1000);
        }
        try {
            Thread.sleep(Math.min(millis, 30_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallFailed("interrupted", true);
        }
    }
}
