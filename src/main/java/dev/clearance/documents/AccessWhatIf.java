package dev.clearance.documents;

import dev.clearance.access.AccessPaths;
import dev.clearance.access.ObjectIds;
import dev.clearance.access.Relationship;
import dev.clearance.access.TupleScoper;
import dev.clearance.contract.Scopes;
import dev.clearance.identity.Caller;
import dev.clearance.platform.Problem;
import dev.clearance.platform.ValidationProblem;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * "If these tuples were written and deleted, who would gain or lose access to these documents?"
 * Evaluated on the desired state with the change laid over it, never written anywhere (ADR 0012).
 * For auditors ({@code audit:read}). Deletions are part of the question, which OpenFGA's contextual
 * tuples (additions only) could not answer.
 */
@Singleton
public final class AccessWhatIf {

    static final int MAX_DOCUMENTS = 100;

    @Serdeable
    public record Question(
            @Nullable List<Relationship> writes, @Nullable List<Relationship> deletes, List<String> documents) {}

    /** Subjects (users, agents, {@code user:*}, group sets) that would gain or lose the document. */
    @Serdeable
    public record Change(String documentId, boolean exists, List<String> gained, List<String> lost) {}

    @Serdeable
    public record Answer(List<Change> documents) {}

    private final TupleScoper scoper;
    private final AccessPaths paths;
    private final DocumentRepository documents;

    AccessWhatIf(TupleScoper scoper, AccessPaths paths, DocumentRepository documents) {
        this.scoper = scoper;
        this.paths = paths;
        this.documents = documents;
    }

    public Answer ask(Caller caller, Question question) {
        caller.requireScope(Scopes.AUDIT_READ);
        String tenant = caller.tenant();
        List<String> ids = question.documents() == null ? List.of() : question.documents();
        if (ids.isEmpty() || ids.size() > MAX_DOCUMENTS) {
            throw new ValidationProblem(List.of(
                    new Problem.FieldError("documents", "name 1 to " + MAX_DOCUMENTS + " documents to evaluate")));
        }
        for (int i = 0; i < ids.size(); i++) {
            if (!ObjectIds.isValidLocalId(ids.get(i))) {
                throw new ValidationProblem(
                        List.of(new Problem.FieldError("documents[" + i + "]", "not a document id")));
            }
        }
        AccessPaths.Overlay overlay = new AccessPaths.Overlay(
                Set.copyOf(scoper.scopeAll(tenant, orEmpty(question.writes()), "writes")),
                Set.copyOf(scoper.scopeAll(tenant, orEmpty(question.deletes()), "deletes")));
        List<Change> out = new ArrayList<>();
        for (String id : new LinkedHashSet<>(ids)) {
            boolean exists = documents.find(tenant, id).isPresent();
            Set<String> before = subjects(paths.reaches(tenant, id));
            Set<String> after = subjects(paths.reaches(tenant, id, overlay));
            out.add(new Change(id, exists, difference(after, before), difference(before, after)));
        }
        return new Answer(out);
    }

    private static List<Relationship> orEmpty(@Nullable List<Relationship> tuples) {
        return tuples == null ? List.of() : tuples;
    }

    private static Set<String> subjects(List<AccessPaths.Reach> reaches) {
        Set<String> out = new TreeSet<>();
        reaches.forEach(r -> out.add(r.subject()));
        return out;
    }

    private static List<String> difference(Set<String> from, Set<String> minus) {
        return from.stream().filter(s -> !minus.contains(s)).toList();
    }
}
