package dev.clearance.access;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tuples of the desired state keyed for the walk from a document up to every subject that may view
 * it, following the model's {@code can_view}: a direct grant ({@code owner}, {@code editor},
 * {@code viewer}) on the document or on a folder above it, reached through nested
 * {@code group#member} sets, or {@code user:*}. One walk for an explanation of one document
 * ({@link AccessPaths}) and for the review of a whole tenant ({@link AccessReview}), so the two can
 * never disagree on what a path is.
 */
final class AccessGraph {

    static final int MAX_PATHS = 10;
    static final int MAX_DEPTH = 32;
    static final Set<String> GRANTS = Set.of("owner", "editor", "viewer");

    private final Map<String, List<String>> parents = new HashMap<>();
    private final Map<String, List<AccessPaths.Step>> grants = new HashMap<>();
    private final Map<String, List<String>> members = new HashMap<>();

    /** Adds one tuple (object, relation, subject); relations the walk does not follow are ignored. */
    void add(String object, String relation, String subject) {
        if (relation.equals("parent")) {
            parents.computeIfAbsent(object, k -> new ArrayList<>()).add(subject);
        } else if (relation.equals("member")) {
            members.computeIfAbsent(object, k -> new ArrayList<>()).add(subject);
        } else if (GRANTS.contains(relation)) {
            grants.computeIfAbsent(object, k -> new ArrayList<>()).add(new AccessPaths.Step(subject, relation, object));
        }
    }

    /** Forgets every tuple on {@code object} (a document whose review is written). */
    void remove(String object) {
        parents.remove(object);
        grants.remove(object);
        members.remove(object);
    }

    /** Whether {@code ancestor} is {@code object} or a folder above it. */
    boolean isUnder(String object, String ancestor) {
        Set<String> seen = new HashSet<>();
        List<String> frontier = List.of(object);
        while (!frontier.isEmpty()) {
            List<String> next = new ArrayList<>();
            for (String o : frontier) {
                if (o.equals(ancestor)) {
                    return true;
                }
                if (seen.add(o)) {
                    next.addAll(parents.getOrDefault(o, List.of()));
                }
            }
            frontier = next;
        }
        return false;
    }

    /**
     * Every subject that may view {@code document}, in subject order, with tenant-relative ids and
     * at most {@link #MAX_PATHS} paths each, shortest first.
     */
    List<AccessPaths.Reach> reaches(String tenant, String document) {
        Map<String, List<List<AccessPaths.Step>>> found = new LinkedHashMap<>();
        walk(document, new ArrayList<>(), new HashSet<>(), found);
        return found.entrySet().stream()
                .map(e -> new AccessPaths.Reach(
                        TupleScoper.unscope(tenant, e.getKey()),
                        e.getValue().stream()
                                .sorted(Comparator.comparingInt(List::size))
                                .map(path -> relative(tenant, path))
                                .toList()))
                .sorted(Comparator.comparing(AccessPaths.Reach::subject))
                .toList();
    }

    /**
     * From {@code object} (the document, then each folder above it) to every subject, carrying the
     * steps from that object down to the document ({@code below}). {@code seen} holds the objects and
     * groups on the current path, so a cycle in the data ends the walk.
     */
    private void walk(
            String object,
            List<AccessPaths.Step> below,
            Set<String> seen,
            Map<String, List<List<AccessPaths.Step>>> found) {
        if (below.size() >= MAX_DEPTH || !seen.add(object)) {
            return;
        }
        for (AccessPaths.Step grant : grants.getOrDefault(object, List.of())) {
            reach(grant.user(), prepend(grant, below), seen, found);
        }
        for (String parent : parents.getOrDefault(object, List.of())) {
            walk(parent, prepend(new AccessPaths.Step(parent, "parent", object), below), seen, found);
        }
        seen.remove(object);
    }

    private void reach(
            String subject,
            List<AccessPaths.Step> path,
            Set<String> seen,
            Map<String, List<List<AccessPaths.Step>>> found) {
        List<List<AccessPaths.Step>> paths = found.computeIfAbsent(subject, s -> new ArrayList<>());
        if (paths.size() < MAX_PATHS) {
            paths.add(path);
        }
        if (!subject.endsWith("#member") || path.size() >= MAX_DEPTH) {
            return;
        }
        String group = subject.substring(0, subject.length() - "#member".length());
        if (!seen.add(group)) {
            return;
        }
        for (String member : members.getOrDefault(group, List.of())) {
            reach(member, prepend(new AccessPaths.Step(member, "member", group), path), seen, found);
        }
        seen.remove(group);
    }

    private static List<AccessPaths.Step> prepend(AccessPaths.Step step, List<AccessPaths.Step> rest) {
        List<AccessPaths.Step> path = new ArrayList<>(rest.size() + 1);
        path.add(step);
        path.addAll(rest);
        return path;
    }

    private static List<AccessPaths.Step> relative(String tenant, List<AccessPaths.Step> path) {
        return path.stream()
                .map(s -> new AccessPaths.Step(
                        TupleScoper.unscope(tenant, s.user()), s.relation(), TupleScoper.unscope(tenant, s.object())))
                .toList();
    }
}
