package dev.clearance.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends the documents of a plan with a fixed number of requests in flight, then deletes the
 * documents the job sent before that are gone from the source. Each finished call is journaled at
 * once; every {@code batchSize} calls the state gets a fresh snapshot.
 */
final class DocumentSync {

    private final ServiceClient client;
    private final DocumentReader reader;
    private final JobState state;
    private final Tally tally;
    private final Progress progress;
    private final boolean full;
    private final int batchSize;
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicReference<String> abort = new AtomicReference<>();

    DocumentSync(
            ServiceClient client,
            DocumentReader reader,
            JobState state,
            Tally tally,
            Progress progress,
            boolean full,
            int batchSize) {
        this.client = client;
        this.reader = reader;
        this.state = state;
        this.tally = tally;
        this.progress = progress;
        this.full = full;
        this.batchSize = batchSize;
    }

    /** Why the run stopped early (bad token, service gone), or null. */
    String abortReason() {
        return abort.get();
    }

    void run(List<Plan.Document> documents, List<String> deletions, int concurrency) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(
                concurrency, Thread.ofPlatform().name("send-", 1).factory());
        try {
            documents.forEach(d -> pool.submit(() -> guarded(d.file().path(), () -> send(d))));
            // Deletions go last: a file that moved gets its new id before the old one disappears.
            deletions.forEach(id -> pool.submit(() -> guarded("delete " + id, () -> delete(id))));
            pool.shutdown();
            while (!pool.awaitTermination(1, TimeUnit.HOURS)) {
                // keep waiting; large corpora on slow embedders take long
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void send(Plan.Document document) throws ServiceClient.CallFailed, DocumentReader.UnreadableException {
        DocumentReader.Prepared prepared = reader.prepare(document);
        if (!full && prepared.hash().equals(state.hashOf(document.id()))) {
            tally.unchanged.incrementAndGet();
            tally.skippedLocally.incrementAndGet();
            return;
        }
        ServiceClient.PutOutcome outcome = client.put(document.id(), prepared.json());
        state.recordPut(document.id(), prepared.hash(), document.file().path());
        tally.put(outcome.status(), outcome.searchable());
    }

    private void delete(String id) throws ServiceClient.CallFailed {
        client.delete(id); // already gone counts as deleted: the goal is that it is not there
        state.recordDelete(id);
        tally.deleted.incrementAndGet();
    }

    private interface Call {
        void run() throws ServiceClient.CallFailed, DocumentReader.UnreadableException;
    }

    private void guarded(String what, Call call) {
        boolean failed = true;
        try {
            String reason = abort.get();
            if (reason != null) {
                tally.fail(what, "not sent: " + reason);
                return;
            }
            call.run();
            failed = false;
        } catch (ServiceClient.CallFailed e) {
            tally.fail(what, e.getMessage());
            if (e.fatal()) {
                abort.compareAndSet(null, e.getMessage());
            }
        } catch (DocumentReader.UnreadableException e) {
            tally.fail(what, e.getMessage());
        } catch (RuntimeException e) {
            tally.fail(what, e.toString());
        } finally {
            progress.advance(failed);
            if (finished.incrementAndGet() % batchSize == 0) {
                checkpoint();
            }
        }
    }

    private void checkpoint() {
        try {
            state.checkpoint();
        } catch (IOException | UncheckedIOException e) {
            tally.fail("job state", "cannot save a snapshot (the journal still holds the progress): " + e);
        }
    }
}
