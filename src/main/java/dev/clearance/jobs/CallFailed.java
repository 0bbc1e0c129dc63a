package dev.clearance.jobs;

import java.util.Set;

/**
 * A call to the service that failed for good (after retries). {@code fatal}: no later call can
 * succeed either (bad token, missing scope, service gone), so the run stops. {@code status} is the
 * HTTP status, 0 when there was no response.
 */
final class CallFailed extends Exception {

    // The service refused the batch request as a whole: no such endpoint (an older service), too
    // large, or one item failed validation. Sending the items one by one isolates the bad one.
    private static final Set<Integer> BATCH_REJECTED = Set.of(400, 404, 405, 413, 415, 422);

    private final int status;
    private final boolean fatal;

    CallFailed(String reason, int status, boolean fatal) {
        super(reason);
        this.status = status;
        this.fatal = fatal;
    }

    int status() {
        return status;
    }

    boolean fatal() {
        return fatal;
    }

    boolean batchRejected() {
        return BATCH_REJECTED.contains(status);
    }

    /** The service has no batch endpoint: use one PUT per document for the rest of the run. */
    boolean batchUnsupported() {
        return status == 404 || status == 405;
    }
}
