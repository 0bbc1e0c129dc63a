package dev.clearance.access;

import dev.clearance.contract.Scopes;
import dev.clearance.identity.Caller;
import dev.clearance.platform.Problem;
import jakarta.inject.Singleton;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates, tenant-scopes and applies a client's relationship changes: they become the desired
 * state in PostgreSQL (one transaction, new versions of the objects touched), then the sync drives
 * OpenFGA to it. The answer is 200 only once OpenFGA holds the change; otherwise a 503 says it is
 * recorded but not yet in effect, so no client takes a revocation for done before it is.
 */
@Singleton
public final class RelationshipService {

    private final TupleScoper scoper;
    private final DesiredState desired;
    private final AccessSync sync;
    private final Adoption adoption;
    private final RelationshipStore fga;

    RelationshipService(
            TupleScoper scoper, DesiredState desired, AccessSync sync, Adoption adoption, RelationshipStore fga) {
        this.scoper = scoper;
        this.desired = desired;
        this.sync = sync;
        this.adoption = adoption;
        this.fga = fga;
    }

    /** What the change asked for: tuples to write and to delete (without repeats), and the objects whose version moved. */
    public record Applied(int written, int deleted, Set<String> objects) {}

    public Applied change(Caller caller, List<Relationship> writes, List<Relationship> deletes, String managedBy) {
        caller.requireScope(Scopes.RELATIONSHIPS_WRITE);
        List<DesiredTuple> scopedWrites = scoper.scopeAll(caller.tenant(), writes, "writes");
        List<DesiredTuple> scopedDeletes = scoper.scopeAll(caller.tenant(), deletes, "deletes");
        Set<DesiredTuple> written = new HashSet<>(scopedWrites);
        for (int i = 0; i < scopedDeletes.size(); i++) {
            if (written.contains(scopedDeletes.get(i))) {
                throw new InvalidRelationshipException(List.of(new Problem.FieldError(
                        "deletes[" + i + "]", "the same tuple is also in writes; send one or the other")));
            }
        }
        adoptFirst(caller.tenant(), scopedWrites, scopedDeletes);
        Map<String, DesiredState.Version> changed =
                desired.change(caller.tenant(), scopedWrites, scopedDeletes, managedBy);
        if (!changed.isEmpty() && !sync.syncNow(changed.keySet())) {
            throw new AccessChangePendingException();
        }
        return new Applied(scopedWrites.size(), scopedDeletes.size(), changed.keySet());
    }

    /**
     * Objects written before the desired state existed (not yet adopted by the reconciler) first take
     * what OpenFGA holds as their desired tuples; otherwise this change would replace all of their
     * grants by the one tuple it names.
     */
    private void adoptFirst(String tenant, List<DesiredTuple> writes, List<DesiredTuple> deletes) {
        Set<String> objects = new HashSet<>();
        writes.forEach(t -> objects.add(t.object()));
        deletes.forEach(t -> objects.add(t.object()));
        adoption.awaiting(objects).forEach((object, known) -> {
            Set<DesiredTuple> held = new HashSet<>(fga.readByObject(object));
            adoption.adopt(object, tenant, known, held);
        });
    }
}
