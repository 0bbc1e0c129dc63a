package dev.clearance.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a job has already sent to one service and tenant: the body hash per document id and the
 * relationship tuples it wrote. A snapshot ({@code .json}, replaced atomically) plus a journal
 * ({@code .journal}, one line appended before each PUT and one per call that succeeded; cheap, where
 * a snapshot rewrites every document's entry): a killed run loses only the outcomes of the calls in
 * flight, whose documents it then treats as sent with an unknown body, and replaying a line twice is
 * harmless. A lock file keeps two runs of a job apart ({@link RunLock}).
 */
final class JobState implements AutoCloseable {

    /** The snapshot file; job, service and tenant tell a reader whose state it is. */
    record Snapshot(
            int version,
            String job,
            String service,
            String tenant,
            Map<String, Entry> documents,
            List<Tuple> relationships) {}

    /**
     * The last body sent successfully for a document (null: sent, outcome unknown), and the file it
     * came from; the job itself goes by id, the path is for people reading the state.
     */
    record Entry(String hash, String path) {}

    /**
     * One journal line: {@code sending} (id, path; the outcome is not known yet), {@code put} (id,
     * hash, path), {@code delete} (id) or {@code relationships} (all the tuples written).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Line(String op, String id, String hash, String path, List<Tuple> tuples) {}

    private final ObjectMapper json = new ObjectMapper();
    private final Path snapshotFile;
    private final Path journalFile;
    private final RunLock lock;
    private final String job;
    private final String service;
    private final String tenant;
    private final Map<String, Entry> documents = new TreeMap<>();
    private final Set<Tuple> relationships = new TreeSet<>(
            Comparator.comparing(Tuple::object).thenComparing(Tuple::relation).thenComparing(Tuple::user));
    private FileOutputStream journal;

    private JobState(Path directory, String job, String service, String tenant) throws IOException {
        String stem = job + "." + tenant + "." + IdMapping.sha256(service).substring(0, 8);
        this.snapshotFile = directory.resolve(stem + ".json");
        this.journalFile = directory.resolve(stem + ".journal");
        this.lock = RunLock.acquire(directory.resolve(stem + ".lock"));
        this.job = job;
        this.service = service;
        this.tenant = tenant;
    }

    /** Opens (or starts) the state of a job for one service and tenant, folding in any journal. */
    static JobState open(Path directory, String job, String service, String tenant) throws IOException {
        Files.createDirectories(directory);
        JobState state = new JobState(directory, job, service, tenant);
        try {
            state.load();
            state.checkpoint();
        } catch (IOException | RuntimeException e) {
            state.close();
            throw e;
        }
        return state;
    }

    synchronized String hashOf(String id) {
        Entry entry = documents.get(id);
        return entry == null ? null : entry.hash();
    }

    synchronized Set<String> documentIds() {
        return Set.copyOf(documents.keySet());
    }

    synchronized List<Tuple> relationships() {
        return List.copyOf(relationships);
    }

    /**
     * Before a PUT: the document may exist on the service once the call is made, even if this run
     * dies before it can {@link #recordPut record} the outcome. Until then its hash is unknown, so a
     * later run sends it again if its file is still there, or deletes it if the file is gone.
     */
    synchronized void recordSending(String id, String path) {
        append(new Line("sending", id, null, path, null));
    }

    synchronized void recordPut(String id, String hash, String path) {
        append(new Line("put", id, hash, path, null));
    }

    synchronized void recordDelete(String id) {
        append(new Line("delete", id, null, null, null));
    }

    synchronized void recordRelationships(List<Tuple> tuples) {
        append(new Line("relationships", null, null, null, tuples));
    }

    /** Writes a fresh snapshot (temp file, then rename) and empties the journal it now contains. */
    synchronized void checkpoint() throws IOException {
        Snapshot snapshot = new Snapshot(1, job, service, tenant, new TreeMap<>(documents), List.copyOf(relationships));
        Path temp = snapshotFile.resolveSibling(snapshotFile.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(
                temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.wrap(
                    json.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(snapshot)));
            out.force(true); // the rename must never expose a snapshot whose bytes are not on disk yet
        }
        Files.move(temp, snapshotFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (journal != null) {
            journal.close();
        }
        journal = new FileOutputStream(journalFile.toFile(), false);
    }

    @Override
    public synchronized void close() throws IOException {
        try (lock) {
            if (journal != null) {
                journal.close();
            }
        }
    }

    private void append(Line line) {
        apply(line);
        try {
            // One write call per line, unbuffered: once it returns, the line survives a killed process.
            journal.write((json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the job state " + journalFile, e);
        }
    }

    private void apply(Line line) {
        switch (line.op()) {
            case "put" -> documents.put(line.id(), new Entry(line.hash(), line.path()));
            case "sending" -> documents.put(line.id(), new Entry(null, line.path()));
            case "delete" -> documents.remove(line.id());
            case "relationships" -> {
                relationships.clear();
                relationships.addAll(line.tuples());
            }
            default -> throw new IllegalStateException("unknown journal entry " + line.op());
        }
    }

    private void load() throws IOException {
        if (Files.exists(snapshotFile)) {
            Snapshot snapshot = json.readValue(snapshotFile.toFile(), Snapshot.class);
            documents.putAll(Objects.requireNonNullElse(snapshot.documents(), Map.of()));
            relationships.addAll(Objects.requireNonNullElse(snapshot.relationships(), List.of()));
        }
        if (Files.exists(journalFile)) {
            // Decoded leniently: a line torn inside a multi-byte character must not hide the others.
            String journalText = new String(Files.readAllBytes(journalFile), StandardCharsets.UTF_8);
            for (String text : journalText.split("\n")) {
                try {
                    apply(json.readValue(text, Line.class));
                } catch (IOException e) {
                    break; // the torn last line of a killed run: that call was not recorded as done
                }
            }
        }
    }
}
