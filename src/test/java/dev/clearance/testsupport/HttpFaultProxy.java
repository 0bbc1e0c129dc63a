package dev.clearance.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of a real server that can answer errors instead of forwarding: every
 * request whose path contains {@link #onlyPaths(String)} is answered with the configured status
 * (e.g. 500, or 429 with a {@code Retry-After} header) while a fault is set, or for the next {@code
 * n} requests only. Everything else is forwarded unchanged to the real server and its answer passed
 * back. Counts what it answered itself and what it forwarded, so tests can see retries.
 */
public final class HttpFaultProxy implements AutoCloseable {

    /** Hop-by-hop and length headers that the JDK client and server set themselves. */
    private static final Set<String> NOT_COPIED =
            Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding", "keep-alive");

    private record Fault(int status, String retryAfter) {}

    private final URI target;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client;
    private final AtomicInteger remaining = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();
    private final AtomicInteger forwarded = new AtomicInteger();
    private volatile Fault fault;
    private volatile boolean always;
    private volatile String pathFragment = "";
    private volatile Duration delay = Duration.ZERO;
    private volatile Duration jitter = Duration.ZERO;
    private volatile double failShare;
    private volatile boolean failAfterForwarding;
    private volatile java.util.function.Predicate<String> delayWhen = body -> false;
    private volatile Duration conditionalDelay = Duration.ZERO;
    private volatile Duration answerDelay = Duration.ZERO;
    private final AtomicInteger received = new AtomicInteger();
    // Not HttpExchange attributes: the JDK server keeps those per context, shared by all exchanges.
    private final Set<HttpExchange> unanswered = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    public HttpFaultProxy(String targetUrl) {
        this.target = URI.create(targetUrl);
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(executor)
                .build();
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Faults apply only to requests whose path contains {@code fragment} (empty: all requests). */
    public HttpFaultProxy onlyPaths(String fragment) {
        this.pathFragment = fragment;
        return this;
    }

    /** Answers every matching request with {@code status} until {@link #heal()}. */
    public void fail(int status, String retryAfter) {
        fault = new Fault(status, retryAfter);
        always = true;
    }

    /** Answers the next {@code count} matching requests with {@code status}, then forwards again. */
    public void failNext(int count, int status, String retryAfter) {
        always = false;
        fault = new Fault(status, retryAfter);
        remaining.set(count);
    }

    /** Forwards everything again. */
    public void heal() {
        failShare = 0;
        jitter = Duration.ZERO;
        delayWhen = body -> false;
        always = false;
        remaining.set(0);
        fault = null;
    }

    /** Holds every matching request this long before handling it (a slow server). */
    public void delay(Duration delay) {
        this.delay = delay;
    }

    /**
     * Holds each matching request a random time up to {@code max}, so that calls sent one after the
     * other can arrive in the other order.
     */
    public void jitter(Duration max) {
        this.jitter = max;
    }

    /**
     * Answers a random {@code share} of matching requests with 500. With {@code afterForwarding} the
     * request reaches the real server first and only its answer is lost: the caller cannot know
     * whether it took effect.
     */
    public void failRandomly(double share, boolean afterForwarding) {
        this.failAfterForwarding = afterForwarding;
        this.failShare = share;
    }

    /** Holds matching requests whose body satisfies {@code condition} this long (one call slow, not all). */
    public void delayWhen(java.util.function.Predicate<String> condition, Duration delay) {
        this.conditionalDelay = delay;
        this.delayWhen = condition;
    }

    /**
     * Forwards every matching request at once but holds the real server's answer this long: the
     * server decides now, the client learns it later (a slow network on the way back).
     */
    public void delayAnswers(Duration delay) {
        this.answerDelay = delay;
    }

    /** Matching requests received so far, answered or not. */
    public int received() {
        return received.get();
    }

    /** The most matching requests that were being handled at the same time. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    /** Requests answered with an injected error so far. */
    public int injected() {
        return injected.get();
    }

    /** Requests forwarded to the real server so far. */
    public int forwarded() {
        return forwarded.get();
    }

    public void resetCounts() {
        injected.set(0);
        forwarded.set(0);
        received.set(0);
        maxInFlight.set(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        boolean matching = exchange.getRequestURI().getPath().contains(pathFragment);
        if (matching) {
            received.incrementAndGet();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            unanswered.add(exchange);
        }
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (matching && !delay.isZero()) {
                Thread.sleep(delay);
            }
            if (matching && !jitter.isZero()) {
                Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(jitter.toMillis() + 1));
            }
            if (matching && delayWhen.test(new String(body, StandardCharsets.UTF_8))) {
                Thread.sleep(conditionalDelay);
            }
            Fault current = faultFor(exchange.getRequestURI().getPath());
            if (current == null
                    && matching
                    && java.util.concurrent.ThreadLocalRandom.current().nextDouble() < failShare) {
                if (failAfterForwarding) {
                    forwardOnly(exchange, body);
                }
                current = new Fault(500, null);
            }
            if (current != null) {
                injected.incrementAndGet();
                answerError(exchange, current);
            } else {
                forward(exchange, body, matching ? answerDelay : Duration.ZERO);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            landed(exchange);
        }
    }

    /**
     * A request stops counting as in flight the moment its answer starts on the way back, not when
     * this handler returns: the client may read the answer and send its next request before then,
     * which would count one request twice and report more in flight than the client ever had.
     */
    private void landed(HttpExchange exchange) {
        if (unanswered.remove(exchange)) {
            inFlight.decrementAndGet();
        }
    }

    private Fault faultFor(String path) {
        Fault current = fault;
        if (current == null || !path.contains(pathFragment)) {
            return null;
        }
        if (always) {
            return current;
        }
        return remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? current : null;
    }

    private void answerError(HttpExchange exchange, Fault fault) throws IOException {
        String code = switch (fault.status()) {
            case 429 -> "rate_limit_exceeded";
            case 400 -> "validation_error";
            default -> "internal_error";
        };
        byte[] json = ("{\"code\":\"" + code + "\",\"message\":\"injected fault\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (fault.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", fault.retryAfter());
        }
        landed(exchange);
        exchange.sendResponseHeaders(fault.status(), json.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(json);
        }
    }

    /** Sends the request on to the real server and drops its answer. */
    private void forwardOnly(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!NOT_COPIED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        client.send(request.build(), HttpResponse.BodyHandlers.discarding());
        forwarded.incrementAndGet();
    }

    private void forward(HttpExchange exchange, byte[] body, Duration hold) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI()))
                .method(
                        exchange.getRequestMethod(),
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, List<String>> header :
                exchange.getRequestHeaders().entrySet()) {
            if (!NOT_COPIED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                header.getValue().forEach(value -> request.header(header.getKey(), value));
            }
        }
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            landed(exchange);
            exchange.sendResponseHeaders(502, -1);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            landed(exchange);
            exchange.sendResponseHeaders(502, -1);
            return;
        }
        forwarded.incrementAndGet();
        if (!hold.isZero()) {
            try {
                Thread.sleep(hold);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        response.headers().map().forEach((name, values) -> {
            if (!NOT_COPIED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                values.forEach(value -> exchange.getResponseHeaders().add(name, value));
            }
        });
        byte[] answer = response.body();
        landed(exchange);
        exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        client.close();
        executor.shutdownNow();
    }
}
