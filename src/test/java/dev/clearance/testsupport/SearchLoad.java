package dev.clearance.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Continuous search load through real HTTP from several threads, recording every answer with its
 * timing, raw status, media type and body, so fault tests can judge each request made while a
 * fault was injected. Each thread cycles through its {@link Call}s (who asks what) until stopped.
 */
public final class SearchLoad implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One search: a bearer token, the query and top k; {@code who} names it in reports. */
    public record Call(String who, String token, String query, int topK) {
        String body() {
            try {
                return JSON.writeValueAsString(Map.of("query", query, "topK", topK));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * One answer: when it was sent and answered ({@link System#nanoTime()}), status (0 when the
     * request itself failed, e.g. timed out), media type and body text.
     */
    public record Sample(Call call, long startNanos, long endNanos, int status, String contentType, String body) {

        public long millis() {
            return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
        }

        public boolean startedAtOrAfter(long nanos) {
            return startNanos - nanos >= 0;
        }

        public boolean endedBefore(long nanos) {
            return endNanos - nanos < 0;
        }

        /** The parsed JSON body, or null when it is not JSON. */
        public Map<?, ?> json() {
            try {
                return JSON.readValue(body, Map.class);
            } catch (Exception e) {
                return null;
            }
        }

        /** Document ids of a 200 answer, in rank order. */
        public List<String> documentIds() {
            Map<?, ?> json = json();
            List<String> ids = new ArrayList<>();
            if (json != null && json.get("results") instanceof List<?> results) {
                for (Object result : results) {
                    ids.add(String.valueOf(((Map<?, ?>) result).get("documentId")));
                }
            }
            return ids;
        }

        @Override
        public String toString() {
            return call.who() + " '" + call.query() + "' -> " + status + " " + contentType + " in " + millis() + " ms: "
                    + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
        }
    }

    private final URI searchUri;
    private final List<Call> calls;
    private final int threads;
    private final HttpClient http;
    private final Queue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;

    public SearchLoad(String baseUrl, List<Call> calls, int threads) {
        this.searchUri = URI.create(baseUrl.replaceAll("/$", "") + "/v1/search");
        this.calls = List.copyOf(calls);
        this.threads = threads;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    public SearchLoad start() {
        running = true;
        for (int t = 0; t < threads; t++) {
            int offset = t;
            Thread worker =
                    Thread.ofPlatform().name("search-load-" + t).daemon().start(() -> loop(offset));
            workers.add(worker);
        }
        return this;
    }

    private void loop(int offset) {
        int i = offset;
        while (running) {
            Call call = calls.get(i++ % calls.size());
            samples.add(send(call));
        }
    }

    /** One request now, on the calling thread (also recorded). */
    public Sample once(Call call) {
        Sample sample = send(call);
        samples.add(sample);
        return sample;
    }

    private Sample send(Call call) {
        HttpRequest request = HttpRequest.newBuilder(searchUri)
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + call.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(call.body()))
                .build();
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Sample(
                    call,
                    started,
                    System.nanoTime(),
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Sample(call, started, System.nanoTime(), 0, "", e.toString());
        }
    }

    /** Samples recorded so far that match {@code filter}. */
    public List<Sample> samples(Predicate<Sample> filter) {
        return samples.stream().filter(filter).toList();
    }

    public void stop() {
        running = false;
        for (Thread worker : workers) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(40));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.clear();
    }

    @Override
    public void close() {
        stop();
        http.close();
    }
}
