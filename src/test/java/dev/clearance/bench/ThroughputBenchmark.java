package dev.clearance.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearance.access.AuthorizationOffForBenchmarks;
import dev.clearance.access.DecisionCacheProperties;
import dev.clearance.access.RelationshipStore;
import dev.clearance.bench.RealBenchData.Share;
import dev.clearance.embed.Embedder;
import dev.clearance.load.LoadTest;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Throughput, latency under concurrency, the cost of authorization and of the corpus size, and
 * recall per share class and vector path, on the real corpus ({@link RealBenchData}) with 1,024
 * users, in one run. Not a test: run it with {@code scripts/bench.sh throughput [passages=100000]
 * [seconds=30] [clients=16]} (see docs/benchmarks.md). It prints Markdown tables.
 *
 * <p>Phases, each after a warm-up of {@value #WARMUP_SECONDS} s that is not counted:
 *
 * <ol>
 *   <li>{@code clients} closed-loop clients for {@code seconds} on tenant {@code real}, each search by
 *       a user drawn uniformly from all 1,024 (so all four share classes occur), a query drawn from
 *       the corpus's section headings, top-k 10, the default strategy; with authorization on, and
 *       again on a second service (started after the first is closed) with authorization off ({@link
 *       AuthorizationOffForBenchmarks});
 *   <li>one client, authorization on, the same mix; and, in a third service with authorization on,
 *       after a warm-up as long as a cached decision lives (60 s), {@code clients} closed-loop
 *       clients (that service's capacity), then searches arriving at random at 50 % and 70 % of it
 *       (open loop, {@link LoadTest#runOpen});
 *   <li>one client on tenant {@code real10k} (a tenth of the corpus, same users and scheme); with
 *       phase 2, in the order real, real10k, real, real10k (two pairs, each with its ratio);
 *   <li>recall@10 per share class against an exact oracle ({@link ExactTop}), for the service's
 *       default settings, an exact scan forced ({@code clearance.search.exact-max-chunks} 1,000,000)
 *       and the approximate index forced ({@code exact-max-chunks} 0) with the HNSW candidate list
 *       ({@code clearance.search.hnsw-ef-search}) at 200 (its value before) and 1,000 (pgvector's
 *       largest).
 * </ol>
 *
 * They run in the order 2, 3, 4 (defaults), 1 (on), 1 (off), 2 (open loop), 4 (forced paths): the
 * two concurrent phases back to back, so that they meet about the same background load. Before
 * them, one client searches each tenant for {@code seconds} (not reported), then nothing runs for
 * one cache lifetime: the JVM has compiled the search path before the first pair is measured.
 *
 * <p>Every answer of phases 1 to 3 is checked against {@link RealBenchData#mayView} (plain Java): a
 * returned document the user may not view is a leak. OpenFGA calls per search and cache hit rates
 * come from the in-process service's meters, as differences over each measured phase. The service
 * ranks by the vector leg only ({@code clearance.search.hybrid=false}), so its order is cosine
 * similarity and the oracle is exact.
 */
public final class ThroughputBenchmark {

    static final int WARMUP_SECONDS = 5;
    private static final int TOP_K = 10;
    private static final int QUERIES = 200;
    private static final int RECALL_QUERIES = 50;
    private static final int RECALL_USERS_PER_SHARE = 3;
    /** The open loop's rates, in per cent of the capacity measured in the same service. */
    private static final List<Integer> OPEN_LOOP_PERCENT = List.of(50, 70);

    private static final String AUTHZ_TIMER = "clearance.authz.duration";
    private static final String CHECKS = "clearance.authz.checks";
    private static final String DECISION_CACHE = "clearance.authz.decision.cache";
    private static final String LIST_CACHE = "clearance.authz.list.cache";
    private static final String EXPANSION_CACHE = "clearance.authz.expansion.cache";

    /** One measured phase: closed loop, or open loop when {@code offered} (searches/s) is above 0. */
    private record Phase(
            String name,
            String tenant,
            int clients,
            double offered,
            boolean authorization,
            LoadTest.Result result,
            Map<String, Double> meters,
            Map<Share, Long> shortByShare,
            Map<Share, List<Long>> latencyByShare,
            CpuUse.Spent cpu,
            String loadAtStart,
            String loadAtEnd) {}

    /** Recall and latency of one share class on one vector path. */
    private record RecallRow(
            String path,
            Share share,
            double[] ms,
            double mean,
            double min,
            int errors,
            TreeMap<String, Integer> modes,
            String loadAtStart,
            String loadAtEnd) {}

    /** A vector path: the service's settings for the recall phase. */
    private record VectorPath(String name, Map<String, Object> properties) {}

    public static void main(String[] args) throws Exception {
        int passages = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        String command = "scripts/bench.sh throughput " + passages + " " + seconds + " " + clients;
        Path cache = RealBenchData.cache();
        String loadAtStart = BenchService.loadAverage();
        long started = System.nanoTime();
        Map<String, Object> base = Map.of("clearance.search.hybrid", "false");

        List<Phase> phases = new ArrayList<>();
        List<RecallRow> recall = new ArrayList<>();
        RealBenchData.Tenants tenants;
        String postgres;
        List<String> queries;
        List<float[]> recallVectors = new ArrayList<>();
        Map<String, ExactTop> oracle = new HashMap<>();
        int[] recallUsers = recallUsers();

        try (BenchService service = new BenchService(base)) {
            Embedder embedder = service.bean(Embedder.class);
            tenants = RealBenchData.load(cache, embedder.modelName(), embedder.dimension(), passages);
            System.out.println("real bench data: " + tenants.describe());
            BenchRows.load(
                    service.bean(DataSource.class),
                    service.bean(RelationshipStore.class),
                    embedder.modelName(),
                    tenants.both());
            postgres = postgresSettings(service.bean(DataSource.class));
            queries = RealCorpus.queries(cache, QUERIES, 0);
            // The oracle first, so its CPU time is spent before anything is measured.
            for (String q : queries.subList(0, RECALL_QUERIES)) {
                recallVectors.add(embedder.embedQuery(q));
            }
            RealBenchData real = tenants.full();
            for (int u : recallUsers) {
                for (int i = 0; i < RECALL_QUERIES; i++) {
                    float[] v = recallVectors.get(i);
                    oracle.computeIfAbsent(
                            real.visibility(u) + "/" + i, k -> ExactTop.of(real, d -> real.mayView(u, d), v, TOP_K));
                }
            }

            warmUp(service, tenants, queries, seconds);
            // One client first, so that the concurrent phase with authorization on comes right
            // before the one with it off and both meet about the same background load. The two
            // corpus sizes run twice, in the order A B A B: each repeat comes the same time after
            // its first run (the caches' 60 s matter: the repeat draws the same callers and queries),
            // and the two pairs show how much the ratio moves within one run.
            Phase one = closedLoop(service, real, "one client", 1, seconds, queries, true);
            Phase tenth = closedLoop(
                    service, tenants.tenth(), "one client, a tenth of the corpus", 1, seconds, queries, true);
            Phase oneAgain = closedLoop(service, real, "one client, again", 1, seconds, queries, true);
            Phase tenthAgain = closedLoop(
                    service, tenants.tenth(), "one client, a tenth of the corpus, again", 1, seconds, queries, true);
            recall.addAll(recall(service, real, "default", queries, recallVectors, oracle, recallUsers));
            phases.add(closedLoop(service, real, "concurrent, authorization on", clients, seconds, queries, true));
            phases.add(one);
            phases.add(tenth);
            phases.add(oneAgain);
            phases.add(tenthAgain);
        }
        Map<String, Object> off = new HashMap<>(base);
        off.put(AuthorizationOffForBenchmarks.PROPERTY, "off");
        // Nor expands callers into shared subjects, nor fetches a new caller's lists before its first
        // round (that needs shared subjects, ADR 0015): with authorization off nothing may ask OpenFGA.
        off.put("clearance.authz.cache.share-subjects", "false");
        try (BenchService service = new BenchService(off)) {
            phases.add(
                    1,
                    closedLoop(
                            service,
                            tenants.full(),
                            "concurrent, authorization off",
                            clients,
                            seconds,
                            queries,
                            false));
        }
        // Users arrive on their own schedule, not when the previous answer came back: latency at a
        // steady 50 % and 70 % of the capacity, the load a service is sized to run at. The capacity
        // is measured in the same service first (16 closed-loop clients), so that the rates are
        // fractions of what this service sustains, not of a closed loop measured while every list
        // was warm. A service of its own, after the one with authorization off, so that the two
        // concurrent phases stay back to back. Its warm-up lasts as long as a cached entry lives:
        // entries then expire and are fetched again while it is measured, as in a service that has
        // run for hours (a shorter warm-up measures either a cold start or caches that never expire).
        try (BenchService service = new BenchService(base)) {
            int warmup = (int) service.bean(DecisionCacheProperties.class).ttl().toSeconds();
            Phase capacity = phase(
                    service,
                    tenants.full(),
                    "concurrent, a fresh service after one cache lifetime (the open loop's capacity)",
                    clients,
                    0,
                    warmup,
                    seconds,
                    queries,
                    true);
            phases.add(capacity);
            for (int percent : OPEN_LOOP_PERCENT) {
                phases.add(phase(
                        service,
                        tenants.full(),
                        "open loop, " + percent + " % of that capacity",
                        0,
                        percent / 100.0 * capacity.result().throughput(),
                        WARMUP_SECONDS,
                        seconds,
                        queries,
                        true));
            }
        }
        for (VectorPath path : List.of(
                new VectorPath("exact scan forced", Map.of("clearance.search.exact-max-chunks", "1000000")),
                // The HNSW candidate list before ADR 0009's last change, and pgvector's largest.
                new VectorPath(
                        "approximate, ef_search 200",
                        Map.of("clearance.search.exact-max-chunks", "0", "clearance.search.hnsw-ef-search", "200")),
                new VectorPath(
                        "approximate, ef_search 1000",
                        Map.of("clearance.search.exact-max-chunks", "0", "clearance.search.hnsw-ef-search", "1000")))) {
            Map<String, Object> properties = new HashMap<>(base);
            properties.putAll(path.properties());
            try (BenchService service = new BenchService(properties)) {
                recall.addAll(
                        recall(service, tenants.full(), path.name(), queries, recallVectors, oracle, recallUsers));
            }
        }
        print(command, seconds, tenants, postgres, phases, recall, loadAtStart, BenchData.seconds(started));
        System.exit(0);
    }

    /**
     * One client on each tenant for {@code seconds}, not reported, then one cache lifetime without
     * searches. Without it the first measured phase (100k chunks) ran in a JVM that was still
     * compiling the search path and the next one (10k) did not: the first pair's ratio measured the
     * order of the phases as much as the corpus. The pause lets every cached decision, list and
     * expansion expire, so the measured phases find the caches as they would without the warm-up;
     * what stays is the JIT's work, PostgreSQL's buffers and the callers' share estimates (30 min),
     * which the repeat phases found already.
     */
    private static void warmUp(BenchService service, RealBenchData.Tenants tenants, List<String> queries, int seconds)
            throws InterruptedException {
        for (RealBenchData data : List.of(tenants.full(), tenants.tenth())) {
            closedLoop(service, data, "warm-up, not reported", 1, seconds, queries, true);
        }
        Duration ttl = service.bean(DecisionCacheProperties.class).ttl();
        System.err.printf("pause: %d s, one cache lifetime%n", ttl.toSeconds());
        Thread.sleep(ttl.toMillis());
    }

    /** Three users of each share class (in different groups and folders), for the recall phase. */
    private static int[] recallUsers() {
        int[] users = new int[Share.values().length * RECALL_USERS_PER_SHARE];
        int n = 0;
        for (Share share : Share.values()) {
            for (int k = 0; k < RECALL_USERS_PER_SHARE; k++) {
                users[n++] = share.ordinal() + Share.values().length * k;
            }
        }
        return users;
    }

    /** A warm-up, then {@code clients} closed-loop clients for {@code seconds} over all users. */
    private static Phase closedLoop(
            BenchService service,
            RealBenchData data,
            String name,
            int clients,
            int seconds,
            List<String> queries,
            boolean authorization)
            throws InterruptedException {
        return phase(service, data, name, clients, 0, WARMUP_SECONDS, seconds, queries, authorization);
    }

    /**
     * A warm-up of {@code warmup} seconds, then {@code seconds} over all users: {@code clients}
     * closed-loop clients, or, when {@code offered} is above 0, searches arriving at that rate (open
     * loop, warm-up included).
     */
    private static Phase phase(
            BenchService service,
            RealBenchData data,
            String name,
            int clients,
            double offered,
            int warmup,
            int seconds,
            List<String> queries,
            boolean authorization)
            throws InterruptedException {
        System.err.printf(
                Locale.ROOT,
                "phase: %s (%s, %s, %d s)%n",
                name,
                data.tenant(),
                offered > 0 ? String.format(Locale.ROOT, "%.1f searches/s offered", offered) : clients + " clients",
                seconds);
        List<String> tokens = new ArrayList<>(RealBenchData.USERS);
        Map<String, Integer> userOf = new HashMap<>();
        for (int u = 0; u < RealBenchData.USERS; u++) {
            // Tokens live 10 minutes: long enough for a phase.
            String token = service.token(RealBenchData.user(u), data.tenant(), "");
            tokens.add(token);
            userOf.put(token, u);
        }
        // Short answers per share class, in the measured run only (not the warm-up).
        Map<Share, Long> shortByShare = new java.util.concurrent.ConcurrentSkipListMap<>();
        // Latencies per share class, in the measured run only: which callers make the percentiles.
        Map<Share, List<Long>> latencyByShare = new java.util.concurrent.ConcurrentSkipListMap<>();
        java.util.concurrent.atomic.AtomicBoolean counting = new java.util.concurrent.atomic.AtomicBoolean();
        LoadTest.Judge judge = new LoadTest.Judge() {
            @Override
            public long leaks(String token, JsonNode results) {
                int u = userOf.get(token);
                long leaks = 0;
                for (JsonNode r : results) {
                    int d = BenchData.documentIndex(r.path("documentId").asText());
                    if (d < 0 || d >= data.documents() || !data.mayView(u, d)) {
                        leaks++;
                    }
                }
                return leaks;
            }

            @Override
            public boolean isShort(String token, JsonNode results) {
                // The vector leg has no threshold: k viewable chunks always make k results.
                int u = userOf.get(token);
                boolean isShort = results.size() != Math.min(TOP_K, data.viewableChunks(u));
                if (isShort && counting.get()) {
                    shortByShare.merge(RealBenchData.share(u), 1L, Long::sum);
                }
                return isShort;
            }

            @Override
            public void latency(String token, long nanos) {
                if (counting.get()) {
                    latencyByShare
                            .computeIfAbsent(
                                    RealBenchData.share(userOf.get(token)),
                                    k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                            .add(nanos);
                }
            }
        };
        LoadTest load = new LoadTest(service.url());
        if (offered > 0) {
            load.runOpen(tokens, judge, queries, TOP_K, warmup, offered);
        } else {
            load.run(tokens, judge, queries, TOP_K, warmup, clients);
        }
        MeterRegistry registry = service.bean(MeterRegistry.class);
        String loadAtStart = BenchService.loadAverage();
        Map<String, Double> before = meters(registry);
        CpuUse cpuBefore = CpuUse.now();
        counting.set(true);
        LoadTest.Result result = offered > 0
                ? load.runOpen(tokens, judge, queries, TOP_K, seconds, offered)
                : load.run(tokens, judge, queries, TOP_K, seconds, clients);
        CpuUse.Spent cpu = CpuUse.now().since(cpuBefore);
        Map<String, Double> after = meters(registry);
        String loadAtEnd = BenchService.loadAverage();
        Map<String, Double> delta = new TreeMap<>();
        after.forEach((k, v) -> delta.put(k, v - before.getOrDefault(k, 0.0)));
        return new Phase(
                name,
                data.tenant(),
                clients,
                offered,
                authorization,
                result,
                delta,
                shortByShare,
                latencyByShare,
                cpu,
                loadAtStart,
                loadAtEnd);
    }

    /**
     * Counts of the authorization meters: calls per {@code call} tag of the authorization timer,
     * checks, and the decision and list caches per {@code result} tag, when they exist.
     */
    private static Map<String, Double> meters(MeterRegistry registry) {
        Map<String, Double> counts = new HashMap<>();
        for (Meter m : registry.find(AUTHZ_TIMER).meters()) {
            counts.merge("call " + m.getId().getTag("call"), count(m), Double::sum);
        }
        for (Meter m : registry.find(CHECKS).meters()) {
            counts.merge("checks", count(m), Double::sum);
        }
        for (String cache : List.of(DECISION_CACHE, LIST_CACHE, EXPANSION_CACHE)) {
            for (Meter m : registry.find(cache).meters()) {
                counts.merge(cache + " " + m.getId().getTag("result"), count(m), Double::sum);
            }
        }
        // Where a search's time goes: total milliseconds per stage, query and OpenFGA call.
        for (String[] timer : STAGE_TIMERS) {
            for (Timer t : registry.find(timer[0]).timers()) {
                String tag = timer[1] == null ? "" : " " + t.getId().getTag(timer[1]);
                counts.merge("ms " + timer[2] + tag, t.totalTime(TimeUnit.MILLISECONDS), Double::sum);
            }
        }
        return counts;
    }

    /**
     * p50 and p95 per share class of the callers, for each phase: which callers make a phase's
     * percentiles (a one-client p50 sits where the cheap and the expensive share classes meet).
     */
    private static void printLatencyByShare(StringBuilder out, List<Phase> phases) {
        out.append("\nLatency per share class of the caller (searches; p50 / p95 ms):\n\n| phase | tenant |");
        for (Share share : Share.values()) {
            out.append(' ').append(share.label).append(" |");
        }
        out.append("\n|---|---|").append("---:|".repeat(Share.values().length)).append('\n');
        for (Phase p : phases) {
            out.append("| ").append(p.name()).append(" | ").append(p.tenant()).append(" |");
            for (Share share : Share.values()) {
                long[] sorted = p.latencyByShare().getOrDefault(share, List.of()).stream()
                        .mapToLong(Long::longValue)
                        .sorted()
                        .toArray();
                out.append(
                        sorted.length == 0
                                ? " - |"
                                : String.format(
                                        Locale.ROOT,
                                        " %d; %.0f / %.0f |",
                                        sorted.length,
                                        LoadTest.percentile(sorted, 0.50),
                                        LoadTest.percentile(sorted, 0.95)));
            }
            out.append('\n');
        }
    }

    /** Timers whose time per search the benchmark prints: name, tag, label. */
    private static final String[][] STAGE_TIMERS = {
        {"clearance.search.stage", "stage", "stage"},
        {"clearance.store.query.duration", "query", "sql"},
        {AUTHZ_TIMER, "call", "openfga"},
    };

    /**
     * Mean milliseconds per search of each stage, SQL query and OpenFGA call over the phase. Stages
     * nest (retrieve holds the SQL and OpenFGA time of a search); under load the time includes waiting
     * for a core.
     */
    private static void printStages(StringBuilder out, List<Phase> phases) {
        TreeSet<String> keys = new TreeSet<>();
        phases.forEach(p -> p.meters().forEach((k, v) -> {
            if (k.startsWith("ms ") && v > 0) {
                keys.add(k);
            }
        }));
        out.append("Where the time goes: mean ms per search of each search stage (`clearance.search.stage`), SQL query"
                + " (`clearance.store.query.duration`) and OpenFGA call (`" + AUTHZ_TIMER + "`) over the phase;"
                + " stages nest (retrieve holds SQL and OpenFGA time), and under load the time includes waiting"
                + " for a core:\n\n| phase | tenant |");
        keys.forEach(k -> out.append(' ').append(k.substring(3)).append(" |"));
        out.append("\n|---|---|");
        keys.forEach(k -> out.append("---:|"));
        out.append('\n');
        for (Phase p : phases) {
            double searches = p.result().requests();
            out.append("| ").append(p.name()).append(" | ").append(p.tenant()).append(" |");
            for (String k : keys) {
                out.append(String.format(Locale.ROOT, " %.1f |", p.meters().getOrDefault(k, 0.0) / searches));
            }
            out.append('\n');
        }
        out.append('\n');
    }

    private static double count(Meter meter) {
        for (Measurement m : meter.measure()) {
            if (m.getStatistic() == Statistic.COUNT) {
                return m.getValue();
            }
        }
        return 0;
    }

    /** Recall@10 and latency per share class, one search at a time, as an auditor (diagnostics). */
    private static List<RecallRow> recall(
            BenchService service,
            RealBenchData data,
            String path,
            List<String> queries,
            List<float[]> vectors,
            Map<String, ExactTop> oracle,
            int[] users) {
        System.err.printf("phase: recall, %s%n", path);
        for (int u : users) {
            for (String q : queries.subList(RECALL_QUERIES, RECALL_QUERIES + 5)) {
                service.search(RealBenchData.user(u), data.tenant(), q, TOP_K, null);
            }
        }
        String loadAtStart = BenchService.loadAverage();
        List<RecallRow> rows = new ArrayList<>();
        for (Share share : Share.values()) {
            List<Double> ms = new ArrayList<>();
            List<Double> recalls = new ArrayList<>();
            TreeMap<String, Integer> modes = new TreeMap<>();
            int errors = 0;
            for (int u : users) {
                if (RealBenchData.share(u) != share) {
                    continue;
                }
                for (int i = 0; i < vectors.size(); i++) {
                    long t = System.nanoTime();
                    JsonNode body = service.search(RealBenchData.user(u), data.tenant(), queries.get(i), TOP_K, null);
                    ms.add((System.nanoTime() - t) / 1e6);
                    if (body == null) {
                        errors++;
                        recalls.add(0.0);
                        continue;
                    }
                    int user = u;
                    recalls.add(oracle.get(data.visibility(u) + "/" + i)
                            .recall(data, d -> data.mayView(user, d), vectors.get(i), body.path("results")));
                    JsonNode diagnostics = body.path("diagnostics");
                    modes.merge(
                            diagnostics.path("strategy").asText() + " "
                                    + diagnostics.path("vectorSearch").asText(),
                            1,
                            Integer::sum);
                }
            }
            double[] sorted =
                    ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            rows.add(new RecallRow(
                    path,
                    share,
                    sorted,
                    recalls.stream().mapToDouble(Double::doubleValue).average().orElse(0),
                    recalls.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                    errors,
                    modes,
                    loadAtStart,
                    null));
        }
        String loadAtEnd = BenchService.loadAverage();
        return rows.stream()
                .map(r -> new RecallRow(
                        r.path(),
                        r.share(),
                        r.ms(),
                        r.mean(),
                        r.min(),
                        r.errors(),
                        r.modes(),
                        r.loadAtStart(),
                        loadAtEnd))
                .toList();
    }

    /** The PostgreSQL settings that decide how much of the index and rows stay in memory. */
    private static String postgresSettings(DataSource dataSource) {
        List<String> settings = new ArrayList<>();
        try (java.sql.Connection c = dataSource.getConnection();
                java.sql.Statement s = c.createStatement()) {
            for (String name :
                    List.of("server_version", "shared_buffers", "work_mem", "max_parallel_workers_per_gather")) {
                try (java.sql.ResultSet rs = s.executeQuery("SHOW " + name)) {
                    rs.next();
                    settings.add(name + " " + rs.getString(1));
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("reading PostgreSQL's settings failed", e);
        }
        return String.join(", ", settings);
    }

    private static void print(
            String command,
            int phaseSeconds,
            RealBenchData.Tenants tenants,
            String postgres,
            List<Phase> phases,
            List<RecallRow> recall,
            String loadAtStart,
            double seconds) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "%n## Throughput benchmark (real corpus)%n%nCommand: `%s`. Machine: %s."
                        + " Load average (1 min): %s at start, %s at end. Run took %.0f s.%n",
                command,
                BenchService.machine(),
                loadAtStart,
                BenchService.loadAverage(),
                seconds));
        out.append(String.format(
                Locale.ROOT,
                "Corpus: %s. Queries: %d section headings, drawn at random; top-k %d; default strategy (adaptive);"
                        + " ranking by the vector leg only (clearance.search.hybrid=false), i.e. cosine similarity;"
                        + " %d s warm-up before each phase, and before the first one %d s of one client on each"
                        + " tenant, then a pause of one cache lifetime (not reported). PostgreSQL: %s.%n%n",
                tenants.describe(),
                QUERIES,
                TOP_K,
                WARMUP_SECONDS,
                phaseSeconds,
                postgres));

        out.append("| phase | tenant | clients | authorization | searches | searches/s | p50 ms | p95 ms | p99 ms |"
                + " non-200 by status | transport errors | short answers | leaks | load avg start / end |\n"
                + "|---|---|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|\n");
        for (Phase p : phases) {
            LoadTest.Result r = p.result();
            Map<Integer, Long> non200 = new TreeMap<>(r.statuses());
            non200.remove(200);
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %,d | %.1f | %.0f | %.0f | %.0f | %s | %d | %s | %s | %s / %s |%n",
                    p.name(),
                    p.tenant(),
                    p.offered() > 0
                            ? String.format(Locale.ROOT, "open, %.1f/s", p.offered())
                            : Integer.toString(p.clients()),
                    p.authorization() ? "on" : "off",
                    r.requests(),
                    r.throughput(),
                    r.p50(),
                    r.p95(),
                    r.p99(),
                    non200.isEmpty() ? "none" : non200.toString(),
                    r.transportErrors(),
                    shortAnswers(r.shortResults(), p.shortByShare()),
                    p.authorization() ? Long.toString(r.leaks()) : r.leaks() + " (expected: authorization off)",
                    p.loadAtStart(),
                    p.loadAtEnd()));
        }
        Phase on = phases.get(0);
        Phase off = phases.get(1);
        Phase one = phases.get(2);
        Phase tenth = phases.get(3);
        Phase oneAgain = phases.get(4);
        Phase tenthAgain = phases.get(5);
        Phase capacity = phases.get(6);
        out.append(String.format(
                Locale.ROOT,
                "%n- throughput with authorization on / off (%d clients): %.1f / %.1f = **%.2f**%n",
                on.clients(),
                on.result().throughput(),
                off.result().throughput(),
                on.result().throughput() / off.result().throughput()));
        out.append(String.format(
                Locale.ROOT,
                "- p95 with %d clients / p95 with one client (authorization on): %.0f / %.0f ms = **%.2f**%n",
                on.clients(),
                on.result().p95(),
                one.result().p95(),
                on.result().p95() / one.result().p95()));
        out.append(String.format(
                Locale.ROOT,
                "- capacity of a fresh service after one cache lifetime (%d clients): %.1f searches/s%n",
                capacity.clients(),
                capacity.result().throughput()));
        for (Phase open : phases.subList(7, 7 + OPEN_LOOP_PERCENT.size())) {
            out.append(String.format(
                    Locale.ROOT,
                    "- p95 in the open loop at %.1f searches/s (%s) / p95 with one client: %.0f / %.0f ms = **%.2f**"
                            + " (p50 %.0f ms)%n",
                    open.offered(),
                    String.format(
                            Locale.ROOT,
                            "%.0f %% of that capacity",
                            100 * open.offered() / capacity.result().throughput()),
                    open.result().p95(),
                    one.result().p95(),
                    open.result().p95() / one.result().p95(),
                    open.result().p50()));
        }
        out.append(String.format(
                Locale.ROOT,
                "- p50 one client, %s (%,d chunks, the one-client phase) / %s (%,d chunks): %.0f / %.0f ms = **%.2f**;"
                        + " the second pair (A B A B order): %.0f / %.0f ms = **%.2f**; both pairs pooled"
                        + " (mean of the two p50s each side): **%.2f**%n",
                tenants.full().tenant(),
                tenants.full().chunks(),
                tenants.tenth().tenant(),
                tenants.tenth().chunks(),
                one.result().p50(),
                tenth.result().p50(),
                one.result().p50() / tenth.result().p50(),
                oneAgain.result().p50(),
                tenthAgain.result().p50(),
                oneAgain.result().p50() / tenthAgain.result().p50(),
                (one.result().p50() + oneAgain.result().p50())
                        / (tenth.result().p50() + tenthAgain.result().p50())));
        long leaks = phases.stream()
                .filter(Phase::authorization)
                .mapToLong(p -> p.result().leaks())
                .sum();
        out.append(String.format(
                Locale.ROOT,
                "- leaks with authorization on (documents returned that the user may not view): %d (%s)%n%n",
                leaks,
                leaks == 0 ? "none, as required" : "MUST BE 0"));

        printMeters(out, phases);
        printCpu(out, phases, on, one);
        printStages(out, phases);
        printLatencyByShare(out, phases);
        printRecall(out, recall);
        System.out.println(out);
    }

    /** The count, and per share class where there are any: {@code 14 (10 %: 14)}. */
    private static String shortAnswers(long total, Map<Share, Long> byShare) {
        if (total == 0 || byShare.isEmpty()) {
            return Long.toString(total);
        }
        List<String> parts = new ArrayList<>();
        byShare.forEach((share, n) -> parts.add(share.label + ": " + n));
        return total + " (" + String.join(", ", parts) + ")";
    }

    private static void printMeters(StringBuilder out, List<Phase> phases) {
        TreeSet<String> calls = new TreeSet<>();
        phases.forEach(p ->
                p.meters().keySet().stream().filter(k -> k.startsWith("call ")).forEach(calls::add));
        out.append("OpenFGA calls per search (count of timer `" + AUTHZ_TIMER
                + "` per tag `call` over the phase / searches; one batch_check call may send several BatchCheck"
                + " requests), checks per search (`" + CHECKS + "`), and cache hit rates (`" + DECISION_CACHE
                + "`, `" + LIST_CACHE + "`, `" + EXPANSION_CACHE
                + "`, tag `result`; n/a where the service has no such meter):\n\n");
        out.append("| phase | tenant | searches |");
        calls.forEach(c -> out.append(' ').append(c.substring(5)).append(" / search |"));
        out.append(" checks / search | decision cache hit rate | list cache hit rate | expansion cache hit rate |\n"
                + "|---|---|---:|");
        calls.forEach(c -> out.append("---:|"));
        out.append("---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            double searches = p.result().requests();
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %,d |",
                    p.name(),
                    p.tenant(),
                    p.result().requests()));
            for (String c : calls) {
                out.append(String.format(Locale.ROOT, " %.2f |", p.meters().getOrDefault(c, 0.0) / searches));
            }
            out.append(String.format(
                    Locale.ROOT,
                    " %.1f | %s | %s | %s |%n",
                    p.meters().getOrDefault("checks", 0.0) / searches,
                    hitRate(p.meters(), DECISION_CACHE),
                    hitRate(p.meters(), LIST_CACHE),
                    hitRate(p.meters(), EXPANSION_CACHE)));
        }
        out.append('\n');
    }

    /**
     * CPU per search over each phase, and what it implies for the closed loop: {@code clients}
     * searches always in flight on {@code cores} cores wait on average at least clients x (CPU per
     * search) / cores (Little's law), whatever the service schedules.
     */
    private static void printCpu(StringBuilder out, List<Phase> phases, Phase closed, Phase one) {
        if (phases.stream().anyMatch(p -> Double.isNaN(p.cpu().machine()))) {
            out.append("CPU time per search: n/a (/proc cannot be read on this machine).\n\n");
            return;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        out.append("CPU time per search over each phase, ms of one core (from /proc: all cores; this JVM, i.e. the"
                + " service and its load clients; the processes named postgres and openfga; the rest of the"
                + " machine), and cores busy on average:\n\n"
                + "| phase | tenant | searches | cores busy (of " + cores + ") | machine | JVM | PostgreSQL | OpenFGA"
                + " | other |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            CpuUse.Spent c = p.cpu();
            double per = 1000.0 / p.result().requests();
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %,d | %.2f | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
                    p.name(),
                    p.tenant(),
                    p.result().requests(),
                    c.machine() / c.wall(),
                    c.machine() * per,
                    c.jvm() * per,
                    c.byCommand().getOrDefault("postgres", 0.0) * per,
                    c.byCommand().getOrDefault("openfga", 0.0) * per,
                    c.other() * per));
        }
        double cpuClosed = 1000 * closed.cpu().machine() / closed.result().requests();
        double cpuOne = 1000 * one.cpu().machine() / one.result().requests();
        double p95One = one.result().p95();
        double highest = 3 * cores * p95One / closed.clients();
        out.append(String.format(
                Locale.ROOT,
                "%n- Little's law for the closed loop of %d clients: they wait on average %d / throughput = %.0f ms"
                        + " (measured mean %.0f ms). A search cost the machine %.1f ms of CPU in that phase and %.1f ms"
                        + " with one client, so on %d cores no scheduling brings the mean wait of %d searches in flight"
                        + " under %d x %.1f / %d = **%.0f ms**, %.2f times one client's p95 (%.0f ms). A p95 ratio of 3"
                        + " needs a search to cost at most 3 x %d x %.0f / %d = %.1f ms of CPU, %.0f %% of one client's"
                        + " p95; one client's searches cost %.1f ms (%.0f %%).%n%n",
                closed.clients(),
                closed.clients(),
                1000 * closed.clients() / closed.result().throughput(),
                mean(closed.latencyByShare()),
                cpuClosed,
                cpuOne,
                cores,
                closed.clients(),
                closed.clients(),
                cpuOne,
                cores,
                closed.clients() * cpuOne / cores,
                closed.clients() * cpuOne / cores / p95One,
                p95One,
                cores,
                p95One,
                closed.clients(),
                highest,
                100 * highest / p95One,
                cpuOne,
                100 * cpuOne / p95One));
    }

    /** Mean latency in ms over all share classes. */
    private static double mean(Map<Share, List<Long>> latencyByShare) {
        return latencyByShare.values().stream()
                        .flatMap(List::stream)
                        .mapToLong(Long::longValue)
                        .average()
                        .orElse(Double.NaN)
                / 1e6;
    }

    private static String hitRate(Map<String, Double> meters, String cache) {
        if (!meters.containsKey(cache + " hit") && !meters.containsKey(cache + " miss")) {
            return "n/a";
        }
        double hit = meters.getOrDefault(cache + " hit", 0.0);
        double miss = meters.getOrDefault(cache + " miss", 0.0);
        return hit + miss == 0 ? "no lookups" : String.format(Locale.ROOT, "%.1f %%", 100 * hit / (hit + miss));
    }

    private static void printRecall(StringBuilder out, List<RecallRow> rows) {
        Map<String, Map<Share, RecallRow>> byPath = new LinkedHashMap<>();
        rows.forEach(r ->
                byPath.computeIfAbsent(r.path(), k -> new LinkedHashMap<>()).put(r.share(), r));
        out.append(String.format(
                Locale.ROOT,
                "Recall@10 against the exact top 10 by cosine among the chunks the user may view (brute force in Java,"
                        + " ties within %.0e count), %d queries x %d users per share class, one search at a time,"
                        + " authorization on, tenant real; per vector path: mean / min recall, p50 ms:%n%n",
                ExactTop.TIE,
                RECALL_QUERIES,
                RECALL_USERS_PER_SHARE));
        out.append("| share |");
        byPath.keySet().forEach(p -> out.append(' ').append(p).append(" |"));
        out.append("\n|---|");
        byPath.keySet().forEach(p -> out.append("---|"));
        out.append('\n');
        for (Share share : Share.values()) {
            out.append("| ").append(share.label).append(" |");
            for (Map<Share, RecallRow> perShare : byPath.values()) {
                RecallRow r = perShare.get(share);
                out.append(String.format(
                        Locale.ROOT,
                        " %.3f / %.1f, %.0f ms%s |",
                        r.mean(),
                        r.min(),
                        BenchService.quantile(r.ms(), .5),
                        r.errors() == 0 ? "" : ", " + r.errors() + " errors"));
            }
            out.append('\n');
        }
        out.append("\nPaths taken (strategy, vector search: searches) and load average at start / end:\n\n");
        byPath.forEach((path, perShare) -> {
            RecallRow first = perShare.values().iterator().next();
            out.append("- ")
                    .append(path)
                    .append(" (load ")
                    .append(first.loadAtStart())
                    .append(" / ")
                    .append(first.loadAtEnd())
                    .append("): ");
            List<String> parts = new ArrayList<>();
            perShare.forEach((share, r) -> parts.add(share.label + " " + r.modes()));
            out.append(String.join("; ", parts)).append('\n');
        });
    }

    private ThroughputBenchmark() {}
}
