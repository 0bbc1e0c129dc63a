package dev.clearance.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.client.BlockingHttpClient;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import java.util.List;
import java.util.Map;

/** The service's HTTP API as tests use it: real requests, real JSON, bearer tokens. */
public final class Api {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingHttpClient http;

    /**
     * A client configuration for requests that wait out an answer a test holds back on purpose (the
     * default read timeout is 10 s).
     */
    public static io.micronaut.http.client.DefaultHttpClientConfiguration patientClient() {
        var configuration = new io.micronaut.http.client.DefaultHttpClientConfiguration();
        configuration.setReadTimeout(java.time.Duration.ofSeconds(90));
        return configuration;
    }

    public Api(BlockingHttpClient http) {
        this.http = http;
    }

    public HttpResponse<Map> put(String token, String id, Map<String, ?> body) {
        return exchange(HttpRequest.PUT("/v1/documents/" + id, body), token);
    }

    public HttpResponse<Map> delete(String token, String id) {
        return exchange(HttpRequest.DELETE("/v1/documents/" + id), token);
    }

    public HttpResponse<Map> get(String token, String id) {
        return exchange(HttpRequest.GET("/v1/documents/" + id), token);
    }

    public HttpResponse<Map> relationships(
            String token, List<Map<String, String>> writes, List<Map<String, String>> deletes) {
        return exchange(HttpRequest.POST("/v1/relationships", Map.of("writes", writes, "deletes", deletes)), token);
    }

    public HttpResponse<Map> search(String token, Map<String, ?> body) {
        return exchange(HttpRequest.POST("/v1/search", body), token);
    }

    /** Document ids of a successful search, in rank order. */
    @SuppressWarnings("unchecked")
    public List<String> searchIds(String token, String query, int topK) {
        HttpResponse<Map> response = search(token, Map.of("query", query, "topK", topK));
        if (response.getStatus().getCode() != 200) {
            throw new AssertionError("search failed: " + response.getStatus() + " " + response.getBody(String.class));
        }
        List<Map<String, Object>> results =
                (List<Map<String, Object>>) response.body().get("results");
        return results.stream().map(r -> (String) r.get("documentId")).toList();
    }

    public static Map<String, String> tuple(String user, String relation, String object) {
        return Map.of("user", user, "relation", relation, "object", object);
    }

    /** Sends a request and returns the response whatever its status (errors included, with body). */
    public HttpResponse<Map> exchange(MutableHttpRequest<?> request, String token) {
        if (token != null) {
            request.bearerAuth(token);
        }
        try {
            return http.exchange(request, Argument.of(Map.class), Argument.of(Map.class));
        } catch (HttpClientResponseException e) {
            // Error bodies arrive as problem+json; decode them here so tests read them like any body.
            HttpResponse<?> raw = e.getResponse();
            MutableHttpResponse<Map> copy = HttpResponse.status(raw.getStatus());
            raw.getHeaders().forEach((name, values) -> values.forEach(value -> copy.header(name, value)));
            raw.getBody(String.class).filter(s -> !s.isBlank()).ifPresent(s -> copy.body(parseJson(s)));
            return copy;
        }
    }

    /** A JSON object, as the tests read bodies. */
    public static Map<?, ?> parseJson(String json) {
        try {
            return JSON.readValue(json, Map.class);
        } catch (Exception e) {
            throw new AssertionError("error body is not JSON: " + json, e);
        }
    }
}
