package dev.clearance.bench;

import dev.clearance.access.AccessPaths;
import dev.clearance.access.AccessReview;
import dev.clearance.access.ObjectIds;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * What explainable access costs (ADR 0012), in one run on one machine. Not a test: run it with
 * {@code scripts/bench.sh review [documents=1000,10000,40000] [baseline=list|none]} (see
 * docs/benchmarks.md). {@code none} skips the list baseline, so the export alone can be run in a
 * heap far smaller than the export ({@code BENCH_JAVA_OPTS=-Xmx192m}).
 *
 * <ol>
 *   <li><b>Review export</b>: for tenants of each size, the whole tenant exported as JSON lines over
 *       HTTP ({@code GET /v1/access/review}), read and counted by a client in this process: time,
 *       lines, bytes; then again while a sampler forces a collection every 100 ms and records the
 *       live heap, so the peak live heap above the idle heap is what the export holds. Baseline in
 *       the same run: the same review's rows collected in a list, as an export that builds its
 *       answer before sending it would hold them.
 *   <li><b>Explanations</b>: what {@code explain: true} adds to a search of 10 results (one read of
 *       the desired state for all of them, {@code AccessPaths.shortestFor}), and what one
 *       explanation reads ({@code AccessPaths.reaches}), over random documents of the largest tenant.
 * </ol>
 *
 * <p>Tenants are written straight into the desired state, already marked synced, so neither the
 * sync nor OpenFGA take part: both measured paths read only PostgreSQL. Shape of each tenant: 40
 * folders in a tree three deep, each granting view to one of 30 groups (nested two deep, 10
 * members each), 2,000 users; every document in a random folder and, for one in three, viewable by
 * one user directly.
 */
public final class ReviewBenchmark {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    public static void main(String[] args) throws Exception {
        int[] sizes = Arrays.stream((args.length > 0 ? args[0] : "1000,10000,40000").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        boolean baseline = args.length < 2 || !args[1].equals("none");
        System.out.println("# Access review and explanation cost");
        System.out.println();
        System.out.println("Machine: " + BenchService.machine() + "; max heap "
                + MEMORY.getHeapMemoryUsage().getMax() / (1 << 20) + " MiB; load average at start "
                + BenchService.loadAverage());
        try (BenchService service = new BenchService(Map.of("clearance.access.reconcile-interval", "0s"))) {
            DataSource db = service.bean(DataSource.class);
            String run = Long.toString(System.currentTimeMillis(), 36);
            List<String> tenants = new ArrayList<>();
            for (int size : sizes) {
                String tenant = "review-" + run + "-" + size;
                long started = System.nanoTime();
                load(db, tenant, size);
                System.err.printf(Locale.ROOT, "loaded %s in %.1f s%n", tenant, (System.nanoTime() - started) / 1e9);
                tenants.add(tenant);
            }
            System.out.println();
            System.out.println("## Review export (JSON lines over HTTP, whole tenant)");
            System.out.println();
            System.out.println("| documents | lines | MiB sent | seconds | lines/s | peak live heap above idle, MiB"
                    + " | rows held in a list (baseline), MiB |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
            for (int i = 0; i < sizes.length; i++) {
                String tenant = tenants.get(i);
                String token = service.token("auditor", tenant, "audit:read");
                export(service, token); // warm-up: classes, JIT, the pool's connections
                long t0 = System.nanoTime();
                long[] counted = export(service, token);
                double seconds = (System.nanoTime() - t0) / 1e9;
                long idle = liveHeap();
                AtomicLong peak = new AtomicLong(idle);
                Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        peak.accumulateAndGet(liveHeap(), Math::max);
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                export(service, token);
                sampler.interrupt();
                sampler.join();
                double listed = baseline ? heldInAList(service.bean(AccessReview.class), tenant) : Double.NaN;
                System.out.printf(
                        Locale.ROOT,
                        "| %,d | %,d | %.1f | %.2f | %,.0f | %.1f | %.1f |%n",
                        sizes[i],
                        counted[0],
                        counted[1] / 1048576.0,
                        seconds,
                        counted[0] / seconds,
                        (peak.get() - idle) / 1048576.0,
                        listed);
            }
            explanations(service.bean(AccessPaths.class), tenants.getLast(), sizes[sizes.length - 1]);
        }
        System.out.println();
        System.out.println("Load average at end: " + BenchService.loadAverage());
    }

    /** Reads an export to its end; returns {lines, bytes}. */
    private static long[] export(BenchService service, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(service.url() + "/v1/access/review"))
                .timeout(Duration.ofMinutes(30))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build();
        HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("export answered " + response.statusCode());
        }
        long lines = 0;
        long bytes = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = response.body()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                bytes += n;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        return new long[] {lines, bytes};
    }

    /** Heap in use right after a full collection: what is reachable, not what is merely allocated. */
    private static long liveHeap() {
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    /** The live heap, in MiB, that holding all the review's rows at once takes. */
    private static double heldInAList(AccessReview review, String tenant) {
        long before = liveHeap();
        List<AccessReview.Row> all = new ArrayList<>();
        try (AccessReview.Cursor cursor = review.open(tenant, null)) {
            for (List<AccessReview.Row> rows; (rows = cursor.next()) != null; ) {
                all.addAll(rows);
            }
        }
        long held = liveHeap() - before;
        if (all.isEmpty()) {
            throw new IllegalStateException("no rows for " + tenant);
        }
        return held / 1048576.0;
    }

    private static void explanations(AccessPaths paths, String tenant, int documents) {
        Random random = new Random(7);
        int rounds = 300;
        double[] search = new double[rounds];
        double[] single = new double[rounds];
        for (int r = -50; r < rounds; r++) {
            List<String> ten = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ten.add("doc-" + random.nextInt(documents));
            }
            String user = "user:u" + random.nextInt(2000);
            long t0 = System.nanoTime();
            Map<String, Map<String, List<AccessPaths.Step>>> found = paths.shortestFor(tenant, ten, List.of(user));
            long t1 = System.nanoTime();
            List<AccessPaths.Reach> reaches = paths.reaches(tenant, ten.get(0));
            long t2 = System.nanoTime();
            if (found.size() != new java.util.HashSet<>(ten).size() || reaches.isEmpty()) {
                throw new IllegalStateException("no paths for " + ten);
            }
            if (r >= 0) {
                search[r] = (t1 - t0) / 1e6;
                single[r] = (t2 - t1) / 1e6;
            }
        }
        Arrays.sort(search);
        Arrays.sort(single);
        System.out.println();
        System.out.printf(
                Locale.ROOT, "## Explanations (%,d-document tenant, %d rounds after 50 warm-up)%n", documents, rounds);
        System.out.println();
        System.out.println("| what | p50 ms | p95 ms | per result, p50 ms |");
        System.out.println("|---|---:|---:|---:|");
        System.out.printf(
                Locale.ROOT,
                "| explain: true on a search of 10 results (one read for all) | %.2f | %.2f | %.2f |%n",
                BenchService.quantile(search, 0.5),
                BenchService.quantile(search, 0.95),
                BenchService.quantile(search, 0.5) / 10);
        System.out.printf(
                Locale.ROOT,
                "| paths of one document, all readers (explain and who endpoints) | %.2f | %.2f | %.2f |%n",
                BenchService.quantile(single, 0.5),
                BenchService.quantile(single, 0.95),
                BenchService.quantile(single, 0.5));
    }

    /** Writes a tenant's folders, groups and documents straight into the desired state, as synced. */
    private static void load(DataSource db, String tenant, int documents) throws SQLException {
        Random random = new Random(documents);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement object = c.prepareStatement(
                            "INSERT INTO access_objects (object, tenant, version, synced_version) VALUES (?, ?, 1, 1)");
                    PreparedStatement tuple =
                            c.prepareStatement("INSERT INTO desired_tuples (object, relation, subject) VALUES (?, ?, ?)"
                                    + " ON CONFLICT DO NOTHING")) {
                Batch batch = new Batch(object, tuple, tenant);
                for (int g = 0; g < 30; g++) {
                    String group = "group:" + tenant + "/g" + g;
                    batch.object(group);
                    for (int m = 0; m < 10; m++) {
                        batch.tuple(group, "member", "user:u" + random.nextInt(2000));
                    }
                    if (g >= 10) {
                        // Groups 10..29 are members of groups 3..9: paths through two levels of groups.
                        batch.tuple("group:" + tenant + "/g" + (g / 3), "member", group + "#member");
                    }
                }
                for (int f = 0; f < 40; f++) {
                    String folder = "folder:" + tenant + "/f" + f;
                    batch.object(folder);
                    if (f > 0) {
                        batch.tuple(folder, "parent", "folder:" + tenant + "/f" + ((f - 1) / 3));
                    }
                    batch.tuple(folder, "viewer", "group:" + tenant + "/g" + random.nextInt(30) + "#member");
                }
                for (int d = 0; d < documents; d++) {
                    String document = ObjectIds.document(tenant, "doc-" + d);
                    batch.object(document);
                    batch.tuple(document, "parent", "folder:" + tenant + "/f" + random.nextInt(40));
                    if (d % 3 == 0) {
                        batch.tuple(document, "viewer", "user:u" + random.nextInt(2000));
                    }
                    batch.flushEvery(2000);
                }
                batch.flush();
            }
            c.commit();
        }
    }

    /** Objects before their tuples (the foreign key), sent in batches. */
    private static final class Batch {
        private final PreparedStatement objects;
        private final PreparedStatement tuples;
        private final String tenant;
        private int pending;

        Batch(PreparedStatement objects, PreparedStatement tuples, String tenant) {
            this.objects = objects;
            this.tuples = tuples;
            this.tenant = tenant;
        }

        void object(String object) throws SQLException {
            objects.setString(1, object);
            objects.setString(2, tenant);
            objects.addBatch();
            pending++;
        }

        void tuple(String object, String relation, String subject) throws SQLException {
            tuples.setString(1, object);
            tuples.setString(2, relation);
            tuples.setString(3, subject);
            tuples.addBatch();
            pending++;
        }

        void flushEvery(int size) throws SQLException {
            if (pending >= size) {
                flush();
            }
        }

        void flush() throws SQLException {
            objects.executeBatch();
            tuples.executeBatch();
            pending = 0;
        }
    }
}
