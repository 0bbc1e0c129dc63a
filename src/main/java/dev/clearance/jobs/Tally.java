package dev.clearance.jobs;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** The counts of a run and the reason for every failure; printed as the summary at the end. */
final class Tally {

    /** What failed (a file path, a document id or "relationships") and why. */
    record Failure(String what, String reason) {}

    final AtomicInteger added = new AtomicInteger();
    final AtomicInteger updated = new AtomicInteger();
    final AtomicInteger unchanged = new AtomicInteger();
    final AtomicInteger skippedLocally = new AtomicInteger();
    final AtomicInteger pendingAccess = new AtomicInteger();
    final AtomicInteger deleted = new AtomicInteger();
    final AtomicInteger tuplesWritten = new AtomicInteger();
    final AtomicInteger tuplesDeleted = new AtomicInteger();
    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();

    void fail(String what, String reason) {
        failures.add(new Failure(what, reason));
    }

    /** Counts one PUT by the status the service answered. */
    void put(String status, boolean searchable) {
        switch (status) {
            case "created" -> added.incrementAndGet();
            case "updated" -> updated.incrementAndGet();
            default -> unchanged.incrementAndGet();
        }
        if (!searchable) {
            pendingAccess.incrementAndGet();
        }
    }

    List<Failure> failures() {
        List<Failure> sorted = new ArrayList<>(failures);
        sorted.sort(Comparator.comparing(Failure::what));
        return sorted;
    }

    int documentsSent() {
        return added.get() + updated.get() + unchanged.get() - skippedLocally.get();
    }

    void print(PrintStream out, String heading, Duration took, Duration sending, int maxFailuresShown) {
        out.println(heading);
        out.printf("  added      %6d%n", added.get());
        out.printf("  updated    %6d%n", updated.get());
        out.printf(
                "  unchanged  %6d%s%n",
                unchanged.get(),
                skippedLocally.get() > 0 ? "  (" + skippedLocally.get() + " skipped locally: same as last sent)" : "");
        out.printf("  deleted    %6d%n", deleted.get());
        List<Failure> list = failures();
        out.printf("  failed     %6d%n", list.size());
        for (Failure f : list.subList(0, Math.min(list.size(), maxFailuresShown))) {
            out.println("    " + f.what() + ": " + f.reason());
        }
        if (list.size() > maxFailuresShown) {
            out.println("    ... and " + (list.size() - maxFailuresShown) + " more (use --all-failures)");
        }
        if (pendingAccess.get() > 0) {
            out.println("  note: " + pendingAccess.get() + " document(s) stay hidden until their access rules are "
                    + "synced (the service retries this by itself)");
        }
        out.printf("  relationships: %d written, %d deleted%n", tuplesWritten.get(), tuplesDeleted.get());
        double seconds = sending.toMillis() / 1000.0;
        int sent = documentsSent();
        out.printf(
                "  took %.1f s%s%n",
                took.toMillis() / 1000.0,
                sent > 0 && seconds > 0 ? String.format(" (%d sent, %.1f docs/s)", sent, sent / seconds) : "");
    }
}
