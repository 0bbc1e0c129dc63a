package dev.clearance.jobs;

import java.io.PrintStream;
import java.util.List;

/**
 * What the service holds under the job's name: the tuples and the documents earlier runs sent, from
 * whichever runner. A run deletes what of this the spec no longer has, so losing the job state (a
 * fresh runner, a wiped workspace) leaves nothing behind. A service too old to list them (404, 405)
 * holds nothing as far as the job can tell: the run then goes by its own state alone and says so.
 */
final class Holdings {

    private interface Listing<T> {
        List<T> list() throws CallFailed;
    }

    private final ServiceClient client;
    private final String managedBy;
    private final PrintStream err;
    private final Tally tally;

    Holdings(ServiceClient client, String managedBy, PrintStream err, Tally tally) {
        this.client = client;
        this.managedBy = managedBy;
        this.err = err;
        this.tally = tally;
    }

    /** The tuples; throws only when no later call can succeed either (see {@link CallFailed#fatal()}). */
    List<Tuple> relationships() throws CallFailed {
        return listed("relationships", () -> client.managedRelationships(managedBy));
    }

    /** The document ids; throws only when no later call can succeed either. */
    List<String> documents() throws CallFailed {
        return listed("documents", () -> client.managedDocuments(managedBy));
    }

    private <T> List<T> listed(String what, Listing<T> listing) throws CallFailed {
        try {
            return listing.list();
        } catch (CallFailed e) {
            if (e.fatal()) {
                throw e;
            }
            if (e.status() == 404 || e.status() == 405) {
                err.println("warning: the service cannot list the " + what + " of " + managedBy
                        + " (an older version); only this runner's job state says what to delete");
            } else {
                // Deleting by the local state alone may leave some behind: the run is not in sync.
                tally.fail("listing " + what, e.getMessage());
            }
            return List.of();
        }
    }
}
