package dev.clearance.jobs;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** One run of a job: plan, access rules, documents, deletions, summary. Returns the exit code. */
final class JobRunner {

    static final int OK = 0;
    static final int FAILURES = 1;
    static final int BAD_SPEC = 2;
    static final String STATE_DIRECTORY = ".ingest-state";

    /** How to run, from the command line. */
    record Options(
            URI service,
            String token,
            boolean full,
            boolean dryRun,
            Progress.Mode progress,
            Integer concurrency,
            boolean allFailures) {}

    private final PrintStream out;
    private final PrintStream err;

    JobRunner(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(JobSpec spec, Path specFile, Options options) {
        Path specDirectory = specFile.toAbsolutePath().getParent();
        Path directory = specDirectory.resolve(spec.source().directory()).normalize();
        Plan plan;
        try {
            plan = Plan.of(spec, SourceScanner.scan(directory, spec.source(), specDirectory, spec.tenant()));
        } catch (SpecLoader.SpecException e) {
            e.problems().forEach(p -> err.println("error: " + p));
            return BAD_SPEC;
        } catch (IOException e) {
            err.println("error: cannot read the source: " + e);
            return BAD_SPEC;
        }
        plan.warnings().forEach(w -> err.println("warning: " + w));
        String service = options.service().toString();
        try (JobState state =
                JobState.open(specDirectory.resolve(STATE_DIRECTORY), spec.name(), service, spec.tenant())) {
            if (options.dryRun()) {
                List<String> gone = gone(plan, state.documentIds());
                List<String> deletions = spec.deleteMissing() ? gone : List.of();
                printPlan(spec, plan, state, deletions, gone.size() - deletions.size());
                return OK;
            }
            HttpClient http = ServiceClient.newHttpClient();
            Credentials credentials;
            try {
                credentials = options.token() != null
                        ? Credentials.fixed(options.token())
                        : Credentials.demo(
                                http, options.service(), spec.demoToken().user(), tenantOf(spec));
            } catch (CallFailed e) {
                err.println("error: " + e.getMessage());
                return FAILURES;
            }
            ServiceClient client = new ServiceClient(options.service(), credentials, http);
            long started = System.nanoTime();
            Tally tally = new Tally();
            Holdings holdings = new Holdings(client, spec.managedBy(), err, tally);
            String abort = RelationshipSync.run(client, holdings, state, plan.tuples(), spec.managedBy(), tally);
            // Known documents: the ones the service holds under the job's name as well as the ones this
            // runner remembers, so neither a lost state nor a document sent before names existed stays.
            Set<String> known = new HashSet<>(state.documentIds());
            if (abort == null) {
                try {
                    known.addAll(holdings.documents());
                } catch (CallFailed e) {
                    tally.fail("documents", e.getMessage());
                    abort = e.getMessage();
                }
            }
            List<String> gone = gone(plan, known);
            List<String> deletions = spec.deleteMissing() ? gone : List.of();
            long sendStarted = System.nanoTime();
            if (abort == null) {
                int concurrency = options.concurrency() != null ? options.concurrency() : spec.concurrency();
                Thread notice = Thread.ofPlatform()
                        .unstarted(() -> err.println(
                                "\ninterrupted: finished documents are recorded; run the job again to resume"));
                Runtime.getRuntime().addShutdownHook(notice);
                try (Progress progress =
                        new Progress(err, options.progress(), plan.documents().size() + deletions.size())) {
                    Ledger ledger = new Ledger(state, tally, progress);
                    DocumentReader reader = new DocumentReader(directory, spec);
                    new DocumentSync(client, reader, state, ledger, options.full(), spec.batchSize())
                            .run(plan.documents(), deletions, concurrency);
                    abort = ledger.abortReason();
                } finally {
                    Runtime.getRuntime().removeShutdownHook(notice);
                }
            }
            Duration sending = Duration.ofNanos(System.nanoTime() - sendStarted);
            state.checkpoint();
            String heading = spec.name() + ": " + plan.documents().size() + " documents from "
                    + spec.source().directory() + " → " + service + " (tenant " + spec.tenant() + ")";
            tally.print(
                    out,
                    heading,
                    Duration.ofNanos(System.nanoTime() - started),
                    sending,
                    options.allFailures() ? Integer.MAX_VALUE : 20);
            if (gone.size() > deletions.size()) {
                out.println("  kept " + (gone.size() - deletions.size()) + " document(s) no longer in the source "
                        + "(deleteMissing: false)");
            }
            if (abort != null) {
                err.println("error: the run stopped early: " + abort);
            }
            return tally.failures().isEmpty() ? OK : FAILURES;
        } catch (IOException e) {
            err.println("error: job state: " + e.getMessage());
            return FAILURES;
        }
    }

    /** The known documents the plan no longer has, in id order. */
    private static List<String> gone(Plan plan, Set<String> known) {
        Set<String> planned = new HashSet<>();
        plan.documents().forEach(d -> planned.add(d.id()));
        return known.stream().filter(id -> !planned.contains(id)).sorted().toList();
    }

    private static String tenantOf(JobSpec spec) {
        return spec.demoToken().tenant() != null ? spec.demoToken().tenant() : spec.tenant();
    }

    private void printPlan(JobSpec spec, Plan plan, JobState state, List<String> deletions, int kept) {
        long folders = plan.documents().stream()
                .map(Plan.Document::folder)
                .filter(Objects::nonNull)
                .distinct()
                .count();
        out.println(spec.name() + " (dry run, nothing sent)");
        out.println("  documents      " + plan.documents().size() + " in " + folders + " folder(s)");
        out.println("  already sent   "
                + plan.documents().stream()
                        .filter(d -> state.hashOf(d.id()) != null)
                        .count() + " (sent again only if changed)");
        out.println(
                "  to delete      " + deletions.size() + (kept > 0 ? " (" + kept + " kept: deleteMissing false)" : ""));
        // A dry run sends nothing and asks nothing: what the service holds under the job's name is
        // only known to a real run, which may delete more.
        out.println("                 (known to this runner's state; a run also deletes what the service holds"
                + " under " + spec.managedBy() + " that the spec lacks)");
        out.println("  relationships  " + plan.tuples().size());
        plan.tuples().forEach(t -> out.println("    " + t));
        deletions.forEach(id -> out.println("  delete " + id));
    }
}
