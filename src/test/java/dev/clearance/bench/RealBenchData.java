package dev.clearance.bench;

import dev.clearance.access.DesiredTuple;
import dev.clearance.access.ObjectIds;
import dev.clearance.access.RelationshipStore;
import dev.clearance.embed.Embedder;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.sql.DataSource;

/**
 * The real search corpus of the benchmarks and load tests: passages of {@link RealCorpus} (distinct,
 * each with its own vector, no derived copies) in a tenant, searched by 1,024 users with grants as a
 * company would give them.
 *
 * <p><b>Documents.</b> Document {@code d} ({@code d00000}, ...) is passages {@code 10d} to {@code
 * 10d + 9}, in corpus order (consecutive passages of a source file make a coherent document), and
 * sits in folder {@code f<d mod 100>}. Tenant {@link #TENANT} takes the first {@code passages}
 * passages (100,000 chunks, 10,000 documents), tenant {@link #TENANT_10K} the first tenth of them
 * (10,000 chunks, 1,000 documents), with the same users and the same scheme, so the cost of the
 * corpus size can be compared.
 *
 * <p><b>Users</b> {@code u0000} ... {@code u1023}, user {@code u} in share class {@code u mod 4},
 * each gaining access through OpenFGA as a real company grants it:
 *
 * <ul>
 *   <li>{@link Share#ALL} (100 %): member of group {@code everyone}, which may view every folder;
 *   <li>{@link Share#TEN} (10 %): member of one of 10 department groups {@code dept-<g>} ({@code g =
 *       (u / 4) mod 10}), each a viewer of 10 folders ({@code f<10g>} to {@code f<10g + 9>});
 *   <li>{@link Share#ONE} (1 %): one folder {@code f<(u / 4) mod 100>}, as a member of that folder's
 *       team group {@code team-<folder>} (when {@code u / 4} is even) or as its direct viewer (odd);
 *   <li>{@link Share#TENTH} (0.1 %): direct viewer of 0.1 % of the tenant's documents (at least one),
 *       chosen per user at random with a fixed seed.
 * </ul>
 *
 * {@link #mayView} is the same rule in plain Java, for oracles that must not depend on OpenFGA.
 * Rows and tuples are written by {@link BenchRows}, skipping the rows when a tenant already holds
 * exactly its corpus. Run {@link #main} to load both tenants into servers named by the environment.
 */
public final class RealBenchData implements BenchRows.Corpus {

    public static final String TENANT = "real";
    public static final String TENANT_10K = "real10k";
    public static final int USERS = 1024;
    static final int CHUNKS_PER_DOCUMENT = 10;
    private static final int FOLDERS = 100;
    private static final long SEED = 20261206;

    /** The share of a tenant's documents a user may view. */
    public enum Share {
        ALL("100 %"),
        TEN("10 %"),
        ONE("1 %"),
        TENTH("0.1 %");

        public final String label;

        Share(String label) {
            this.label = label;
        }
    }

    private final String tenant;
    /** Passage texts; their vectors live in {@link #vectors} only. */
    private final List<BenchData.Passage> texts;
    /** Row-major unit vectors; may be longer than this tenant's chunks (shared with a larger one). */
    private final float[] vectors;

    private final int dimension;
    private final int documents;
    /** The documents each 0.1 % user views directly, sorted; empty for the other users. */
    private final int[][] direct = new int[USERS][];

    private final int[] viewable = new int[USERS];

    private RealBenchData(String tenant, List<BenchData.Passage> texts, float[] vectors, int dimension, int documents) {
        this.tenant = tenant;
        this.texts = texts;
        this.vectors = vectors;
        this.dimension = dimension;
        this.documents = documents;
        int perUser = Math.max(1, documents / 1000);
        for (int u = 0; u < USERS; u++) {
            direct[u] = new int[0];
            if (share(u) == Share.TENTH) {
                Random random = new Random(SEED + u);
                direct[u] = random.ints(0, documents)
                        .distinct()
                        .limit(perUser)
                        .sorted()
                        .toArray();
            }
            int n = 0;
            for (int d = 0; d < documents; d++) {
                if (mayView(u, d)) {
                    n++;
                }
            }
            viewable[u] = n;
        }
    }

    /** Both tenants, from the first {@code passages} passages of the cache that have vectors. */
    public record Tenants(RealBenchData full, RealBenchData tenth, int requested, int embedded) {
        public List<RealBenchData> both() {
            return List.of(full, tenth);
        }

        public String describe() {
            return String.format(
                    Locale.ROOT,
                    "%,d passages used (%,d requested, %,d with vectors so far): tenant %s %,d chunks (%,d documents),"
                            + " tenant %s %,d chunks (%,d documents); %,d users, %d per share class",
                    full.chunks(),
                    requested,
                    embedded,
                    full.tenant(),
                    full.chunks(),
                    full.documents(),
                    tenth.tenant(),
                    tenth.chunks(),
                    tenth.documents(),
                    USERS,
                    USERS / Share.values().length);
        }
    }

    /**
     * The two tenants from the first {@code passages} passages that have vectors, rounded down to a
     * multiple of 1,000 (so both tenants have whole documents): with fewer passages embedded so far,
     * both tenants shrink in proportion.
     */
    public static Tenants load(Path cache, String model, int dimension, int passages) {
        List<BenchData.Passage> loaded = RealCorpus.load(cache, model, dimension, passages);
        int used = loaded.size() / 1000 * 1000;
        if (used == 0) {
            throw new IllegalStateException("fewer than 1,000 passages of " + cache
                    + " have vectors yet: run scripts/bench-corpus.sh (or wait for it)");
        }
        float[] vectors = new float[used * dimension];
        List<BenchData.Passage> texts = new ArrayList<>(used);
        for (int i = 0; i < used; i++) {
            BenchData.Passage p = loaded.get(i);
            System.arraycopy(p.vector(), 0, vectors, i * dimension, dimension);
            texts.add(new BenchData.Passage(p.title(), p.text(), p.tokens(), null));
        }
        loaded = null;
        int documents = used / CHUNKS_PER_DOCUMENT;
        return new Tenants(
                new RealBenchData(TENANT, texts, vectors, dimension, documents),
                new RealBenchData(TENANT_10K, texts, vectors, dimension, documents / 10),
                passages,
                countEmbedded(cache, model, dimension));
    }

    private static int countEmbedded(Path cache, String model, int dimension) {
        try {
            Path file = RealCorpus.vectorsFile(cache, model);
            return java.nio.file.Files.exists(file) ? (int) (java.nio.file.Files.size(file) / (4L * dimension)) : 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The cache of the real corpus: {@code CLEARANCE_BENCH_CACHE}, else the product's default. */
    public static Path cache() {
        String dir = System.getenv("CLEARANCE_BENCH_CACHE");
        return Path.of(dir == null || dir.isBlank() ? "/var/cache/clearance/bench-corpus" : dir);
    }

    public static String user(int u) {
        return String.format(Locale.ROOT, "u%04d", u);
    }

    public static Share share(int u) {
        return Share.values()[u % Share.values().length];
    }

    /** The grants below, in plain Java: may user {@code u} view document {@code d}? */
    public boolean mayView(int u, int d) {
        int folder = d % FOLDERS;
        return switch (share(u)) {
            case ALL -> true;
            case TEN -> folder / 10 == department(u);
            case ONE -> folder == (u / 4) % FOLDERS;
            case TENTH -> Arrays.binarySearch(direct[u], d) >= 0;
        };
    }

    /** How many chunks user {@code u} may view. */
    public int viewableChunks(int u) {
        return viewable[u] * CHUNKS_PER_DOCUMENT;
    }

    /** Users with the same key may view the same documents (the oracle computes once per key). */
    public String visibility(int u) {
        return switch (share(u)) {
            case ALL -> "all";
            case TEN -> "dept-" + department(u);
            case ONE -> "folder-" + (u / 4) % FOLDERS;
            case TENTH -> "user-" + u;
        };
    }

    private static int department(int u) {
        return (u / 4) % 10;
    }

    @Override
    public List<DesiredTuple> tuples() {
        List<DesiredTuple> tuples = new ArrayList<>();
        String everyone = group("everyone");
        for (int f = 0; f < FOLDERS; f++) {
            String folder = ObjectIds.scoped("folder", tenant, BenchData.folderId(f));
            tuples.add(new DesiredTuple(everyone + "#member", "viewer", folder));
            tuples.add(new DesiredTuple(group("dept-" + f / 10) + "#member", "viewer", folder));
            tuples.add(new DesiredTuple(group("team-" + BenchData.folderId(f)) + "#member", "viewer", folder));
        }
        for (int u = 0; u < USERS; u++) {
            String user = "user:" + user(u);
            switch (share(u)) {
                case ALL -> tuples.add(new DesiredTuple(user, "member", everyone));
                case TEN -> tuples.add(new DesiredTuple(user, "member", group("dept-" + department(u))));
                case ONE -> {
                    String folder = BenchData.folderId((u / 4) % FOLDERS);
                    if ((u / 4) % 2 == 0) {
                        tuples.add(new DesiredTuple(user, "member", group("team-" + folder)));
                    } else {
                        tuples.add(new DesiredTuple(user, "viewer", ObjectIds.scoped("folder", tenant, folder)));
                    }
                }
                case TENTH -> {
                    for (int d : direct[u]) {
                        tuples.add(new DesiredTuple(
                                user, "viewer", ObjectIds.scoped("document", tenant, BenchData.id(d))));
                    }
                }
            }
        }
        for (int d = 0; d < documents; d++) {
            tuples.add(new DesiredTuple(
                    ObjectIds.scoped("folder", tenant, folder(d)),
                    "parent",
                    ObjectIds.scoped("document", tenant, BenchData.id(d))));
        }
        return tuples;
    }

    private String group(String name) {
        return ObjectIds.scoped("group", tenant, name);
    }

    @Override
    public String tenant() {
        return tenant;
    }

    @Override
    public int documents() {
        return documents;
    }

    @Override
    public int chunksPerDocument() {
        return CHUNKS_PER_DOCUMENT;
    }

    @Override
    public String documentId(int document) {
        return BenchData.id(document);
    }

    @Override
    public String folder(int document) {
        return BenchData.folderId(document % FOLDERS);
    }

    @Override
    public String title(int document) {
        return texts.get(document * CHUNKS_PER_DOCUMENT).title();
    }

    @Override
    public String text(int chunk) {
        return texts.get(chunk).text();
    }

    @Override
    public int tokens(int chunk) {
        return texts.get(chunk).tokens();
    }

    @Override
    public float[] vectors() {
        return vectors;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    /**
     * Loads both tenants into the servers named by the environment (as {@link BenchData#main}):
     * {@code DB_URL}, {@code DB_USER}, {@code DB_PASSWORD}, {@code FGA_API_URL}, {@code
     * FGA_STORE_NAME}; the corpus from {@code CLEARANCE_BENCH_CACHE}. Argument: {@code
     * [passages=100000]}.
     */
    public static void main(String[] args) {
        int passages = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        try (ApplicationContext context = BenchData.loaderContext()) {
            Embedder embedder = context.getBean(Embedder.class);
            Tenants tenants = load(cache(), embedder.modelName(), embedder.dimension(), passages);
            System.out.println("real bench data: " + tenants.describe());
            BenchRows.load(
                    context.getBean(DataSource.class),
                    context.getBean(RelationshipStore.class),
                    embedder.modelName(),
                    tenants.both());
        }
    }
}
