package dev.clearance.jobs;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Sends the documents of a plan in batches ({@code POST /v1/documents/batch}), a fixed number of
 * requests in flight, then deletes the documents the job sent before that are gone from the
 * source. Documents unchanged since the last run are skipped before anything is sent.
 */
final class DocumentSync {

    /** The service takes 12 MB per request by default; stay well below, whatever the batch size. */
    static final long MAX_REQUEST_BYTES = 4L * 1024 * 1024;

    private record Pending(Plan.Document document, DocumentReader.Prepared prepared) {}

    private final ServiceClient client;
    private final DocumentReader reader;
    private final JobState state;
    private final Ledger ledger;
    private final boolean full;
    private final int batchSize;
    private volatile boolean batchEndpoint = true;

    DocumentSync(
            ServiceClient client, DocumentReader reader, JobState state, Ledger ledger, boolean full, int batchSize) {
        this.client = client;
        this.reader = reader;
        this.state = state;
        this.ledger = ledger;
        this.full = full;
        this.batchSize = batchSize;
    }

    void run(List<Plan.Document> documents, List<String> deletions, int concurrency) {
        List<Runnable> sends = new ArrayList<>();
        for (int i = 0; i < documents.size(); i += batchSize) {
            List<Plan.Document> slice = documents.subList(i, Math.min(documents.size(), i + batchSize));
            sends.add(() -> {
                try {
                    sendSlice(slice);
                } catch (RuntimeException e) { // a bug, not a document's fault: say so rather than hang
                    ledger.failed("documents from " + slice.getFirst().file().path(), e.toString());
                }
            });
        }
        inParallel(sends, concurrency);
        // Deletions start once every send is done: a file that moved gets its new id before the old
        // one disappears.
        inParallel(deletions.stream().<Runnable>map(id -> () -> delete(id)).toList(), concurrency);
    }

    /** Runs the tasks, {@code concurrency} at a time, and returns when all are done. */
    private static void inParallel(List<Runnable> tasks, int concurrency) {
        try (ExecutorService pool = Executors.newFixedThreadPool(
                concurrency, Thread.ofPlatform().name("send-", 1).factory())) {
            tasks.forEach(pool::submit);
        } // close() waits, however long large corpora on slow embedders take
    }

    private void sendSlice(List<Plan.Document> slice) {
        List<Pending> batch = new ArrayList<>();
        long bytes = 0;
        for (Plan.Document document : slice) {
            Pending pending = prepare(document);
            if (pending == null) {
                continue;
            }
            if (!batch.isEmpty() && bytes + pending.prepared().json().length > MAX_REQUEST_BYTES) {
                send(batch);
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(pending);
            bytes += pending.prepared().json().length;
        }
        if (!batch.isEmpty()) {
            send(batch);
        }
    }

    /** The request body of a document, or null when it needs no request (unchanged, unreadable). */
    private Pending prepare(Plan.Document document) {
        String path = document.file().path();
        if (!ledger.mayProceed(path)) {
            return null;
        }
        try {
            DocumentReader.Prepared prepared = reader.prepare(document);
            if (!full && prepared.hash().equals(state.hashOf(document.id()))) {
                ledger.skipped();
                return null;
            }
            return new Pending(document, prepared);
        } catch (DocumentReader.UnreadableException e) {
            ledger.failed(path, e.getMessage());
        } catch (RuntimeException e) {
            ledger.failed(path, e.toString());
        }
        return null;
    }

    private void send(List<Pending> batch) {
        if (batch.size() > 1 && batchEndpoint && ledger.abortReason() == null) {
            List<ServiceClient.Item> items = batch.stream()
                    .map(p -> new ServiceClient.Item(
                            p.document().id(), p.prepared().json()))
                    .toList();
            try {
                batch.forEach(p -> state.recordSending(
                        p.document().id(), p.document().file().path()));
                List<ServiceClient.PutOutcome> outcomes = client.putBatch(items);
                for (int i = 0; i < batch.size(); i++) {
                    ledger.sent(batch.get(i).document(), batch.get(i).prepared().hash(), outcomes.get(i));
                }
                return;
            } catch (CallFailed e) {
                if (!e.batchRejected()) {
                    batch.forEach(p -> ledger.failed(p.document().file().path(), e));
                    return;
                }
                batchEndpoint = batchEndpoint && !e.batchUnsupported();
            }
        }
        batch.forEach(this::putOne);
    }

    private void putOne(Pending pending) {
        Plan.Document document = pending.document();
        if (!ledger.mayProceed(document.file().path())) {
            return;
        }
        try {
            state.recordSending(document.id(), document.file().path());
            ledger.sent(
                    document,
                    pending.prepared().hash(),
                    client.put(document.id(), pending.prepared().json()));
        } catch (CallFailed e) {
            ledger.failed(document.file().path(), e);
        } catch (UncheckedIOException e) {
            ledger.failed(document.file().path(), e.getMessage());
        }
    }

    private void delete(String id) {
        if (!ledger.mayProceed("delete " + id)) {
            return;
        }
        try {
            client.delete(id); // already gone counts as deleted: the goal is that it is not there
            ledger.deleted(id);
        } catch (CallFailed e) {
            ledger.failed("delete " + id, e);
        }
    }
}
