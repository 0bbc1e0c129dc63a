package dev.clearance.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Starts the ingest job as a real operating-system process (so a test can SIGKILL it) on a job
 * spec with two folders and a group, written next to the corpus.
 */
final class IngestJobProcess {

    private IngestJobProcess() {}

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
                folders:
                  eng:
                    viewers: [group:engineering#member]
                  hr:
                    viewers: [group:hr#member]
                concurrency: 2
                batchSize: 2
                """.formatted(jobTenant, jobTenant));
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
                .redirectOutput(corpus.resolve(jobTenant + "-" + UUID.randomUUID() + ".log")
                        .toFile());
        builder.environment().put("CLEARANCE_URL", serviceUrl);
        builder.environment().put("CLEARANCE_TOKEN", token);
        return builder.start();
    }
}
