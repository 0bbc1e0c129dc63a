package dev.clearance.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearance.access.AccessChecker;
import dev.clearance.access.RelationshipStore;
import dev.clearance.bench.BenchData.Audience;
import dev.clearance.chunk.Chunker;
import dev.clearance.embed.Embedder;
import dev.clearance.identity.Caller;
import dev.clearance.search.ChunkSearchRepository;
import dev.clearance.search.SearchProperties;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Latency and authorized recall of the three retrieval strategies at four selectivities, next to
 * the raw cost of a search's parts, in one run. Not a test: run it with {@code scripts/bench.sh
 * search} (see docs/benchmarks.md). It prints Markdown tables and the goal verdicts.
 *
 * <p>The corpus is {@link BenchData}'s: real passage texts and vectors, multiplied into {@code
 * documents × chunksPerDocument} chunks by small random perturbations of the vectors, with four
 * users who may view 100 %, 10 %, 1 % and 0.1 % of the documents. Queries are section headings of
 * the corpus, embedded by the service itself. The service runs with the vector leg only ({@code
 * clearance.search.hybrid=false}), so its ranking is cosine similarity and the oracle is exact: the
 * top 10 by cosine, by brute force in Java, among the chunks the user may view according to {@link
 * BenchData#mayView} (plain Java, not OpenFGA).
 *
 * <p>Arguments (all optional): {@code [corpusDir] [passages=2000] [documents=10000]
 * [chunksPerDocument=10] [queries=100] [warmup=10]}.
 */
public final class SearchBenchmark {

    private static final int TOP_K = 10;
    private static final String[] STRATEGIES = {"postfilter", "prefilter", "adaptive"};

    private record Row(
            String strategy,
            Audience audience,
            double[] ms,
            double recall,
            double minRecall,
            double rounds,
            double complete,
            String modes,
            int errors) {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "ingest-jobs/corpus/docs");
        int passageCount = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        BenchData.Shape shape = new BenchData.Shape(
                args.length > 2 ? Integer.parseInt(args[2]) : BenchData.DEFAULT_SHAPE.documents(),
                args.length > 3 ? Integer.parseInt(args[3]) : BenchData.DEFAULT_SHAPE.chunksPerDocument(),
                BenchData.DEFAULT_SHAPE.noise(),
                BenchData.DEFAULT_SHAPE.seed());
        int queryCount = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 10;

        String loadAtStart = BenchService.loadAverage();
        long started = System.nanoTime();
        try (BenchService service = new BenchService(Map.of("clearance.search.hybrid", "false"))) {
            Embedder embedder = service.bean(Embedder.class);
            List<BenchData.Passage> passages = BenchData.passages(
                    dir, passageCount, service.bean(Chunker.class), embedder, BenchData.cacheFile(passageCount));
            BenchData data = BenchData.derive(passages, shape);
            data.load(service.bean(DataSource.class), service.bean(RelationshipStore.class), embedder.modelName());

            List<String> all = BenchData.headingQueries(dir, queryCount, warmup);
            List<String> warm = all.subList(0, warmup);
            List<String> queries = all.subList(warmup, all.size());

            // Parts, measured in this process on the service's own beans.
            warm.forEach(embedder::embedQuery);
            double[] embedMs = new double[queries.size()];
            List<float[]> vectors = new ArrayList<>();
            for (int i = 0; i < queries.size(); i++) {
                long t = System.nanoTime();
                vectors.add(embedder.embedQuery(queries.get(i)));
                embedMs[i] = ms(t);
            }
            ChunkSearchRepository chunks = service.bean(ChunkSearchRepository.class);
            double[] sqlMs = timeNearest(chunks, vectors, queries, warm, false);
            double[] exactMs = timeNearest(chunks, vectors, queries, warm, true);
            // The vector query the searches below run: exact up to this tenant size (ADR 0004).
            boolean exactSearch = service.bean(SearchProperties.class).exactMaxChunks() >= shape.chunks();
            AccessChecker checker = service.bean(AccessChecker.class);
            Caller everyone = new Caller(BenchData.TENANT, Audience.ALL.user, Optional.empty(), Set.of());
            int reps = queries.size() + warm.size();
            double[] checkMs = new double[queries.size()];
            for (int r = 0; r < reps; r++) {
                // 50 documents no earlier repetition asked about, so OpenFGA's check cache does not answer.
                List<String> ids = new ArrayList<>(50);
                for (int k = 0; k < 50; k++) {
                    ids.add(BenchData.id((r * 50 + k) % shape.documents()));
                }
                long t = System.nanoTime();
                var decisions = checker.check(everyone, ids, false);
                if (decisions.hasErrors()) {
                    throw new IllegalStateException("BatchCheck returned errors");
                }
                if (r >= warm.size()) {
                    checkMs[r - warm.size()] = ms(t);
                }
            }

            // Oracle: exact top 10 by cosine among the chunks each user may view.
            Map<Audience, List<ExactTop>> oracle = new EnumMap<>(Audience.class);
            for (Audience a : Audience.values()) {
                List<ExactTop> perQuery = new ArrayList<>();
                for (float[] v : vectors) {
                    perQuery.add(ExactTop.of(data, d -> BenchData.mayView(a, d), v, TOP_K));
                }
                oracle.put(a, perQuery);
            }

            // Diagnostic: how exact is the approximate (HNSW) query alone, at the windows of the
            // post-filter rounds? Its top 10 against the oracle of a user who may see everything.
            Map<Integer, Double> annRecall = new java.util.TreeMap<>();
            for (int window : new int[] {TOP_K * 4, TOP_K * 16, TOP_K * 64}) {
                double sum = 0;
                for (int i = 0; i < queries.size(); i++) {
                    List<dev.clearance.search.Candidate> found =
                            chunks.nearest(BenchData.TENANT, vectors.get(i), queries.get(i), window, List.of(), false);
                    com.fasterxml.jackson.databind.node.ArrayNode results =
                            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
                    found.stream()
                            .sorted(java.util.Comparator.comparingDouble(dev.clearance.search.Candidate::similarity)
                                    .reversed())
                            .limit(TOP_K)
                            .forEach(c -> results.addObject()
                                    .put("documentId", c.documentId())
                                    .put("position", c.ordinal()));
                    sum += oracle.get(Audience.ALL).get(i).recall(data, d -> true, vectors.get(i), results);
                }
                annRecall.put(window, sum / queries.size());
            }

            for (Audience a : Audience.values()) {
                for (String q : warm) {
                    for (String s : STRATEGIES) {
                        search(service, a, q, s);
                    }
                }
            }

            List<Row> rows = new ArrayList<>();
            for (Audience a : Audience.values()) {
                Map<String, double[]> latency = new java.util.HashMap<>();
                Map<String, double[]> recall = new java.util.HashMap<>();
                Map<String, int[]> rounds = new java.util.HashMap<>();
                Map<String, int[]> complete = new java.util.HashMap<>();
                Map<String, java.util.TreeMap<String, Integer>> modes = new java.util.HashMap<>();
                Map<String, Integer> errors = new java.util.HashMap<>();
                System.err.printf("searching as %s (%s)%n", a.user, a.label);
                for (String s : STRATEGIES) {
                    latency.put(s, new double[queries.size()]);
                    recall.put(s, new double[queries.size()]);
                    rounds.put(s, new int[queries.size()]);
                    complete.put(s, new int[queries.size()]);
                    modes.put(s, new java.util.TreeMap<>());
                }
                for (int i = 0; i < queries.size(); i++) {
                    // The first strategy of a query may warm OpenFGA's check cache for the others:
                    // rotating the order gives each strategy that advantage equally often.
                    for (int k = 0; k < STRATEGIES.length; k++) {
                        String s = STRATEGIES[(i + k) % STRATEGIES.length];
                        long t = System.nanoTime();
                        JsonNode body = search(service, a, queries.get(i), s);
                        latency.get(s)[i] = ms(t);
                        if (body == null) {
                            // An error (e.g. 503 when checks exceed their deadline) returns nothing.
                            errors.merge(s, 1, Integer::sum);
                            continue;
                        }
                        recall.get(s)[i] = oracle.get(a)
                                .get(i)
                                .recall(data, d -> BenchData.mayView(a, d), vectors.get(i), body.path("results"));
                        rounds.get(s)[i] =
                                body.path("diagnostics").path("rounds").asInt();
                        complete.get(s)[i] = body.path("stats").path("complete").asBoolean() ? 1 : 0;
                        modes.get(s)
                                .merge(
                                        body.path("diagnostics")
                                                        .path("strategy")
                                                        .asText() + " "
                                                + body.path("diagnostics")
                                                        .path("vectorSearch")
                                                        .asText(),
                                        1,
                                        Integer::sum);
                    }
                }
                for (String s : STRATEGIES) {
                    double[] sorted = latency.get(s).clone();
                    Arrays.sort(sorted);
                    rows.add(new Row(
                            s,
                            a,
                            sorted,
                            Arrays.stream(recall.get(s)).average().orElse(0),
                            Arrays.stream(recall.get(s)).min().orElse(0),
                            Arrays.stream(rounds.get(s)).average().orElse(0),
                            Arrays.stream(complete.get(s)).average().orElse(0),
                            modes.get(s).toString(),
                            errors.getOrDefault(s, 0)));
                }
            }
            String loadAtEnd = BenchService.loadAverage();
            print(
                    shape,
                    passages.size(),
                    queries.size(),
                    warm.size(),
                    embedMs,
                    sqlMs,
                    exactMs,
                    exactSearch,
                    checkMs,
                    annRecall,
                    rows,
                    loadAtStart,
                    loadAtEnd,
                    BenchData.seconds(started));
        }
        System.exit(0);
    }

    /** Milliseconds of one round-one nearest-chunks query per measured query, after a warm-up. */
    private static double[] timeNearest(
            ChunkSearchRepository chunks,
            List<float[]> vectors,
            List<String> queries,
            List<String> warm,
            boolean exact) {
        for (int i = 0; i < warm.size(); i++) {
            chunks.nearest(BenchData.TENANT, vectors.get(i), warm.get(i), TOP_K * 4, List.of(), exact);
        }
        double[] ms = new double[queries.size()];
        for (int i = 0; i < queries.size(); i++) {
            long t = System.nanoTime();
            chunks.nearest(BenchData.TENANT, vectors.get(i), queries.get(i), TOP_K * 4, List.of(), exact);
            ms[i] = ms(t);
        }
        return ms;
    }

    /** The response body, or null when the service answered with an error. */
    private static JsonNode search(BenchService service, Audience audience, String query, String strategy) {
        return service.search(audience.user, BenchData.TENANT, query, TOP_K, strategy);
    }

    private static double ms(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e6;
    }

    private static double[] sorted(double[] values) {
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static void print(
            BenchData.Shape shape,
            int passages,
            int queries,
            int warm,
            double[] embedMs,
            double[] sqlMs,
            double[] exactMs,
            boolean exactSearch,
            double[] checkMs,
            Map<Integer, Double> annRecall,
            List<Row> rows,
            String loadAtStart,
            String loadAtEnd,
            double seconds) {
        double[] embed = sorted(embedMs);
        double[] approximate = sorted(sqlMs);
        double[] exact = sorted(exactMs);
        double[] sql = exactSearch ? exact : approximate;
        double[] check = sorted(checkMs);
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "%n## Search benchmark%n%nMachine: %s. Load average (1 min): %s at start, %s at end. Run took %.0f s.%n",
                BenchService.machine(),
                loadAtStart,
                loadAtEnd,
                seconds));
        out.append(String.format(
                Locale.ROOT,
                "Corpus: %,d documents x %d chunks = %,d chunks derived from %,d embedded passages (noise %.2f);"
                        + " %d measured queries (%d warm-up), top-k %d, vector-only ranking.%n%n",
                shape.documents(),
                shape.chunksPerDocument(),
                shape.chunks(),
                passages,
                shape.noise(),
                queries,
                warm,
                TOP_K));
        out.append("| part | p50 ms | p95 ms |\n|---|---:|---:|\n");
        out.append(String.format(Locale.ROOT, "| query embedding | %.1f | %.1f |%n", q(embed, .5), q(embed, .95)));
        out.append(String.format(
                Locale.ROOT,
                "| one nearest-neighbour SQL query (%d rows, HNSW)%s | %.1f | %.1f |%n",
                TOP_K * 4,
                exactSearch ? "" : " (used by the searches)",
                q(approximate, .5),
                q(approximate, .95)));
        out.append(String.format(
                Locale.ROOT,
                "| one nearest-neighbour SQL query (%d rows, exact scan)%s | %.1f | %.1f |%n",
                TOP_K * 4,
                exactSearch ? " (used by the searches)" : "",
                q(exact, .5),
                q(exact, .95)));
        out.append(String.format(
                Locale.ROOT, "| one BatchCheck of 50 items | %.1f | %.1f |%n", q(check, .5), q(check, .95)));
        double parts50 = q(embed, .5) + q(sql, .5) + q(check, .5);
        double parts95 = q(embed, .95) + q(sql, .95) + q(check, .95);
        out.append(String.format(
                Locale.ROOT,
                "| sum of the parts (embedding, the SQL query used, BatchCheck) | %.1f | %.1f |%n%n",
                parts50,
                parts95));
        out.append("Approximate nearest-neighbour query alone (HNSW, ef_search = max(40, window), no filter),"
                + " recall@10 of its top 10 against the exact top 10: ");
        annRecall.forEach((window, r) -> out.append(String.format(Locale.ROOT, "window %d: %.3f; ", window, r)));
        out.append("\n\n");
        out.append("| strategy | selectivity | p50 ms | p95 ms | recall@10 | min recall@10 | mean rounds |"
                + " known complete | errors | path taken |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.0f | %.0f | %.3f | %.1f | %.2f | %.0f %% | %d | %s |%n",
                    r.strategy(),
                    r.audience().label,
                    q(r.ms(), .5),
                    q(r.ms(), .95),
                    r.recall(),
                    r.minRecall(),
                    r.rounds(),
                    100 * r.complete(),
                    r.errors(),
                    r.modes()));
        }
        Map<Audience, Row> adaptive = new EnumMap<>(Audience.class);
        rows.stream().filter(r -> r.strategy().equals("adaptive")).forEach(r -> adaptive.put(r.audience(), r));
        boolean recallMet = adaptive.values().stream().allMatch(r -> r.minRecall() >= 1.0);
        double p95At100 = q(adaptive.get(Audience.ALL).ms(), .95);
        double p95AtTenth = q(adaptive.get(Audience.TENTH).ms(), .95);
        out.append("\nGoals (adaptive):\n\n");
        out.append(String.format(
                Locale.ROOT,
                "- recall@10 = 1.00 at every selectivity: %s (%s)%n",
                recallMet ? "MET" : "MISSED",
                adaptive.values().stream()
                        .map(r -> String.format(
                                Locale.ROOT, "%s: mean %.3f, min %.1f", r.audience().label, r.recall(), r.minRecall()))
                        .reduce((x, y) -> x + "; " + y)
                        .orElse("")));
        out.append(String.format(
                Locale.ROOT,
                "- p95 at 100 %% <= 1.5 x sum of the parts' p95: %.0f ms vs %.0f ms: %s (ratio %.2f; against the parts' p50 sum: %.2f)%n",
                p95At100,
                1.5 * parts95,
                p95At100 <= 1.5 * parts95 ? "MET" : "MISSED",
                p95At100 / parts95,
                p95At100 / parts50));
        out.append(String.format(
                Locale.ROOT,
                "- p95 at 0.1 %% <= 3 x p95 at 100 %%: %.0f ms vs %.0f ms: %s (ratio %.2f)%n",
                p95AtTenth,
                3 * p95At100,
                p95AtTenth <= 3 * p95At100 ? "MET" : "MISSED",
                p95AtTenth / p95At100));
        System.out.println(out);
    }

    private static double q(double[] sorted, double quantile) {
        return BenchService.quantile(sorted, quantile);
    }
}
