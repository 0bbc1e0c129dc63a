package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.access.FgaStore;
import dev.clearance.access.TupleScoper;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import dev.openfga.sdk.api.client.OpenFgaClient;
import dev.openfga.sdk.api.model.ReadRequest;
import dev.openfga.sdk.api.model.ReadResponse;
import dev.openfga.sdk.api.model.Tuple;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The ingest job as a real process, killed with SIGKILL after a random delay again and again while
 * its source changes between runs (every text edited, files deleted and added; the seed is printed,
 * rerun with {@code -Dfault.seed=...}), then run to completion: the result equals a clean run's of
 * the final source in PostgreSQL (same documents, same chunks per document, no duplicate or orphan chunk,
 * everything synced, nothing pending) and in OpenFGA (the same tuples, none for a document that
 * does not exist).
 */
@MicronautTest
class IngestJobRepeatedKillFaultIT extends IntegrationTest {

    private static final int FILES = Integer.getInteger("fault.files", 16);
    private static final int KILLS = Integer.getInteger("fault.kills", 8);

    @Inject
    EmbeddedServer server;

    @Inject
    DataSource dataSource;

    @Inject
    @Client("/")
    HttpClient http;

    @Inject
    FgaStore fgaStore;

    @Inject
    OpenFgaClient fga;

    @Test
    void killedManyTimesAtRandomPointsConvergesToTheStateOfACleanRun() throws Exception {
        long seed = Long.getLong("fault.seed", System.currentTimeMillis());
        System.out.println("[fault] ingest kills: seed " + seed + " (-Dfault.seed=" + seed + "), " + KILLS + " kills");
        Random random = new Random(seed);
        Path corpus = Files.createTempDirectory("clearance-kills-");
        List<String> files = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            files.add((i % 3 == 0 ? "hr" : "eng/design") + "/note-" + i + ".md");
        }
        write(corpus, files, 0);
        String killed = tenant + "k";
        String clean = tenant + "c";

        // How long a whole run takes here: the kills land anywhere from JVM start-up to its end.
        long started = System.nanoTime();
        assertEquals(0, run(corpus, tenant + "w"), "a first run completes");
        long wholeRunMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("[fault] a whole run: " + wholeRunMillis + " ms");

        int interrupted = 0;
        for (int k = 1; k <= KILLS; k++) {
            // Every run has work: all texts change, two files go and two new ones come.
            for (int gone = 0; gone < 2; gone++) {
                String file = files.remove(random.nextInt(files.size()));
                Files.delete(corpus.resolve("docs").resolve(file));
            }
            files.add((random.nextBoolean() ? "hr" : "eng/design") + "/added-" + k + "-a.md");
            files.add((random.nextBoolean() ? "hr" : "eng/design") + "/added-" + k + "-b.md");
            write(corpus, files, k);
            long delay = 200 + random.nextLong(wholeRunMillis);
            Process job = start(corpus, killed);
            boolean finished = job.waitFor(delay, TimeUnit.MILLISECONDS);
            if (!finished) {
                job.destroyForcibly(); // SIGKILL: no shutdown hooks, in-flight requests cut
                assertTrue(job.waitFor(10, TimeUnit.SECONDS), "the killed job is gone");
                interrupted++;
            }
            System.out.println("[fault] run " + k + ": " + (finished ? "finished before" : "SIGKILL") + " at " + delay
                    + " ms; documents now " + documentCount(killed));
        }
        assertTrue(interrupted > 0, "at least one run was killed part-way");

        assertEquals(0, run(corpus, killed), "the run after the kills completes");
        assertEquals(0, run(corpus, clean), "a clean run of the final source completes");
        assertEquals(FILES, documentCount(clean));
        assertTrue(
                count("SELECT coalesce(max(chunk_count), 0) FROM documents WHERE tenant = ?", clean) <= 2,
                "each text fits in two chunks, as write() intends");
        assertConsistent(clean);
        assertEquals(snapshot(clean), snapshot(killed), "documents and chunks equal the clean run's");
        assertEquals(FILES, documentCount(killed));
        assertConsistent(killed);
        assertEquals(tuples(clean), tuples(killed), "OpenFGA tuples equal the clean run's");

        assertEquals(0, run(corpus, killed), "one more run finds everything in sync");
        assertEquals(snapshot(clean), snapshot(killed));
        assertEquals(tuples(clean), tuples(killed));
        // Equal to a clean run is not yet right: each user must find exactly what the spec grants
        // over the final source (deleted files gone, added ones there).
        Api api = new Api(http.toBlocking());
        IngestJobProcess.assertEveryUserFindsExactlyTheirDocuments(api, IDP, killed, files);
        IngestJobProcess.assertEveryUserFindsExactlyTheirDocuments(api, IDP, clean, files);
    }

    /**
     * Writes every file of the source with its text at {@code revision}. Each text stays within two
     * chunks, so that even if every one of the (by default 16) final files fell to one reader, all
     * their chunks fit in one search of 50 and the final "finds exactly" check is never void.
     */
    private static void write(Path corpus, List<String> files, int revision) throws Exception {
        for (String file : files) {
            Path path = corpus.resolve("docs").resolve(file);
            Files.createDirectories(path.getParent());
            String name = path.getFileName().toString();
            Files.writeString(
                    path,
                    "# " + name + " (revision " + revision + ")\n\nDecision record " + name
                            + " about the storage layer and its backups.\n\n## Details\n\n"
                            + ("Paragraph about replicas and restore drills, revision " + revision + ". ")
                                    .repeat(3 + Math.floorMod(name.hashCode(), 5))
                            + "\n");
        }
    }

    private Process start(Path corpus, String jobTenant) throws Exception {
        return IngestJobProcess.start(
                corpus,
                jobTenant,
                server.getURL().toString(),
                IDP.token("ingest-bot", jobTenant, "documents:write relationships:write"));
    }

    private int run(Path corpus, String jobTenant) throws Exception {
        Process process = start(corpus, jobTenant);
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "job finished in time");
        return process.exitValue();
    }

    private int documentCount(String jobTenant) throws Exception {
        return count("SELECT count(*) FROM documents WHERE tenant = ?", jobTenant);
    }

    private int count(String sql, String jobTenant) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, jobTenant);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** No duplicate or orphan chunk, stored chunk counts true, every document synced, no work left. */
    private void assertConsistent(String jobTenant) throws Exception {
        assertEquals(
                0,
                count(
                        "SELECT count(*) - count(DISTINCT (document_id, ordinal)) FROM chunks WHERE tenant = ?",
                        jobTenant),
                "duplicate chunks");
        assertEquals(0, count("""
                        SELECT count(*) FROM chunks ch WHERE ch.tenant = ? AND NOT EXISTS
                          (SELECT 1 FROM documents d WHERE d.tenant = ch.tenant AND d.id = ch.document_id)""", jobTenant), "orphan chunks");
        assertEquals(0, count("""
                        SELECT count(*) FROM documents d WHERE d.tenant = ? AND d.chunk_count <>
                          (SELECT count(*) FROM chunks ch WHERE ch.tenant = d.tenant AND ch.document_id = d.id)""", jobTenant), "stored chunk counts match the chunks");
        assertEquals(
                0,
                count(
                        "SELECT count(*) FROM documents WHERE tenant = ? AND acl_synced_version <> acl_version",
                        jobTenant),
                "every document's grants are in OpenFGA");
        assertEquals(
                0,
                count("SELECT count(*) FROM access_objects WHERE tenant = ? AND synced_version < version", jobTenant),
                "no pending grants");
        Map<String, List<String>> tuples = tuples(jobTenant);
        TreeSet<String> documents = new TreeSet<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT id FROM documents WHERE tenant = ?")) {
            s.setString(1, jobTenant);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    documents.add("document:" + rs.getString(1));
                }
            }
        }
        for (String object : tuples.keySet()) {
            if (object.startsWith("document:")) {
                assertTrue(documents.contains(object), "orphan tuples on " + object + ": " + tuples.get(object));
            }
        }
        assertTrue(
                tuples.keySet().containsAll(documents),
                "every document has its grants in OpenFGA (or inherits them from its folder)");
    }

    /** Per document: searchable or not, folder, title, chunk count and chunk texts in order. */
    private Map<String, String> snapshot(String jobTenant) throws Exception {
        Map<String, String> state = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT d.id, d.acl_synced_version = d.acl_version, d.folder, d.title,
                               string_agg(ch.text, '|' ORDER BY ch.ordinal), count(ch.id)
                        FROM documents d LEFT JOIN chunks ch ON ch.tenant = d.tenant AND ch.document_id = d.id
                        WHERE d.tenant = ?
                        GROUP BY d.id, d.acl_synced_version, d.acl_version, d.folder, d.title""")) {
            s.setString(1, jobTenant);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    state.put(
                            rs.getString(1),
                            rs.getBoolean(2) + " " + rs.getString(3) + " " + rs.getString(4) + " " + rs.getInt(6)
                                    + " chunks: " + rs.getString(5));
                }
            }
        }
        return state;
    }

    /**
     * Every tuple in OpenFGA whose object belongs to the tenant, tenant-relative and grouped by
     * object: read from the whole store, so tuples of objects the database does not know show too.
     */
    private Map<String, List<String>> tuples(String jobTenant) throws Exception {
        String storeId = fgaStore.current().storeId();
        Map<String, List<String>> byObject = new TreeMap<>();
        String token = null;
        do {
            ReadRequest request = new ReadRequest().pageSize(100);
            if (token != null) {
                request.continuationToken(token);
            }
            ReadResponse page = fga.getApi()
                    .read(storeId, request)
                    .get(30, TimeUnit.SECONDS)
                    .getData();
            for (Tuple tuple : page.getTuples()) {
                String object = tuple.getKey().getObject();
                int colon = object.indexOf(':');
                if (colon > 0 && object.startsWith(jobTenant + "/", colon + 1)) {
                    byObject.computeIfAbsent(TupleScoper.unscope(jobTenant, object), o -> new ArrayList<>())
                            .add(TupleScoper.unscope(jobTenant, tuple.getKey().getUser()) + " "
                                    + tuple.getKey().getRelation());
                }
            }
            token = page.getContinuationToken();
        } while (token != null && !token.isEmpty());
        byObject.values().forEach(list -> list.sort(null));
        return byObject;
    }
}
