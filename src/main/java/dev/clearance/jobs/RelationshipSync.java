package dev.clearance.jobs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes the job's tuples under its name (idempotent, so a service that lost them gets them back)
 * and deletes the ones the spec no longer asks for: those the service holds under the job's name
 * and those this runner remembers writing (either alone can miss one: a lost state, a service too
 * old to list). Until the deletes are through, the state keeps them, so the next run tries again.
 */
final class RelationshipSync {

    private static final int MAX_TUPLES_PER_CALL = 1000;

    private RelationshipSync() {}

    /** Returns why the run cannot go on (see {@link CallFailed#fatal()}), or null. */
    static String run(
            ServiceClient client,
            Holdings holdings,
            JobState state,
            List<Tuple> desired,
            String managedBy,
            Tally tally) {
        Set<Tuple> wanted = new HashSet<>(desired);
        Set<Tuple> recorded = new LinkedHashSet<>(state.relationships());
        try {
            // Listed first, so a token the service refuses stops the run before anything is written.
            Set<Tuple> known = new LinkedHashSet<>(state.relationships());
            known.addAll(holdings.relationships());
            List<Tuple> stale = known.stream().filter(t -> !wanted.contains(t)).toList();
            for (List<Tuple> chunk : chunks(desired)) {
                client.relationships(chunk, List.of(), managedBy);
                recorded.addAll(chunk);
                tally.tuplesWritten.addAndGet(chunk.size());
            }
            for (List<Tuple> chunk : chunks(stale)) {
                client.relationships(List.of(), chunk, managedBy);
                chunk.forEach(recorded::remove);
                tally.tuplesDeleted.addAndGet(chunk.size());
            }
            return null;
        } catch (CallFailed e) {
            tally.fail("relationships", e.getMessage());
            return e.fatal() ? e.getMessage() : null;
        } finally {
            state.recordRelationships(new ArrayList<>(recorded));
        }
    }

    private static List<List<Tuple>> chunks(List<Tuple> tuples) {
        List<List<Tuple>> chunks = new ArrayList<>();
        for (int i = 0; i < tuples.size(); i += MAX_TUPLES_PER_CALL) {
            chunks.add(tuples.subList(i, Math.min(tuples.size(), i + MAX_TUPLES_PER_CALL)));
        }
        return chunks;
    }
}
