package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.access.DesiredTuple;
import dev.clearance.access.RelationshipStore;
import dev.clearance.access.TupleScoper;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The ingest job as a real process against the real service: killed with SIGKILL part-way, then
 * rerun, it converges to exactly the state a clean run produces (same documents, same chunks, same
 * tuples), with no duplicates and nothing lost.
 */
@MicronautTest
class IngestJobKillIT extends IntegrationTest {

    private static final int FILES = 60;

    @Inject
    EmbeddedServer server;

    @Inject
    DataSource dataSource;

    @Inject
    @Client("/")
    HttpClient http;

    @Inject
    RelationshipStore relationships;

    @Test
    void aKilledJobConvergesToTheStateOfACleanRun() throws Exception {
        Path corpus = Files.createTempDirectory("clearance-job-");
        List<String> files = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            Path dir = corpus.resolve("docs").resolve(i % 3 == 0 ? "hr" : "eng/design");
            files.add((i % 3 == 0 ? "hr" : "eng/design") + "/note-" + i + ".md");
            Files.createDirectories(dir);
            Files.writeString(
                    dir.resolve("note-" + i + ".md"),
                    "# Note " + i + "\n\nDecision record number " + i + " about the storage layer and its backups.\n");
        }
        String killed = tenant + "k";
        String clean = tenant + "c";

        Process first = start(corpus, killed);
        waitForDocuments(killed, 8, Duration.ofSeconds(120));
        first.destroyForcibly(); // SIGKILL: no shutdown hooks, in-flight requests cut
        first.waitFor(10, TimeUnit.SECONDS);
        assertTrue(documentCount(killed) < FILES, "the job was killed part-way");

        assertEquals(0, run(corpus, killed), "the rerun completes");
        assertEquals(0, run(corpus, clean), "a clean run completes");

        assertEquals(FILES, documentCount(killed));
        assertEquals(snapshot(clean), snapshot(killed));
        assertEquals(0, run(corpus, killed), "a third run finds everything in sync");
        assertEquals(snapshot(clean), snapshot(killed));
        // Equal to a clean run is not yet right: each user must find exactly what the spec grants.
        Api api = new Api(http.toBlocking());
        IngestJobProcess.assertEveryUserFindsExactlyTheirDocuments(api, IDP, killed, files);
        IngestJobProcess.assertEveryUserFindsExactlyTheirDocuments(api, IDP, clean, files);
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
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "job finished in time");
        return process.exitValue();
    }

    private void waitForDocuments(String jobTenant, int atLeast, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (documentCount(jobTenant) < atLeast) {
            assertTrue(System.nanoTime() < deadline, "the job made no progress");
            Thread.sleep(100);
        }
    }

    private int documentCount(String jobTenant) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM documents WHERE tenant = ?")) {
            s.setString(1, jobTenant);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Per document (tenant-relative): its chunk texts, searchable flag and tuples. */
    private Map<String, String> snapshot(String jobTenant) throws Exception {
        Map<String, String> state = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT d.id, d.acl_synced_version = d.acl_version, string_agg(ch.text, '|' ORDER BY ch.ordinal),
                               count(ch.id)
                        FROM documents d LEFT JOIN chunks ch ON ch.tenant = d.tenant AND ch.document_id = d.id
                        WHERE d.tenant = ? GROUP BY d.id, d.acl_synced_version, d.acl_version""")) {
            s.setString(1, jobTenant);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    List<String> tuples = new ArrayList<>();
                    for (DesiredTuple t : relationships.readByObject("document:" + jobTenant + "/" + rs.getString(1))) {
                        tuples.add(TupleScoper.unscope(jobTenant, t.user()) + " " + t.relation());
                    }
                    tuples.sort(null);
                    state.put(
                            rs.getString(1),
                            rs.getBoolean(2) + " " + rs.getInt(4) + " " + rs.getString(3) + " " + tuples);
                }
            }
        }
        return state;
    }
}
