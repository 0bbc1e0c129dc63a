package dev.clearance.jobs;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The few calls a job makes to the service, as Java methods: paths, bodies and the answers' shape.
 * Sending, retrying and renewing the token are {@link ServiceHttp}'s.
 */
final class ServiceClient {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    // A batch is ingested one document after the other; on a CPU embedder that takes a while.
    private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(15);

    /** What the service said about one document: its status, or why it failed (then status is null). */
    record PutOutcome(String status, boolean searchable, String failure) {}

    /**
     * One document of a batch: its id and its PUT body, JSON that {@link DocumentReader} wrote with
     * Jackson, so it goes in as it is rather than parsed again.
     */
    record Item(String id, @JsonRawValue String document) {

        Item(String id, byte[] body) {
            this(id, new String(body, StandardCharsets.UTF_8));
        }
    }

    /** The body of {@code POST /v1/documents/batch}. */
    private record Batch(List<Item> documents) {}

    private final ServiceHttp http;
    private final ObjectMapper json = new ObjectMapper();

    ServiceClient(URI base, Credentials credentials, HttpClient http) {
        this.http = new ServiceHttp(base, credentials, http, json);
    }

    static HttpClient newHttpClient() {
        return ServiceHttp.newHttpClient();
    }

    PutOutcome put(String id, byte[] body) throws CallFailed {
        return outcome(parse(http.call("PUT", "/v1/documents/" + IdMapping.urlPathSegment(id), body, TIMEOUT)));
    }

    /** {@code POST /v1/documents/batch}: outcomes in the order of the items. */
    List<PutOutcome> putBatch(List<Item> items) throws CallFailed {
        JsonNode results = parse(http.call("POST", "/v1/documents/batch", bytes(new Batch(items)), BATCH_TIMEOUT))
                .path("results");
        List<PutOutcome> outcomes = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode result = results.path(i);
            if (!items.get(i).id().equals(result.path("id").asText())) {
                throw new CallFailed("unexpected batch response: results do not match the documents", 0, false);
            }
            JsonNode problem = result.path("problem");
            outcomes.add(
                    problem.isObject()
                            ? new PutOutcome(
                                    null,
                                    false,
                                    Problems.reason(json, problem.path("status").asInt(), problem.toString()))
                            : outcome(result.path("result")));
        }
        return outcomes;
    }

    /** Deletes a document; one that is gone already (404) counts as deleted. */
    void delete(String id) throws CallFailed {
        HttpResponse<String> response =
                http.send("DELETE", "/v1/documents/" + IdMapping.urlPathSegment(id), null, TIMEOUT);
        if (response.statusCode() != 404 && response.statusCode() / 100 != 2) {
            throw http.failure(response);
        }
    }

    /** Writes and deletes tuples; the written ones are tagged with {@code managedBy}, the job's name. */
    void relationships(List<Tuple> writes, List<Tuple> deletes, String managedBy) throws CallFailed {
        http.call(
                "POST",
                "/v1/relationships",
                bytes(Map.of("writes", writes, "deletes", deletes, "managedBy", managedBy)),
                TIMEOUT);
    }

    /** Every tuple the service holds under {@code managedBy} ({@code GET /v1/relationships}, all pages). */
    List<Tuple> managedRelationships(String managedBy) throws CallFailed {
        return listAll(
                "/v1/relationships",
                "relationships",
                managedBy,
                t -> new Tuple(
                        t.path("user").asText(),
                        t.path("relation").asText(),
                        t.path("object").asText()));
    }

    /** The id of every document the service holds under {@code managedBy} ({@code GET /v1/documents}). */
    List<String> managedDocuments(String managedBy) throws CallFailed {
        return listAll(
                "/v1/documents", "documents", managedBy, d -> d.path("id").asText());
    }

    private <T> List<T> listAll(String path, String field, String managedBy, Function<JsonNode, T> item)
            throws CallFailed {
        List<T> all = new ArrayList<>();
        String after = null;
        do {
            JsonNode page = get(path, managedBy, after);
            page.path(field).forEach(node -> all.add(item.apply(node)));
            after = next(page, after);
        } while (after != null);
        return all;
    }

    private JsonNode get(String path, String managedBy, String after) throws CallFailed {
        String query = "?managedBy=" + queryValue(managedBy) + (after == null ? "" : "&after=" + queryValue(after));
        return parse(http.call("GET", path + query, null, TIMEOUT));
    }

    /** The cursor of the following page, or null on the last one. */
    private static String next(JsonNode page, String previous) throws CallFailed {
        JsonNode next = page.path("next");
        if (!next.isTextual()) {
            return null;
        }
        // A service that hands back the same cursor again would keep a job listing forever.
        if (next.asText().equals(previous)) {
            throw new CallFailed("unexpected listing: the service returned the same page cursor twice", 0, false);
        }
        return next.asText();
    }

    private static String queryValue(String value) {
        // URLEncoder writes form encoding; a space must be %20 in a query value read as a URI.
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode parse(HttpResponse<String> response) throws CallFailed {
        try {
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new CallFailed("unexpected response: " + e.getMessage(), response.statusCode(), false);
        }
    }

    private static PutOutcome outcome(JsonNode result) {
        return new PutOutcome(
                result.path("status").asText("?"), result.path("searchable").asBoolean(true), null);
    }

    private byte[] bytes(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
