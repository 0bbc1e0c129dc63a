package dev.clearance.authz;

import dev.clearance.identity.Caller;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/** Validates, tenant-scopes and applies a client's relationship changes. */
@Singleton
public final class RelationshipService {

    private final TupleScoper scoper;
    private final RelationshipStore store;

    RelationshipService(TupleScoper scoper, RelationshipStore store) {
        this.scoper = scoper;
        this.store = store;
    }

    public void change(Caller caller, List<Relationship> writes, List<Relationship> deletes) {
        caller.requireScope(Caller.RELATIONSHIPS_WRITE);
        store.write(scope(caller, writes, "writes"), scope(caller, deletes, "deletes"));
    }

    private List<ScopedTuple> scope(Caller caller, List<Relationship> relationships, String field) {
        List<ScopedTuple> scoped = new ArrayList<>(relationships.size());
        for (int i = 0; i < relationships.size(); i++) {
            scoped.add(scoper.scope(caller.tenant(), relationships.get(i), field + "[" + i + "]"));
        }
        return scoped;
    }
}
