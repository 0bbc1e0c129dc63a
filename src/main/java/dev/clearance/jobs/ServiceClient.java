package dev.clearance.jobs;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The few calls a job makes to the service. Transient failures (connection errors, 429, 502-504)
 * are retried with backoff; everything else is reported with the reason from the problem+json body.
 */
final class ServiceClient {

    private static final Set<Integer> TRANSIENT = Set.of(429, 502, 503, 504);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    // A batch is ingested one document after the other; on a CPU embedder that takes a while.
    private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(15);

    // Five attempts in all; the last transient answer is handed back, to be reported as it is.
    private static final Retry RETRY = Retry.of(
            "service",
            RetryConfig.<HttpResponse<String>>custom()
                    .maxAttempts(5)
                    .retryExceptions(IOException.class)
                    .retryOnResult(response -> TRANSIENT.contains(response.statusCode()))
                    .intervalBiFunction(ServiceClient::pauseMillis)
                    .build());

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
        return outcome(parse(call("PUT", "/v1/documents/" + IdMapping.urlPathSegment(id), body, TIMEOUT)));
    }

    /** {@code POST /v1/documents/batch}: outcomes in the order of the items. */
    List<PutOutcome> putBatch(List<Item> items) throws CallFailed {
        JsonNode results = parse(call("POST", "/v1/documents/batch", bytes(new Batch(items)), BATCH_TIMEOUT))
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
        HttpResponse<String> response = send("DELETE", "/v1/documents/" + IdMapping.urlPathSegment(id), null, TIMEOUT);
        if (response.statusCode() != 404 && response.statusCode() / 100 != 2) {
            throw failure(response);
        }
    }

    /** Writes and deletes tuples; the written ones are tagged with {@code managedBy}, the job's name. */
    void relationships(List<Tuple> writes, List<Tuple> deletes, String managedBy) throws CallFailed {
        call(
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
        return parse(call("GET", path + query, null, TIMEOUT));
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

    /** {@link #send}, and a failure unless the service answered 2xx. */
    private HttpResponse<String> call(String method, String path, byte[] body, Duration timeout) throws CallFailed {
        HttpResponse<String> response = send(method, path, body, timeout);
        if (response.statusCode() / 100 != 2) {
            throw failure(response);
        }
        return response;
    }

    /** The service's answer, after retries of transient failures. */
    private HttpResponse<String> send(String method, String path, byte[] body, Duration timeout) throws CallFailed {
        AtomicBoolean refreshed = new AtomicBoolean();
        try {
            return RETRY.executeCallable(() -> attempt(method, path, body, timeout, refreshed));
        } catch (IOException e) { // the last attempt's, or the one before an interrupted pause
            throw Thread.currentThread().isInterrupted()
                    ? new CallFailed("interrupted", 0, true)
                    : new CallFailed("service unreachable at " + base + ": " + e, 0, true);
        } catch (InterruptedException | CancellationException e) { // cancelled: interrupted in a pause
            Thread.currentThread().interrupt();
            throw new CallFailed("interrupted", 0, true);
        } catch (CallFailed | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // attempt() throws nothing else
        }
    }

    /** One attempt; an expired demo token is renewed (once a call) and the request sent again with it. */
    private HttpResponse<String> attempt(
            String method, String path, byte[] body, Duration timeout, AtomicBoolean refreshed)
            throws IOException, InterruptedException, CallFailed {
        HttpResponse<String> response = http.send(request(method, path, body, timeout), BodyHandlers.ofString());
        if (response.statusCode() == 401 && !refreshed.getAndSet(true) && credentials.refresh()) {
            response = http.send(request(method, path, body, timeout), BodyHandlers.ofString());
        }
        return response;
    }

    private HttpRequest request(String method, String path, byte[] body, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + credentials.token())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, application/problem+json")
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body))
                .build();
    }

    private CallFailed failure(HttpResponse<String> response) {
        int status = response.statusCode();
        return new CallFailed(Problems.reason(json, status, response.body()), status, status == 401 || status == 403);
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

    // 0.5 s after the first failed attempt and doubling, or longer if the service asks (Retry-After
    // in seconds); never more than 30 s.
    private static long pauseMillis(int failedAttempts, Either<Throwable, HttpResponse<String>> outcome) {
        long millis = 500L << (failedAttempts - 1);
        if (outcome.isRight()) {
            String retryAfter =
                    outcome.get().headers().firstValue("Retry-After").orElse("");
            if (retryAfter.matches("\\d{1,3}")) {
                millis = Math.max(millis, Long.parseLong(retryAfter) * 1000);
            }
        }
        return Math.min(millis, 30_000);
    }
}
