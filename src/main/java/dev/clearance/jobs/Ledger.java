package dev.clearance.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the outcome of every document goes: the job state (journal first, so a killed run keeps
 * it), the tally and the progress bar. Also remembers why the run must stop, once a call fails in
 * a way no later call can avoid.
 */
final class Ledger {

    /** Outcomes (documents and deletions, failed ones too) between two snapshots; the journal holds the rest. */
    static final int CHECKPOINT_EVERY = 100;

    private final JobState state;
    private final Tally tally;
    private final Progress progress;
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicReference<String> abort = new AtomicReference<>();

    Ledger(JobState state, Tally tally, Progress progress) {
        this.state = state;
        this.tally = tally;
        this.progress = progress;
    }

    /** Why the run stopped early (bad token, service gone), or null. */
    String abortReason() {
        return abort.get();
    }

    /** Refuses to start another call after the run was stopped; true when the call may go ahead. */
    boolean mayProceed(String what) {
        String reason = abort.get();
        if (reason != null) {
            failed(what, "not sent: " + reason);
        }
        return reason == null;
    }

    /** Same body as the last one the service accepted: nothing to send. */
    void skipped() {
        tally.unchanged.incrementAndGet();
        tally.skippedLocally.incrementAndGet();
        finish(false);
    }

    void sent(Plan.Document document, String hash, ServiceClient.PutOutcome outcome) {
        String path = document.file().path();
        if (outcome.failure() != null) {
            failed(path, outcome.failure());
            return;
        }
        try {
            state.recordPut(document.id(), hash, path);
            tally.put(outcome.status(), outcome.searchable());
            finish(false);
        } catch (UncheckedIOException e) {
            failed(path, e.getMessage());
        }
    }

    void deleted(String id) {
        try {
            state.recordDelete(id);
            tally.deleted.incrementAndGet();
            finish(false);
        } catch (UncheckedIOException e) {
            failed("delete " + id, e.getMessage());
        }
    }

    void failed(String what, CallFailed e) {
        if (e.fatal()) {
            abort.compareAndSet(null, e.getMessage());
        }
        failed(what, e.getMessage());
    }

    void failed(String what, String reason) {
        tally.fail(what, reason);
        finish(true);
    }

    private void finish(boolean failure) {
        progress.advance(failure);
        if (finished.incrementAndGet() % CHECKPOINT_EVERY == 0) {
            try {
                state.checkpoint();
            } catch (IOException | UncheckedIOException e) {
                tally.fail("job state", "cannot save a snapshot (the journal still holds the progress): " + e);
            }
        }
    }
}
