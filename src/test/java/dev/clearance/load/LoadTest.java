package dev.clearance.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop search load against a running service, from a process of its own: N clients, each
 * sending its next search as soon as the previous answer arrives, for a fixed time. Callers rotate
 * through a permission mix (users and agents acting for users). Reports p50/p95/p99, throughput,
 * every non-200 status, and the service's heap (after a full GC) and RSS before and after.
 *
 * <p>Tokens come from the service's demo identity provider, so the service must run in demo mode.
 *
 * <pre>
 * LoadTest --url http://127.0.0.1:8080 --tenant acme --callers alice,carol,hana,fred,alice/helpdesk-bot
 *          --clients 16 --seconds 60 [--pid PID] [--queries FILE] [--topK 10]
 * </pre>
 *
 * <p>{@code --callers u0000..u1023} names 1,024 users at once (see {@link #callers}).
 */
public final class LoadTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Searches people type; the corpus is mostly technical documentation and company notes. */
    static final List<String> QUERIES = List.of(
            "salary bands",
            "vacation policy",
            "how do I use decorators",
            "exception handling",
            "context managers and the with statement",
            "expense reports and reimbursement",
            "incident review",
            "regular expressions",
            "onboarding checklist for new engineers",
            "budget planning for next quarter",
            "iterators and generators",
            "performance review process",
            "unicode strings and encodings",
            "data classes",
            "parental leave",
            "asynchronous programming with asyncio",
            "how to report a security issue",
            "logging configuration",
            "hiring plan",
            "threading and locks");

    /** What a run measured. */
    public record Result(
            long requests,
            Map<Integer, Long> statuses,
            long transportErrors,
            double seconds,
            double p50,
            double p95,
            double p99,
            double max,
            long emptyResults,
            long leaks,
            long shortResults) {

        /**
         * Non-200 answers, transport failures, results outside the caller's known access, and answers
         * with fewer than k results where the caller may read k documents.
         */
        public long errors() {
            return leaks
                    + shortResults
                    + transportErrors
                    + statuses.entrySet().stream()
                            .filter(e -> e.getKey() != 200)
                            .mapToLong(Map.Entry::getValue)
                            .sum();
        }

        public double throughput() {
            return requests / seconds;
        }
    }

    private final String url;
    private final HttpClient http;

    public LoadTest(String url) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        LoadTest load = new LoadTest(options.getOrDefault("url", "http://127.0.0.1:8080"));
        String tenant = options.getOrDefault("tenant", "acme");
        List<String> callers = callers(options.getOrDefault("callers", "alice"));
        int clients = Integer.parseInt(options.getOrDefault("clients", "16"));
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "60"));
        int topK = Integer.parseInt(options.getOrDefault("topK", "10"));
        List<String> queries = options.containsKey("queries")
                ? Files.readAllLines(Path.of(options.get("queries"))).stream()
                        .filter(l -> !l.isBlank())
                        .toList()
                : QUERIES;
        Long pid = options.containsKey("pid") ? Long.parseLong(options.get("pid")) : null;

        List<String> tokens = new ArrayList<>();
        for (String caller : callers) {
            tokens.add(load.demoToken(tenant, caller));
        }
        load.run(tokens, queries, topK, 2, Math.min(clients, 4)); // warm-up, not counted
        Memory before = pid == null ? null : load.memory(pid);
        System.out.printf(
                "load: %d clients, %d s, %d callers (%s), %d queries, topK %d, load average %s%n",
                clients,
                seconds,
                callers.size(),
                callers.size() <= 10 ? String.join(",", callers) : callers.getFirst() + ".." + callers.getLast(),
                queries.size(),
                topK,
                loadAverage());
        Result result = load.run(tokens, queries, topK, seconds, clients);
        Memory after = pid == null ? null : load.memory(pid);
        System.out.println(report(result, before, after));
        System.out.printf("load average at end: %s%n", loadAverage());
        System.exit(result.errors() == 0 ? 0 : 1);
    }

    /** Runs {@code clients} closed-loop clients for {@code seconds}. */
    public Result run(List<String> tokens, List<String> queries, int topK, int seconds, int clients)
            throws InterruptedException {
        return run(tokens, Map.of(), queries, topK, seconds, clients);
    }

    /**
     * As {@link #run(List, List, int, int, int)}; when {@code allowed} names a token's readable
     * document ids (each one chunk), every result outside that set is counted as a leak, and every
     * answer with other than min(topK, readable) results as short: the vector leg has no threshold,
     * so k readable documents always make k results.
     */
    public Result run(
            List<String> tokens,
            Map<String, java.util.Set<String>> allowed,
            List<String> queries,
            int topK,
            int seconds,
            int clients)
            throws InterruptedException {
        return run(tokens, Judge.readable(allowed, topK), queries, topK, seconds, clients);
    }

    /**
     * How a benchmark judges a 200 answer of the caller a token stands for: how many results the
     * caller may not read (leaks), and whether the answer has fewer results than it must.
     */
    public interface Judge {
        long leaks(String token, JsonNode results);

        boolean isShort(String token, JsonNode results);

        /** A latency measured for a search by {@code token}, in nanoseconds; ignored by default. */
        default void latency(String token, long nanos) {}

        /** Judges nothing: no leaks, never short. */
        Judge NONE = new Judge() {
            @Override
            public long leaks(String token, JsonNode results) {
                return 0;
            }

            @Override
            public boolean isShort(String token, JsonNode results) {
                return false;
            }
        };

        /**
         * For tokens whose readable document ids are known (each document one chunk): results outside
         * that set leak, answers with other than min(topK, readable) results are short. Tokens not in
         * the map are not judged.
         */
        static Judge readable(Map<String, java.util.Set<String>> allowed, int topK) {
            return new Judge() {
                @Override
                public long leaks(String token, JsonNode results) {
                    java.util.Set<String> readable = allowed.get(token);
                    if (readable == null) {
                        return 0;
                    }
                    long leaks = 0;
                    for (JsonNode r : results) {
                        if (!readable.contains(r.path("documentId").asText())) {
                            leaks++;
                        }
                    }
                    return leaks;
                }

                @Override
                public boolean isShort(String token, JsonNode results) {
                    java.util.Set<String> readable = allowed.get(token);
                    return readable != null && results.size() != Math.min(topK, readable.size());
                }
            };
        }
    }

    /**
     * As {@link #run(List, List, int, int, int)}, with every 200 answer judged by {@code judge}
     * (leaks and short answers are counted as errors).
     */
    public Result run(List<String> tokens, Judge judge, List<String> queries, int topK, int seconds, int clients)
            throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        Tally tally = new Tally(judge);
        List<long[]> perClient = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(clients);
        long started = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client = c;
            LatencyLog log = new LatencyLog();
            perClient.add(new long[0]);
            Thread.ofPlatform().name("load-" + c).start(() -> {
                Random random = new Random(client);
                try {
                    while (System.nanoTime() < end) {
                        String token = tokens.get(random.nextInt(tokens.size()));
                        String query = queries.get(random.nextInt(queries.size()));
                        long t0 = System.nanoTime();
                        long answered = one(tally, token, query, topK);
                        if (answered >= 0) {
                            log.add(answered - t0);
                            judge.latency(token, answered - t0);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    synchronized (perClient) {
                        perClient.set(client, log.toArray());
                    }
                    done.countDown();
                }
            });
        }
        done.await();
        double elapsed = (System.nanoTime() - started) / 1e9;
        return tally.result(
                perClient.stream().flatMapToLong(Arrays::stream).sorted().toArray(), elapsed);
    }

    /**
     * Open loop: searches arrive at {@code perSecond} on average (exponential gaps, seeded), however
     * fast the answers come, for {@code seconds}; each is sent at once on a thread of its own. Its
     * latency counts from its planned arrival, so a search the sender could not start on time counts
     * that delay too. This is how users arrive; a closed loop of N clients only ever has N searches
     * waiting, and its latency grows with N over throughput however fair the service is.
     */
    public Result runOpen(
            List<String> tokens, Judge judge, List<String> queries, int topK, int seconds, double perSecond)
            throws InterruptedException {
        Tally tally = new Tally(judge);
        LatencyLog log = new LatencyLog();
        Random random = new Random(7);
        long started = System.nanoTime();
        long end = started + Duration.ofSeconds(seconds).toNanos();
        long planned = started;
        try (var senders = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            while (true) {
                planned += (long) (-Math.log(1 - random.nextDouble()) / perSecond * 1e9);
                if (planned >= end) {
                    break;
                }
                long wait = planned - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                long arrival = planned;
                String token = tokens.get(random.nextInt(tokens.size()));
                String query = queries.get(random.nextInt(queries.size()));
                senders.submit(() -> {
                    long answered = one(tally, token, query, topK);
                    if (answered >= 0) {
                        synchronized (log) {
                            log.add(answered - arrival);
                        }
                        judge.latency(token, answered - arrival);
                    }
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        long[] latencies;
        synchronized (log) {
            latencies = log.toArray();
        }
        Arrays.sort(latencies);
        return tally.result(latencies, elapsed);
    }

    /**
     * One search, judged and counted: the {@link System#nanoTime()} its answer arrived (before it is
     * parsed and judged, which is the client's time), or -1 when none came (transport error).
     */
    private long one(Tally tally, String token, String query, int topK) throws InterruptedException {
        try {
            HttpResponse<String> response = search(token, query, topK);
            long answered = System.nanoTime();
            tally.statuses
                    .computeIfAbsent(response.statusCode(), k -> new AtomicLong())
                    .incrementAndGet();
            if (response.statusCode() == 200) {
                JsonNode results = JSON.readTree(response.body()).path("results");
                if (results.isEmpty()) {
                    tally.empty.incrementAndGet();
                }
                if (tally.judge.isShort(token, results)) {
                    tally.shortResults.incrementAndGet();
                }
                tally.leaks.addAndGet(tally.judge.leaks(token, results));
            }
            return answered;
        } catch (IOException e) {
            tally.transport.incrementAndGet();
            return -1;
        }
    }

    /** The counts of one run, shared by its senders. */
    private static final class Tally {
        final Judge judge;
        final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        final AtomicLong transport = new AtomicLong();
        final AtomicLong empty = new AtomicLong();
        final AtomicLong leaks = new AtomicLong();
        final AtomicLong shortResults = new AtomicLong();

        Tally(Judge judge) {
            this.judge = judge;
        }

        /** {@code latencies} sorted, in nanoseconds. */
        Result result(long[] latencies, double elapsed) {
            Map<Integer, Long> counts = new LinkedHashMap<>();
            statuses.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> counts.put(e.getKey(), e.getValue().get()));
            return new Result(
                    latencies.length,
                    counts,
                    transport.get(),
                    elapsed,
                    percentile(latencies, 0.50),
                    percentile(latencies, 0.95),
                    percentile(latencies, 0.99),
                    latencies.length == 0 ? 0 : latencies[latencies.length - 1] / 1e6,
                    empty.get(),
                    leaks.get(),
                    shortResults.get());
        }
    }

    HttpResponse<String> search(String token, String query, int topK) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("query", query, "topK", topK));
        return http.send(
                HttpRequest.newBuilder(URI.create(url + "/v1/search"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A token from the demo identity provider; {@code caller} is {@code user} or {@code user/agent}. */
    public String demoToken(String tenant, String caller) throws IOException, InterruptedException {
        String[] parts = caller.split("/", 2);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("user", parts[0]);
        request.put("tenant", tenant);
        if (parts.length == 2) {
            request.put("agent", parts[1]);
        }
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url + "/demo/token"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("demo token: HTTP " + response.statusCode() + " (is demo mode on?)");
        }
        return JSON.readTree(response.body()).path("accessToken").asText();
    }

    /** Heap in use after a full GC (so garbage does not count) and resident set size of a process. */
    record Memory(long heapBytes, long rssBytes) {}

    Memory memory(long pid) throws IOException, InterruptedException {
        Process gc = new ProcessBuilder(jcmd(), Long.toString(pid), "GC.run")
                .redirectErrorStream(true)
                .start();
        gc.getInputStream().readAllBytes();
        gc.waitFor();
        String metrics = http.send(
                        HttpRequest.newBuilder(URI.create(url + "/prometheus")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        long heap = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                heap += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return new Memory(heap, rss);
    }

    static String report(Result r, Memory before, Memory after) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                "requests %d in %.1f s = %.1f/s; p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                r.requests(), r.seconds(), r.throughput(), r.p50(), r.p95(), r.p99(), r.max()));
        out.append(String.format(
                "statuses %s, transport errors %d, leaks %d, short results %d, errors %d, empty results %d%n",
                r.statuses(), r.transportErrors(), r.leaks(), r.shortResults(), r.errors(), r.emptyResults()));
        if (before != null && after != null) {
            out.append(String.format(
                    "service heap after GC: %.1f MB before, %.1f MB after; RSS: %.1f MB before, %.1f MB after%n",
                    before.heapBytes() / 1e6,
                    after.heapBytes() / 1e6,
                    before.rssBytes() / 1e6,
                    after.rssBytes() / 1e6));
        }
        out.append(String.format(
                "| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %d |",
                r.requests(), r.throughput(), r.p50(), r.p95(), r.p99(), r.max(), r.errors()));
        return out.toString();
    }

    /** The nearest-rank percentile of {@code sorted} nanoseconds, in milliseconds. */
    public static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private static String jcmd() {
        return Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Callers separated by commas; {@code u0000..u1023} stands for every name from {@code u0000} to
     * {@code u1023} (same prefix, numbers zero-padded to the width of the first).
     */
    static List<String> callers(String spec) {
        List<String> out = new ArrayList<>();
        java.util.regex.Pattern range = java.util.regex.Pattern.compile("(\\D*)(\\d+)\\.\\.\\1(\\d+)");
        for (String part : spec.split(",")) {
            java.util.regex.Matcher m = range.matcher(part.strip());
            if (!m.matches()) {
                out.add(part.strip());
                continue;
            }
            int from = Integer.parseInt(m.group(2));
            int to = Integer.parseInt(m.group(3));
            for (int i = from; i <= to; i++) {
                out.add(m.group(1) + String.format("%0" + m.group(2).length() + "d", i));
            }
        }
        return out;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    /** Latencies of one client, in nanoseconds; one writer, read after it finishes. */
    private static final class LatencyLog {
        private long[] values = new long[1024];
        private int size;

        void add(long nanos) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = nanos;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
