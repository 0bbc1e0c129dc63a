package dev.clearance.bench;

import dev.clearance.access.DesiredTuple;
import dev.clearance.access.ObjectIds;
import dev.clearance.access.RelationshipStore;
import dev.clearance.chunk.Chunk;
import dev.clearance.chunk.Chunker;
import dev.clearance.embed.Embedder;
import io.micronaut.context.ApplicationContext;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * The synthetic search corpus of the benchmarks and load tests, derived from real passages.
 *
 * <p><b>Passages.</b> The Markdown files of the corpus directory are cut by the product's {@link
 * Chunker} exactly as ingestion cuts them; {@code passages} of those chunks, spread evenly over the
 * corpus, are embedded once by the service's own {@link Embedder} (title line plus chunk, as
 * ingestion embeds them) and cached in a file, because embedding 100,000 passages on a small CPU
 * takes the better part of an hour.
 *
 * <p><b>Derived documents.</b> Document {@code d} ({@code d00000}, {@code d00001}, ...) has {@code
 * chunksPerDocument} chunks taken from consecutive passages starting at a random passage. Each chunk
 * keeps the real passage text; its vector is the real passage vector plus Gaussian noise of norm
 * about {@code noise}, renormalised. So every passage appears in many documents with slightly
 * different vectors: the corpus has the size of a large tenant, but only as many distinct topics as
 * the embedded passages.
 *
 * <p><b>Grants</b>, in tenant {@link #TENANT}: document {@code d} sits in folder {@code f<d mod
 * 100>}. Four users see 100 %, 10 %, 1 % and 0.1 % of the documents, each through a different
 * mechanism: {@code bench-all} is a member of group {@code everyone}, which may view all 100
 * folders; {@code bench-10} may view folders f00–f09 (exactly 1,000 documents, which is OpenFGA's
 * ListObjects cap); {@code bench-1} may view folder f10; {@code bench-01} is a direct viewer of the
 * first ten documents of folder f11. {@link #mayView} is the same rule in plain Java, for oracles
 * that must not depend on OpenFGA.
 *
 * <p>Rows are written straight to PostgreSQL with {@code COPY} (documents marked as synced, so they
 * are searchable without the outbox), tuples straight to OpenFGA and, as the service's desired
 * state, to PostgreSQL. Run {@link #main} to load the
 * corpus into servers named by {@code DB_URL}, {@code DB_USER}, {@code DB_PASSWORD} and {@code
 * FGA_API_URL}.
 */
public final class BenchData implements BenchRows.Corpus {

    public static final String TENANT = "bench";
    private static final int FOLDERS = 100;
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*$");

    /** Who sees how much. {@code share} is the fraction of documents the user may view. */
    public enum Audience {
        ALL("bench-all", "100 %", 1.0),
        TEN("bench-10", "10 %", 0.1),
        ONE("bench-1", "1 %", 0.01),
        TENTH("bench-01", "0.1 %", 0.001);

        public final String user;
        public final String label;
        public final double share;

        Audience(String user, String label, double share) {
            this.user = user;
            this.label = label;
            this.share = share;
        }
    }

    /** A real passage: the document title, the chunk text, its cl100k tokens and its vector. */
    public record Passage(String title, String text, int tokens, float[] vector) {}

    /** Shape of the derived corpus. */
    public record Shape(int documents, int chunksPerDocument, double noise, long seed) {
        public int chunks() {
            return documents * chunksPerDocument;
        }
    }

    public static final Shape DEFAULT_SHAPE = new Shape(10_000, 10, 0.25, 42);

    private final List<Passage> passages;
    private final Shape shape;
    /** Row-major unit vectors of all derived chunks: chunk {@code d * chunksPerDocument + j}. */
    private final float[] vectors;
    /** Which passage each derived chunk copies. */
    private final int[] passageOf;

    private BenchData(List<Passage> passages, Shape shape) {
        this.passages = passages;
        this.shape = shape;
        int dim = passages.getFirst().vector().length;
        this.vectors = new float[shape.chunks() * dim];
        this.passageOf = new int[shape.chunks()];
        Random random = new Random(shape.seed());
        for (int d = 0; d < shape.documents(); d++) {
            int start = random.nextInt(passages.size());
            for (int j = 0; j < shape.chunksPerDocument(); j++) {
                int chunk = d * shape.chunksPerDocument() + j;
                int p = (start + j) % passages.size();
                passageOf[chunk] = p;
                float[] base = passages.get(p).vector();
                double norm = 0;
                int offset = chunk * dim;
                double scale = shape.noise() / Math.sqrt(dim);
                for (int i = 0; i < dim; i++) {
                    double v = base[i] + random.nextGaussian() * scale;
                    vectors[offset + i] = (float) v;
                    norm += v * v;
                }
                float inverse = (float) (1.0 / Math.sqrt(norm));
                for (int i = 0; i < dim; i++) {
                    vectors[offset + i] *= inverse;
                }
            }
        }
    }

    public static BenchData derive(List<Passage> passages, Shape shape) {
        return new BenchData(passages, shape);
    }

    public Shape shape() {
        return shape;
    }

    @Override
    public int dimension() {
        return passages.getFirst().vector().length;
    }

    @Override
    public float[] vectors() {
        return vectors;
    }

    public Passage passageOfChunk(int chunk) {
        return passages.get(passageOf[chunk]);
    }

    /** The id of document {@code d} in the bench corpora: {@code d00000}, {@code d00001}, ... */
    public static String id(int d) {
        return String.format("d%05d", d);
    }

    public static int documentIndex(String id) {
        return Integer.parseInt(id.substring(1));
    }

    static String folderId(int f) {
        return String.format("f%02d", f);
    }

    /** The grants below, in plain Java: may {@code audience} view document {@code d}? */
    public static boolean mayView(Audience audience, int d) {
        int folder = d % FOLDERS;
        return switch (audience) {
            case ALL -> true;
            case TEN -> folder < 10;
            case ONE -> folder == 10;
            case TENTH -> folder == 11 && d / FOLDERS < 10;
        };
    }

    /** The tuples that implement {@link #mayView}, tenant-scoped as the service stores them. */
    @Override
    public List<DesiredTuple> tuples() {
        List<DesiredTuple> tuples = new ArrayList<>();
        String everyone = ObjectIds.scoped("group", TENANT, "everyone");
        tuples.add(new DesiredTuple("user:" + Audience.ALL.user, "member", everyone));
        for (int f = 0; f < FOLDERS; f++) {
            String folder = ObjectIds.scoped("folder", TENANT, folderId(f));
            tuples.add(new DesiredTuple(everyone + "#member", "viewer", folder));
            if (f < 10) {
                tuples.add(new DesiredTuple("user:" + Audience.TEN.user, "viewer", folder));
            } else if (f == 10) {
                tuples.add(new DesiredTuple("user:" + Audience.ONE.user, "viewer", folder));
            }
        }
        for (int d = 0; d < shape.documents(); d++) {
            String document = ObjectIds.scoped("document", TENANT, id(d));
            tuples.add(new DesiredTuple(ObjectIds.scoped("folder", TENANT, folderId(d % FOLDERS)), "parent", document));
            if (d % FOLDERS == 11 && d / FOLDERS < 10) {
                tuples.add(new DesiredTuple("user:" + Audience.TENTH.user, "viewer", document));
            }
        }
        return tuples;
    }

    /**
     * Writes documents, chunks and tuples unless the tenant already holds exactly this corpus (see
     * {@link BenchRows#load}).
     */
    public void load(DataSource dataSource, RelationshipStore relationships, String modelName) {
        BenchRows.load(dataSource, relationships, modelName, List.of(this));
    }

    @Override
    public String tenant() {
        return TENANT;
    }

    @Override
    public int documents() {
        return shape.documents();
    }

    @Override
    public int chunksPerDocument() {
        return shape.chunksPerDocument();
    }

    @Override
    public String documentId(int document) {
        return id(document);
    }

    @Override
    public String folder(int document) {
        return folderId(document % FOLDERS);
    }

    @Override
    public String title(int document) {
        return passageOfChunk(document * shape.chunksPerDocument()).title();
    }

    @Override
    public String text(int chunk) {
        return passageOfChunk(chunk).text();
    }

    @Override
    public int tokens(int chunk) {
        return passageOfChunk(chunk).tokens();
    }

    // ---- Passages and queries from the corpus -------------------------------------------------

    /** The corpus's Markdown files, sorted by path, with their titles (first heading, else file name). */
    public record SourceDocument(Path path, String title, String text) {}

    public static List<SourceDocument> corpus(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            List<SourceDocument> out = new ArrayList<>();
            for (Path file :
                    files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                var heading = HEADING.matcher(text);
                String name = file.getFileName().toString();
                String title = heading.find() ? heading.group(1) : name.substring(0, name.length() - 3);
                out.add(new SourceDocument(file, title, text));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code count} passages, spread evenly over the corpus's chunks, with vectors from {@code
     * embedder}; read from {@code cache} when it holds the same count and model, else embedded and
     * written there.
     */
    public static List<Passage> passages(Path dir, int count, Chunker chunker, Embedder embedder, Path cache) {
        List<Passage> cached = readCache(cache, count, embedder.modelName());
        if (cached != null) {
            System.out.printf("bench data: %,d passage vectors read from %s%n", cached.size(), cache.getFileName());
            return cached;
        }
        List<String[]> all = new ArrayList<>();
        for (SourceDocument doc : corpus(dir)) {
            for (Chunk chunk : chunker.chunk(doc.text(), doc.title())) {
                all.add(new String[] {doc.title(), chunk.text(), Integer.toString(chunk.tokens())});
            }
        }
        int n = Math.min(count, all.size());
        List<String[]> picked = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            picked.add(all.get((int) ((long) i * all.size() / n)));
        }
        long started = System.nanoTime();
        List<float[]> vectors = embedder.embedAll(
                picked.stream().map(p -> chunker.embeddingText(p[0], p[1])).toList());
        System.out.printf(
                "bench data: embedded %,d of %,d corpus passages in %.0f s (cached for later runs)%n",
                n, all.size(), seconds(started));
        List<Passage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Passage(
                    picked.get(i)[0], picked.get(i)[1], Integer.parseInt(picked.get(i)[2]), vectors.get(i)));
        }
        writeCache(cache, out, embedder.modelName());
        return out;
    }

    /**
     * Section headings of the corpus (distinct, 12–80 characters) in a fixed random order: real,
     * topic-like queries. The first {@code skip} are meant for warm-up, the next {@code count} for
     * measuring.
     */
    public static List<String> headingQueries(Path dir, int count, int skip) {
        LinkedHashSet<String> headings = new LinkedHashSet<>();
        for (SourceDocument doc : corpus(dir)) {
            var m = HEADING.matcher(doc.text());
            while (m.find()) {
                String h = m.group(1).replace("`", "").replace("*", "").strip();
                if (h.length() >= 12 && h.length() <= 80) {
                    headings.add(h);
                }
            }
        }
        List<String> all = new ArrayList<>(headings);
        if (all.size() < count + skip) {
            throw new IllegalStateException("the corpus has only " + all.size() + " usable headings");
        }
        // A fixed shuffle: warm-up and measured queries both come from all over the corpus.
        java.util.Collections.shuffle(all, new Random(7));
        return List.copyOf(all.subList(0, count + skip));
    }

    private static List<Passage> readCache(Path cache, int count, String model) {
        if (!Files.exists(cache)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(cache)))) {
            if (!in.readUTF().equals(model)) {
                return null;
            }
            int n = in.readInt();
            int dim = in.readInt();
            if (n != count) {
                return null;
            }
            List<Passage> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String title = in.readUTF();
                String text = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
                int tokens = in.readInt();
                float[] v = new float[dim];
                for (int k = 0; k < dim; k++) {
                    v[k] = in.readFloat();
                }
                out.add(new Passage(title, text, tokens, v));
            }
            return out;
        } catch (IOException e) {
            return null;
        }
    }

    private static void writeCache(Path cache, List<Passage> passages, String model) {
        try {
            Files.createDirectories(cache.getParent());
            try (DataOutputStream out =
                    new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(cache)))) {
                out.writeUTF(model);
                out.writeInt(passages.size());
                out.writeInt(passages.getFirst().vector().length);
                for (Passage p : passages) {
                    out.writeUTF(p.title());
                    byte[] text = p.text().getBytes(StandardCharsets.UTF_8);
                    out.writeInt(text.length);
                    out.write(text);
                    out.writeInt(p.tokens());
                    for (float f : p.vector()) {
                        out.writeFloat(f);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /**
     * Loads the corpus into the servers named by the environment ({@code DB_URL}, {@code DB_USER},
     * {@code DB_PASSWORD}, {@code FGA_API_URL}; {@code FGA_STORE_NAME} defaults to the service's).
     * Arguments: {@code [corpusDir] [passages=2000] [documents=10000] [chunksPerDocument=10]}.
     */
    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "ingest-jobs/corpus/docs");
        int passages = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        Shape shape = new Shape(
                args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_SHAPE.documents(),
                args.length > 3 ? Integer.parseInt(args[3]) : DEFAULT_SHAPE.chunksPerDocument(),
                DEFAULT_SHAPE.noise(),
                DEFAULT_SHAPE.seed());
        try (ApplicationContext context = loaderContext()) {
            Embedder embedder = context.getBean(Embedder.class);
            List<Passage> real = passages(dir, passages, context.getBean(Chunker.class), embedder, cacheFile(passages));
            derive(real, shape)
                    .load(
                            context.getBean(DataSource.class),
                            context.getBean(RelationshipStore.class),
                            embedder.modelName());
        }
    }

    /**
     * The service's beans without its HTTP server, on the servers named by the environment ({@code
     * DB_URL}, {@code DB_USER}, {@code DB_PASSWORD}, {@code FGA_API_URL}; {@code FGA_STORE_NAME}
     * defaults to the service's), for loading a corpus before a service starts.
     */
    static ApplicationContext loaderContext() {
        Map<String, Object> properties = new java.util.HashMap<>();
        properties.put("datasources.default.url", System.getenv("DB_URL"));
        properties.put("datasources.default.username", env("DB_USER", "clearance"));
        properties.put("datasources.default.password", env("DB_PASSWORD", ""));
        properties.put("clearance.fga.api-url", System.getenv("FGA_API_URL"));
        properties.put("clearance.fga.store-name", env("FGA_STORE_NAME", "clearance"));
        // No HTTP server and no identity provider are needed to load data.
        properties.put("micronaut.security.token.jwt.signatures.jwks.idp.url", "http://127.0.0.1:9/jwks");
        properties.put("micronaut.security.token.jwt.claims-validators.issuer", "unused");
        properties.put("micronaut.security.token.jwt.claims-validators.audience", "unused");
        return ApplicationContext.run(properties);
    }

    static Path cacheFile(int passages) {
        return Path.of("target", "bench", "passages-" + passages + ".bin");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
