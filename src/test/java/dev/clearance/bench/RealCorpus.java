package dev.clearance.bench;

import dev.clearance.chunk.Chunk;
import dev.clearance.chunk.Chunker;
import dev.clearance.embed.BenchModels;
import dev.clearance.embed.Embedder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The real benchmark corpus: distinct passages of three manuals that Debian ships as packages, cut
 * by the product's {@link Chunker} and embedded once by the service's own model. Building it takes
 * long (about 100,000 passages through a small model on a small CPU), so it is resumable and lives
 * in a cache directory outside the repository: {@code passages.tsv} is written first, the vectors
 * are appended batch by batch to {@code vectors-<model>.f32}, and a run that stops half-way goes on
 * where it stopped. Readers use however many passages have vectors so far.
 *
 * <p>Sources (extracted by {@code scripts/bench-corpus.sh} under {@code <cache>/src}): the Python
 * 3.11 documentation's reStructuredText sources (package python3.11-doc, PSF License 2.0), the Linux
 * 6.1 kernel documentation's reStructuredText sources (linux-doc-6.1, GPL-2.0) and the PostgreSQL 15
 * manual as HTML with its tags removed (postgresql-doc-15, PostgreSQL License). Files are taken in a
 * fixed shuffled order, so any prefix of the passage list mixes the three; passages keep their file
 * order inside a file, so consecutive passages make a coherent document.
 *
 * <p>Queries are section headings of the same files (distinct, 12 to 80 characters): short,
 * topic-like questions whose answers are somewhere in the corpus, not copies of a passage.
 */
public final class RealCorpus {

    /** A passage with its source file's title; {@code source} is the package it came from. */
    public record Text(String source, String title, String text, int tokens) {}

    private record Source(String name, String glob, boolean html) {}

    private static final List<Source> SOURCES = List.of(
            new Source("python3.11-doc", ".rst.txt", false),
            new Source("linux-doc-6.1", ".rst.txt", false),
            new Source("postgresql-doc-15", ".html", true));

    private static final Pattern UNDERLINE = Pattern.compile("^([=\\-~^*#\"'`+])\\1{2,}\\s*$");
    private static final Pattern HTML_HEADING = Pattern.compile("(?is)<h[1-3][^>]*>(.*?)</h[1-3]>");
    private static final Pattern HTML_DROP = Pattern.compile(
            "(?is)<(script|style|head)[^>]*>.*?</\\1>|<div class=\"navheader\".*?</div>|<div class=\"navfooter\".*?</div>");
    private static final Pattern HTML_BLOCK = Pattern.compile("(?i)</?(p|div|h[1-6]|li|tr|pre|dt|dd|table|br)[^>]*>");
    private static final Pattern HTML_TAG = Pattern.compile("<[^>]+>");
    private static final int MIN_TOKENS = 20;
    private static final int BATCH = 256;

    private RealCorpus() {}

    static Path passagesFile(Path cache) {
        return cache.resolve("passages.tsv");
    }

    static Path vectorsFile(Path cache, String model) {
        return cache.resolve("vectors-" + model.replaceAll("[^A-Za-z0-9.-]", "_") + ".f32");
    }

    /** The passage list, cut from the sources on first use and read from the cache afterwards. */
    static List<Text> passages(Path cache, Chunker chunker, int count) {
        Path file = passagesFile(cache);
        if (Files.exists(file)) {
            return readPassages(file);
        }
        List<Path> files = sourceFiles(cache);
        Set<String> seen = new HashSet<>();
        List<Text> out = new ArrayList<>();
        for (Path path : files) {
            Source source = sourceOf(cache, path);
            String raw = read(path);
            String text = source.html() ? htmlText(raw) : raw;
            String title = title(source, raw, path);
            for (Chunk chunk : chunker.chunk(text, title)) {
                if (chunk.tokens() >= MIN_TOKENS && seen.add(chunk.text())) {
                    out.add(new Text(source.name(), title, chunk.text(), chunk.tokens()));
                    if (out.size() == count) {
                        writePassages(file, out);
                        return out;
                    }
                }
            }
        }
        writePassages(file, out);
        return out;
    }

    /** Every source file in the fixed shuffled order. */
    private static List<Path> sourceFiles(Path cache) {
        List<Path> files = new ArrayList<>();
        for (Source source : SOURCES) {
            Path root = cache.resolve("src").resolve(source.name());
            if (!Files.isDirectory(root)) {
                throw new IllegalStateException(root + " is missing: run scripts/bench-corpus.sh");
            }
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> p.getFileName().toString().endsWith(source.glob()))
                        .sorted()
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Collections.shuffle(files, new Random(20261206));
        return files;
    }

    private static Source sourceOf(Path cache, Path file) {
        String top = cache.resolve("src").relativize(file).getName(0).toString();
        return SOURCES.stream().filter(s -> s.name().equals(top)).findFirst().orElseThrow();
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first section heading of a file, else its name. */
    private static String title(Source source, String raw, Path path) {
        List<String> headings = headings(source, raw);
        if (!headings.isEmpty()) {
            return headings.getFirst();
        }
        String name = path.getFileName().toString();
        return name.substring(0, name.indexOf('.'));
    }

    private static List<String> headings(Source source, String raw) {
        List<String> out = new ArrayList<>();
        if (source.html()) {
            Matcher m = HTML_HEADING.matcher(raw);
            while (m.find()) {
                String h = clean(unescape(HTML_TAG.matcher(m.group(1)).replaceAll("")));
                if (!h.isEmpty()) {
                    out.add(h.replaceFirst("^[0-9.]+\\s+", ""));
                }
            }
            return out;
        }
        String[] lines = raw.split("\n", -1);
        for (int i = 1; i < lines.length; i++) {
            String previous = lines[i - 1].strip();
            if (UNDERLINE.matcher(lines[i]).matches()
                    && !previous.isEmpty()
                    && !UNDERLINE.matcher(previous).matches()
                    && lines[i].strip().length() >= previous.length()) {
                out.add(clean(previous.replace("`", "").replace("*", "").replace(":mod:", "")));
            }
        }
        return out;
    }

    private static String clean(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }

    static String htmlText(String html) {
        String body = HTML_DROP.matcher(html).replaceAll(" ");
        body = HTML_BLOCK.matcher(body).replaceAll("\n\n");
        body = HTML_TAG.matcher(body).replaceAll("");
        return unescape(body).replaceAll("[ \\t]+", " ").replaceAll("\n\\s*\n(\\s*\n)+", "\n\n");
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&nbsp;", " ")
                .replace("&#160;", " ")
                .replace("&amp;", "&");
    }

    /**
     * Section headings of the corpus's files (distinct, 12 to 80 characters) in a fixed random order;
     * the first {@code skip} warm up, the next {@code count} are measured (both 0: all of them).
     */
    static List<String> queries(Path cache, int count, int skip) {
        Path file = cache.resolve("queries.txt");
        List<String> all;
        if (Files.exists(file)) {
            all = List.of(read(file).split("\n"));
        } else {
            LinkedHashSet<String> headings = new LinkedHashSet<>();
            for (Path path : sourceFiles(cache)) {
                Source source = sourceOf(cache, path);
                for (String h : headings(source, read(path))) {
                    if (h.length() >= 12
                            && h.length() <= 80
                            && h.chars().filter(Character::isLetter).count() >= 8) {
                        headings.add(h);
                    }
                }
            }
            List<String> shuffled = new ArrayList<>(headings);
            Collections.shuffle(shuffled, new Random(7));
            all = shuffled;
            try {
                Files.writeString(file, String.join("\n", all), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (count + skip == 0) {
            return List.copyOf(all);
        }
        if (all.size() < count + skip) {
            throw new IllegalStateException("the corpus has only " + all.size() + " usable headings");
        }
        return List.copyOf(all.subList(0, count + skip));
    }

    /** How many passages already have vectors. */
    static int embedded(Path cache, Embedder embedder) {
        try {
            Path file = vectorsFile(cache, embedder.modelName());
            return Files.exists(file) ? (int) (Files.size(file) / (4L * embedder.dimension())) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Embeds the passages that have no vector yet, appending each batch as soon as it is done. */
    static void embedRemaining(Path cache, List<Text> passages, Embedder embedder, Chunker chunker) {
        int done = embedded(cache, embedder);
        int dim = embedder.dimension();
        long started = System.nanoTime();
        int startedAt = done;
        try (FileChannel out = FileChannel.open(
                vectorsFile(cache, embedder.modelName()),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            // A batch cut short by a killed run is dropped: whole vectors only.
            out.truncate((long) done * dim * 4);
            while (done < passages.size()) {
                List<Text> batch = passages.subList(done, Math.min(passages.size(), done + BATCH));
                List<float[]> vectors = embedder.embedAll(batch.stream()
                        .map(t -> chunker.embeddingText(t.title(), t.text()))
                        .toList());
                ByteBuffer buffer =
                        ByteBuffer.allocate(vectors.size() * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
                vectors.forEach(v -> {
                    for (float f : v) {
                        buffer.putFloat(f);
                    }
                });
                buffer.flip();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(false);
                done += batch.size();
                double rate = (done - startedAt) / ((System.nanoTime() - started) / 1e9);
                System.out.printf(
                        Locale.ROOT,
                        "corpus: %,d of %,d passages embedded (%.1f/s, about %.0f min left)%n",
                        done,
                        passages.size(),
                        rate,
                        (passages.size() - done) / rate / 60);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@code limit} passages that have vectors, as the benchmark's data takes them. */
    static List<BenchData.Passage> load(Path cache, String model, int dim, int limit) {
        List<Text> texts = readPassages(passagesFile(cache));
        Path file = vectorsFile(cache, model);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            int available = (int) Math.min(texts.size(), in.size() / (4L * dim));
            int n = Math.min(limit, available);
            ByteBuffer buffer = ByteBuffer.allocate(n * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
            while (buffer.hasRemaining() && in.read(buffer) > 0) {
                // read until full
            }
            buffer.flip();
            List<BenchData.Passage> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                float[] v = new float[dim];
                buffer.asFloatBuffer().position(i * dim).get(v);
                Text t = texts.get(i);
                out.add(new BenchData.Passage(t.title(), t.text(), t.tokens(), v));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writePassages(Path file, List<Text> passages) {
        try {
            Files.createDirectories(file.getParent());
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            try (BufferedWriter w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                for (Text t : passages) {
                    w.write(escape(t.source())
                            + '\t'
                            + escape(t.title())
                            + '\t'
                            + t.tokens()
                            + '\t'
                            + escape(t.text()));
                    w.write('\n');
                }
            }
            Files.move(partial, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Text> readPassages(Path file) {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.map(line -> {
                        String[] f = line.split("\t", 4);
                        return new Text(
                                unescapeField(f[0]), unescapeField(f[1]), unescapeField(f[3]), Integer.parseInt(f[2]));
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String unescapeField(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                out.append(
                        switch (n) {
                            case 't' -> '\t';
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            default -> n;
                        });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code build <cacheDir> [passages=100000]}: cuts the passage list and embeds what is missing. */
    public static void main(String[] args) {
        Path cache = Path.of(args[1]);
        int count = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        if (!args[0].equals("build")) {
            throw new IllegalArgumentException("usage: RealCorpus build <cacheDir> [passages]");
        }
        Embedder embedder = BenchModels.onnx(Runtime.getRuntime().availableProcessors());
        Chunker chunker = BenchModels.chunker(embedder);
        long started = System.nanoTime();
        List<Text> passages = passages(cache, chunker, count);
        System.out.printf(
                Locale.ROOT,
                "corpus: %,d distinct passages listed in %.0f s%n",
                passages.size(),
                BenchData.seconds(started));
        int headings = queries(cache, 0, 0).size();
        System.out.printf(Locale.ROOT, "corpus: %,d headings kept as queries in queries.txt%n", headings);
        embedRemaining(cache, passages, embedder, chunker);
        System.out.printf(Locale.ROOT, "corpus: done, %,d passages with vectors%n", embedded(cache, embedder));
        System.exit(0);
    }
}
