package dev.clearance.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clearance.chunk.Chunk;
import dev.clearance.chunk.Chunker;
import dev.clearance.embed.Embedder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Ingestion throughput against the model's own speed, in one run on one machine. Not a test: run
 * it with {@code scripts/bench.sh ingest} (see docs/benchmarks.md). It prints Markdown tables.
 *
 * <ol>
 *   <li><b>Raw</b>: the service's own {@link Embedder} bean (same threads and batch size as
 *       ingestion) embeds exactly the texts ingestion embeds ({@link Chunker#chunk(String, String)},
 *       then {@link Chunker#embeddingText}) in one call: the fastest the model goes here.
 *   <li><b>Chunking</b>: the same documents cut by the service's {@link Chunker} on one thread: the
 *       cost of cl100k token and word-piece counting.
 *   <li><b>End to end</b>: the same documents sent to the running service as the ingest job sends
 *       them ({@code POST /v1/documents/batch}, 10 documents per request, 2 requests in flight),
 *       until every document's grants are in OpenFGA (outbox drained) and so searchable.
 * </ol>
 *
 * <p>Arguments (all optional): {@code [corpusDir] [documents=all] [concurrency=2] [batch=10]}.
 */
public final class IngestBenchmark {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "ingest-jobs/corpus/docs");
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 10;

        List<BenchData.SourceDocument> corpus = BenchData.corpus(dir);
        List<BenchData.SourceDocument> docs = corpus.subList(0, Math.min(limit, corpus.size()));
        String loadAtStart = BenchService.loadAverage();
        long started = System.nanoTime();
        try (BenchService service = new BenchService(Map.of())) {
            Embedder embedder = service.bean(Embedder.class);
            Chunker chunker = service.bean(Chunker.class);
            MeterRegistry meters = service.bean(MeterRegistry.class);

            // Warm-up: JIT, the ONNX model, tokenizers.
            List<String> warm = new ArrayList<>();
            for (BenchData.SourceDocument d : corpus.subList(corpus.size() - 5, corpus.size())) {
                chunker.chunk(d.text(), d.title()).forEach(c -> warm.add(chunker.embeddingText(d.title(), c.text())));
            }
            embedder.embedAll(warm.subList(0, Math.min(64, warm.size())));

            long chunkingStarted = System.nanoTime();
            long chunkingCpu = cpu();
            List<String> texts = new ArrayList<>();
            for (BenchData.SourceDocument d : docs) {
                for (Chunk c : chunker.chunk(d.text(), d.title())) {
                    texts.add(chunker.embeddingText(d.title(), c.text()));
                }
            }
            double chunkingSeconds = BenchData.seconds(chunkingStarted);
            double chunkingCpuSeconds = (cpu() - chunkingCpu) / 1e9;

            long rawStarted = System.nanoTime();
            long rawCpu = cpu();
            embedder.embedAll(texts);
            double rawSeconds = BenchData.seconds(rawStarted);
            double rawCpuSeconds = (cpu() - rawCpu) / 1e9;

            // End to end, in a tenant of its own.
            String tenant = "ingest" + UUID.randomUUID().toString().substring(0, 8);
            String token = service.token("bench-ingest", tenant, "documents:write");
            Timer chunkingTimer =
                    Timer.builder("clearance.ingest.chunking.duration").register(meters);
            Timer embeddingTimer = Timer.builder("clearance.embedding.duration").register(meters);
            double chunkingBefore = chunkingTimer.totalTime(TimeUnit.SECONDS);
            double embeddingBefore = embeddingTimer.totalTime(TimeUnit.SECONDS);
            ExecutorService pool = Executors.newFixedThreadPool(concurrency);
            long e2eStarted = System.nanoTime();
            long e2eCpu = cpu();
            List<Future<?>> sent = new ArrayList<>();
            for (int from = 0; from < docs.size(); from += batch) {
                List<BenchData.SourceDocument> slice = docs.subList(from, Math.min(docs.size(), from + batch));
                sent.add(pool.submit(() -> send(service, token, dir, slice)));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            double acceptedSeconds = BenchData.seconds(e2eStarted);
            DataSource db = service.bean(DataSource.class);
            while (!searchable(db, tenant, docs.size())) {
                Thread.sleep(20);
            }
            double e2eSeconds = BenchData.seconds(e2eStarted);
            double e2eCpuSeconds = (cpu() - e2eCpu) / 1e9;
            pool.shutdown();
            long stored = chunks(db, tenant);
            double chunkingInService = chunkingTimer.totalTime(TimeUnit.SECONDS) - chunkingBefore;
            double embeddingInService = embeddingTimer.totalTime(TimeUnit.SECONDS) - embeddingBefore;

            double raw = texts.size() / rawSeconds;
            double e2e = stored / e2eSeconds;
            StringBuilder out = new StringBuilder();
            out.append(String.format(
                    Locale.ROOT,
                    "%n## Ingest benchmark%n%nMachine: %s. Load average (1 min): %s at start, %s at end. Run took %.0f s.%n",
                    BenchService.machine(),
                    loadAtStart,
                    BenchService.loadAverage(),
                    BenchData.seconds(started)));
            out.append(String.format(
                    Locale.ROOT,
                    "Corpus: %d of %d documents of %s, %,d chunks. Embedder: %s. HTTP: batches of %d, %d in flight.%n%n",
                    docs.size(),
                    corpus.size(),
                    dir,
                    texts.size(),
                    embedder.modelName(),
                    batch,
                    concurrency));
            out.append("| measurement | chunks | seconds | chunks/s | CPU s (process) |\n|---|---:|---:|---:|---:|\n");
            out.append(String.format(
                    Locale.ROOT,
                    "| raw embedding (Embedder.embedAll) | %,d | %.1f | %.1f | %.1f |%n",
                    texts.size(),
                    rawSeconds,
                    raw,
                    rawCpuSeconds));
            out.append(String.format(
                    Locale.ROOT,
                    "| end to end (HTTP until searchable) | %,d | %.1f | %.1f | %.1f |%n",
                    stored,
                    e2eSeconds,
                    e2e,
                    e2eCpuSeconds));
            out.append(String.format(
                    Locale.ROOT,
                    "| chunking only (one thread) | %,d | %.1f | %.1f | %.1f |%n%n",
                    texts.size(),
                    chunkingSeconds,
                    texts.size() / chunkingSeconds,
                    chunkingCpuSeconds));
            out.append(String.format(
                    Locale.ROOT,
                    "- all batches answered after %.1f s; outbox drained (all searchable) after %.1f s%n",
                    acceptedSeconds,
                    e2eSeconds));
            out.append(String.format(
                    Locale.ROOT,
                    "- ratio end to end / raw: %.2f (goal >= 0.90: %s)%n",
                    e2e / raw,
                    e2e / raw >= 0.9 ? "MET" : "MISSED"));
            out.append(String.format(
                    Locale.ROOT,
                    "- ratio by CPU time per chunk (raw CPU s / end-to-end CPU s; less sensitive to other load on"
                            + " the machine, but blind to PostgreSQL and OpenFGA): %.2f%n",
                    rawCpuSeconds / e2eCpuSeconds));
            out.append(String.format(
                    Locale.ROOT,
                    "- token counting (chunking) share, standalone: %.1f s of %.1f s chunking + raw embedding = %.1f %%%n",
                    chunkingSeconds,
                    chunkingSeconds + rawSeconds,
                    100 * chunkingSeconds / (chunkingSeconds + rawSeconds)));
            out.append(String.format(
                    Locale.ROOT,
                    "- inside the service: clearance.ingest.chunking.duration %.1f s, clearance.embedding.duration %.1f s"
                            + " (summed over request threads) in %.1f s of wall time; chunking = %.1f %% of ingest"
                            + " wall time, %.1f %% of chunking + embedding time%n",
                    chunkingInService,
                    embeddingInService,
                    e2eSeconds,
                    100 * chunkingInService / e2eSeconds,
                    100 * chunkingInService / (chunkingInService + embeddingInService)));
            System.out.println(out);
        }
        System.exit(0);
    }

    /** One batch request, as the ingest job builds it: a folder per directory, Markdown text. */
    private static void send(BenchService service, String token, Path dir, List<BenchData.SourceDocument> slice) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (BenchData.SourceDocument d : slice) {
            String relative = dir.relativize(d.path()).toString().replace('\\', '/');
            String id = relative.replaceAll("[^A-Za-z0-9._~@=+-]", "~");
            int slash = relative.lastIndexOf('/');
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("title", d.title());
            body.put("text", d.text());
            body.put("mimeType", "text/markdown");
            body.put("source", relative);
            if (slash > 0) {
                body.put("folder", relative.substring(0, slash).replace('/', '~'));
            }
            body.put("viewers", List.of("user:bench-ingest"));
            items.add(Map.of("id", id, "document", body));
        }
        JsonNode result = service.call("POST", "/v1/documents/batch", token, Map.of("documents", items));
        if (result.path("failed").asInt() != 0) {
            throw new IllegalStateException("batch had failures: " + result);
        }
    }

    private static boolean searchable(DataSource db, String tenant, int expected) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT count(*) FILTER (WHERE acl_synced_version = acl_version),"
                                + " (SELECT count(*) FROM access_objects o WHERE o.tenant = ? AND o.synced_version < o.version)"
                                + " FROM documents WHERE tenant = ?")) {
            s.setString(1, tenant);
            s.setString(2, tenant);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1) == expected && rs.getLong(2) == 0;
            }
        }
    }

    private static long chunks(DataSource db, String tenant) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM chunks WHERE tenant = ?")) {
            s.setString(1, tenant);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** CPU time of the whole process (all threads, ONNX Runtime's included), in nanoseconds. */
    private static long cpu() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }
}
