package dev.clearance.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How the job talks HTTP to the service: transient failures (connection errors, 429, 502-504) are
 * retried with backoff by one declared policy; an expired demo token is renewed once per call;
 * everything else is reported with the reason from the problem+json body.
 */
final class ServiceHttp {

    private static final Set<Integer> TRANSIENT = Set.of(429, 502, 503, 504);
    // Five attempts in all; the last transient answer is handed back, to be reported as it is.
    private static final Retry RETRY = Retry.of(
            "service",
            RetryConfig.<HttpResponse<String>>custom()
                    .maxAttempts(5)
                    .retryExceptions(IOException.class)
                    .retryOnResult(response -> TRANSIENT.contains(response.statusCode()))
                    .intervalBiFunction(ServiceHttp::pauseMillis)
                    .build());

    private final URI base;
    private final Credentials credentials;
    private final HttpClient http;
    private final ObjectMapper json;

    ServiceHttp(URI base, Credentials credentials, HttpClient http, ObjectMapper json) {
        this.base = base;
        this.credentials = credentials;
        this.http = http;
        this.json = json;
    }

    static HttpClient newHttpClient() {
        // HTTP/1.1: no h2c upgrade dance on plain http, one connection per concurrent request.
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** {@link #send}, and a failure unless the service answered 2xx. */
    HttpResponse<String> call(String method, String path, byte[] body, Duration timeout) throws CallFailed {
        HttpResponse<String> response = send(method, path, body, timeout);
        if (response.statusCode() / 100 != 2) {
            throw failure(response);
        }
        return response;
    }

    /** The service's answer, after retries of transient failures. */
    HttpResponse<String> send(String method, String path, byte[] body, Duration timeout) throws CallFailed {
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

    CallFailed failure(HttpResponse<String> response) {
        int status = response.statusCode();
        return new CallFailed(Problems.reason(json, status, response.body()), status, status == 401 || status == 403);
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
