package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line without a service: exit codes, dry run, where the service URL comes from. */
class IngestJobTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void aBadSpecExitsWithTwo() throws Exception {
        Files.writeString(dir.resolve("job.yaml"), "tenant: acme\n");
        assertEquals(2, run(Map.of(), "run", dir.resolve("job.yaml").toString()));
        assertTrue(text(err).contains("source.directory: required"), text(err));
        assertEquals(2, run(Map.of(), "run", dir.resolve("missing.yaml").toString()));
        assertEquals(2, run(Map.of(), "run", "--no-such-flag", "x.yaml"));
    }

    @Test
    void withoutATokenNothingIsSent() throws Exception {
        writeJob("");
        assertEquals(2, run(Map.of(), "run", dir.resolve("job.yaml").toString()));
        assertTrue(text(err).contains("CLEARANCE_TOKEN"), text(err));
    }

    @Test
    void aDryRunPrintsThePlanAndSendsNothing() throws Exception {
        writeJob("folders:\n  eng: {viewers: [\"group:eng#member\"]}\n");
        assertEquals(
                0,
                run(
                        Map.of(),
                        "run",
                        "--dry-run",
                        "--service",
                        "http://127.0.0.1:9",
                        dir.resolve("job.yaml").toString()));
        String printed = text(out);
        assertTrue(printed.contains("documents      2 in 1 folder(s)"), printed);
        assertTrue(printed.contains("group:eng#member viewer folder:eng"), printed);
        assertTrue(Files.isDirectory(dir.resolve(JobRunner.STATE_DIRECTORY)));
    }

    @Test
    void theServiceFlagWinsOverTheEnvironmentWhichWinsOverTheSpec() {
        assertEquals(
                URI.create("http://a:1"),
                IngestJob.resolveService(URI.create("http://a:1/"), "http://b:2", "http://c:3"));
        assertEquals(URI.create("http://b:2"), IngestJob.resolveService(null, "http://b:2", "http://c:3"));
        assertEquals(URI.create("http://c:3"), IngestJob.resolveService(null, " ", "http://c:3"));
        assertEquals(URI.create(IngestJob.DEFAULT_SERVICE), IngestJob.resolveService(null, null, null));
    }

    private void writeJob(String extra) throws Exception {
        Files.createDirectories(dir.resolve("docs/eng"));
        Files.writeString(dir.resolve("docs/eng/a.md"), "# A\n");
        Files.writeString(dir.resolve("docs/b.md"), "# B\n");
        Files.writeString(dir.resolve("job.yaml"), "tenant: acme\nsource: {directory: docs}\n" + extra);
    }

    private int run(Map<String, String> env, String... args) {
        return IngestJob.execute(env, new PrintStream(out, true), new PrintStream(err, true), args);
    }

    private static String text(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8);
    }
}
