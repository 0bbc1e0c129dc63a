package dev.clearance.jobs;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The ingest-job command: runs a job spec (YAML) against a Clearance service. Plain picocli, no
 * dependency injection, so it starts in well under a second next to the service's own jar.
 *
 * <p>Exit codes: 0 all documents in sync, 1 some failed (see the summary), 2 the spec or the
 * command line is wrong.
 */
@Command(
        name = "ingest-job",
        mixinStandardHelpOptions = true,
        version = "ingest-job 0.1",
        description = "Syncs a directory of documents and its access rules into Clearance.",
        subcommands = {IngestJob.Run.class})
public final class IngestJob implements Runnable {

    static final String DEFAULT_SERVICE = "http://localhost:8080";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    public static void main(String[] args) {
        System.exit(execute(System.getenv(), System.out, System.err, args));
    }

    static int execute(Map<String, String> env, PrintStream out, PrintStream err, String... args) {
        CommandLine line = new CommandLine(new IngestJob(), new Factory(env, out, err));
        line.setOut(new java.io.PrintWriter(out, true));
        line.setErr(new java.io.PrintWriter(err, true));
        return line.execute(args);
    }

    @Override
    public void run() {
        commandSpec.commandLine().usage(commandSpec.commandLine().getOut());
    }

    /** {@code run SPEC}: one run of a job. */
    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            description = {
                "Sends new and changed documents, deletes the ones gone from the source, writes the access rules.",
                "Token: env CLEARANCE_TOKEN (scopes documents:write, relationships:write), or demoToken in the spec."
            })
    static final class Run implements Callable<Integer> {

        @Parameters(paramLabel = "SPEC", description = "the job spec (YAML)")
        Path specFile;

        @Option(
                names = "--service",
                paramLabel = "URL",
                description = "service base URL (default: env CLEARANCE_URL, else the spec's service, else "
                        + DEFAULT_SERVICE + ")")
        URI service;

        @Option(names = "--full", description = "send every document, even those unchanged since the last run")
        boolean full;

        @Option(names = "--dry-run", description = "show what would be sent and deleted; send nothing")
        boolean dryRun;

        @Option(names = "--concurrency", paramLabel = "N", description = "requests in flight (overrides the spec)")
        Integer concurrency;

        @Option(
                names = "--progress",
                paramLabel = "MODE",
                defaultValue = "auto",
                description = "auto, bar, plain or none (default: ${DEFAULT-VALUE})")
        String progress;

        @Option(names = "--all-failures", description = "list every failure in the summary, not the first 20")
        boolean allFailures;

        private final Map<String, String> env;
        private final PrintStream out;
        private final PrintStream err;

        Run(Map<String, String> env, PrintStream out, PrintStream err) {
            this.env = env;
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(specFile)) {
                err.println("error: no spec file at " + specFile);
                return JobRunner.BAD_SPEC;
            }
            JobSpec spec;
            try {
                spec = SpecLoader.load(specFile);
            } catch (SpecLoader.SpecException e) {
                e.problems().forEach(p -> err.println("error: " + specFile + ": " + p));
                return JobRunner.BAD_SPEC;
            }
            Progress.Mode mode;
            try {
                mode = Progress.Mode.valueOf(progress.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                err.println("error: --progress must be auto, bar, plain or none");
                return JobRunner.BAD_SPEC;
            }
            if (concurrency != null && (concurrency < 1 || concurrency > 32)) {
                err.println("error: --concurrency must be 1 to 32");
                return JobRunner.BAD_SPEC;
            }
            String token = blankToNull(env.get("CLEARANCE_TOKEN"));
            if (token == null && spec.demoToken() == null && !dryRun) {
                err.println("error: no token: set CLEARANCE_TOKEN to a service token with the scopes "
                        + "documents:write and relationships:write, or add demoToken to the spec (demo services)");
                return JobRunner.BAD_SPEC;
            }
            URI base = resolveService(service, env.get("CLEARANCE_URL"), spec.service());
            var options = new JobRunner.Options(base, token, full, dryRun, mode, concurrency, allFailures);
            return new JobRunner(out, err).run(spec, specFile, options);
        }
    }

    /** The flag wins over the environment, which wins over the spec. */
    static URI resolveService(URI flag, String environment, String fromSpec) {
        String chosen = flag != null ? flag.toString() : blankToNull(environment);
        chosen = chosen != null ? chosen : fromSpec != null ? fromSpec : DEFAULT_SERVICE;
        return URI.create(chosen.endsWith("/") ? chosen.substring(0, chosen.length() - 1) : chosen);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** Hands the environment and streams to the subcommand, so tests need no real process. */
    private record Factory(Map<String, String> env, PrintStream out, PrintStream err) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == Run.class) {
                return type.cast(new Run(env, out, err));
            }
            return CommandLine.defaultFactory().create(type);
        }
    }
}
