package dev.clearance.documents;

import dev.clearance.access.DesiredTuple;
import dev.clearance.access.ObjectIds;
import dev.clearance.access.Relationship;
import dev.clearance.access.TupleScoper;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The tuples a PUT asks for: its folder and its viewers, editors and owners, scoped to the tenant. */
@Singleton
final class DocumentGrants {

    private final TupleScoper scoper;

    DocumentGrants(TupleScoper scoper) {
        this.scoper = scoper;
    }

    List<DesiredTuple> of(String tenant, String id, DocumentInput input) {
        String object = ObjectIds.DOCUMENT + ":" + id;
        // Each grant keeps the name of the field it came from, so a refusal points at viewers[2].
        Map<String, Relationship> grants = new LinkedHashMap<>();
        if (input.folder() != null) {
            grants.put("folder", new Relationship("folder:" + input.folder(), "parent", object));
        }
        add(grants, "viewers", input.viewersOrEmpty(), "viewer", object);
        add(grants, "editors", input.editorsOrEmpty(), "editor", object);
        add(grants, "owners", input.ownersOrEmpty(), "owner", object);
        List<DesiredTuple> desired = new ArrayList<>();
        for (Map.Entry<String, Relationship> grant : grants.entrySet()) {
            desired.add(scoper.scope(tenant, grant.getValue(), grant.getKey()));
        }
        return desired.stream().distinct().toList();
    }

    private static void add(
            Map<String, Relationship> grants, String field, List<String> subjects, String relation, String object) {
        for (int i = 0; i < subjects.size(); i++) {
            grants.put(field + "[" + i + "]", new Relationship(subjects.get(i), relation, object));
        }
    }
}
