package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.TestIdp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Starts the ingest job as a real operating-system process (so a test can SIGKILL it) on a job
 * spec with two folders and two groups, written next to the corpus: hana may read what is under
 * {@code hr/}, erik what is under {@code eng/}, mallory nothing.
 */
public final class IngestJobProcess {

    /** The users of the spec and the top-level directory each may read (null: none). */
    static final Map<String, String> READERS = new TreeMap<>(Map.of("hana", "hr", "erik", "eng", "mallory", ""));

    private IngestJobProcess() {}

    /**
     * After a job's final run, each user's search finds exactly the documents the spec lets them
     * read among {@code files} (paths under docs/), by the test's own reading of the spec. Waits up to
     * 30 s for grants still on their way to OpenFGA, then fails with the difference.
     */
    static void assertEveryUserFindsExactlyTheirDocuments(
            Api api, TestIdp idp, String jobTenant, Collection<String> files) throws InterruptedException {
        for (Map.Entry<String, String> reader : READERS.entrySet()) {
            Set<String> expected = new TreeSet<>();
            for (String file : files) {
                if (!reader.getValue().isEmpty() && file.startsWith(reader.getValue() + "/")) {
                    // The job's id of a plain path: its segments joined with '~' (ingest-jobs/README.md).
                    expected.add(file.replace('/', '~'));
                }
            }
            String token = idp.token(reader.getKey(), jobTenant, "");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Set<String> found;
            List<String> ids;
            do {
                // topK 50 is more than the chunks of any reader here: a complete search returns them all.
                ids = api.searchIds(token, "decision record about the storage layer and its backups", 50);
                found = new TreeSet<>(ids);
                if (found.equals(expected)) {
                    break;
                }
                Thread.sleep(250);
            } while (System.nanoTime() < deadline);
            assertTrue(ids.size() < 50, reader.getKey() + ": more chunks than one search returns, the check is void");
            assertEquals(expected, found, reader.getKey() + " in " + jobTenant + " finds exactly what the spec grants");
        }
    }

    static Process start(Path corpus, String jobTenant, String serviceUrl, String token) throws Exception {
        Path spec = corpus.resolve(jobTenant + ".yaml");
        Files.writeString(spec, """
                name: %s
                tenant: %s
                source:
                  directory: docs
                  include: ["**/*.md"]
                groups:
                  hr: [user:hana]
                  engineering: [user:erik]
                folders:
                  eng:
                    viewers: [group:engineering#member]
                  hr:
                    viewers: [group:hr#member]
                concurrency: 2
                batchSize: 2
                """.formatted(jobTenant, jobTenant));
        return launch(spec, corpus.resolve(jobTenant + "-" + UUID.randomUUID() + ".log"), serviceUrl, token);
    }

    /** The ingest job as its own process (the real command line), its output going to {@code log}. */
    public static Process launch(Path spec, Path log, String serviceUrl, String token) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-cp",
                        System.getProperty("java.class.path"),
                        IngestJob.class.getName(),
                        "run",
                        "--progress",
                        "none",
                        spec.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("CLEARANCE_URL", serviceUrl);
        builder.environment().put("CLEARANCE_TOKEN", token);
        return builder.start();
    }
}
