package dev.clearance.authz;

import dev.clearance.identity.Caller;
import dev.clearance.web.Problem;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Validates, tenant-scopes and applies a client's relationship changes. */
@Singleton
public final class RelationshipService {

    private final TupleScoper scoper;
    private final RelationshipStore store;
    private final AccessChangeListener listener;

    RelationshipService(TupleScoper scoper, RelationshipStore store, AccessChangeListener listener) {
        this.scoper = scoper;
        this.store = store;
        this.listener = listener;
    }

    public void change(Caller caller, List<Relationship> writes, List<Relationship> deletes) {
        caller.requireScope(Caller.RELATIONSHIPS_WRITE);
        List<ScopedTuple> scopedWrites = scope(caller, writes, "writes");
        List<ScopedTuple> scopedDeletes = scope(caller, deletes, "deletes");
        Set<ScopedTuple> written = new HashSet<>(scopedWrites);
        for (int i = 0; i < scopedDeletes.size(); i++) {
            if (written.contains(scopedDeletes.get(i))) {
                throw new InvalidRelationshipException(List.of(new Problem.FieldError(
                        "deletes[" + i + "]", "the same tuple is also in writes; send one or the other")));
            }
        }
        // The same tuple twice in one change means it once (OpenFGA would refuse the duplicate).
        scopedWrites = List.copyOf(new LinkedHashSet<>(scopedWrites));
        scopedDeletes = List.copyOf(new LinkedHashSet<>(scopedDeletes));
        // Recorded before and after: a search racing the write already asks for fresh decisions.
        listener.accessChanged(caller.tenant());
        store.write(scopedWrites, scopedDeletes);
        listener.accessChanged(caller.tenant());
    }

    private List<ScopedTuple> scope(Caller caller, List<Relationship> relationships, String field) {
        List<ScopedTuple> scoped = new ArrayList<>(relationships.size());
        for (int i = 0; i < relationships.size(); i++) {
            scoped.add(scoper.scope(caller.tenant(), relationships.get(i), field + "[" + i + "]"));
        }
        return scoped;
    }
}
