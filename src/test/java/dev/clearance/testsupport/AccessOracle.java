package dev.clearance.testsupport;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An independent reading of fga/model.fga over a set of tuples (stored ids): who may view which
 * document. Written from the model's text, not from the service's code, so a test can compare the
 * service's answers with it.
 */
public final class AccessOracle {

    /** One tuple with stored (tenant-scoped) ids. */
    public record Tuple(String user, String relation, String object) {}

    private static final Set<String> VIEW = Set.of("owner", "editor", "viewer");

    private final Collection<Tuple> tuples;

    public AccessOracle(Collection<Tuple> tuples) {
        this.tuples = List.copyOf(tuples);
    }

    /** Whether {@code user} (e.g. {@code user:bob}) may view {@code object} (document or folder). */
    public boolean canView(String user, String object) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> objects = new ArrayDeque<>(List.of(object));
        while (!objects.isEmpty()) {
            String current = objects.poll();
            if (!seen.add(current)) {
                continue;
            }
            for (Tuple t : tuples) {
                if (!t.object().equals(current)) {
                    continue;
                }
                if (VIEW.contains(t.relation()) && grants(t.user(), user)) {
                    return true;
                }
                if (t.relation().equals("parent")) {
                    objects.add(t.user());
                }
            }
        }
        return false;
    }

    /** Whether the subject of a grant covers {@code user}: itself, user:* or a group it is in. */
    private boolean grants(String subject, String user) {
        if (subject.equals(user)) {
            return true;
        }
        if (subject.equals("user:*")) {
            return user.startsWith("user:");
        }
        if (subject.endsWith("#member")) {
            return memberOf(user, subject.substring(0, subject.length() - "#member".length()), new HashSet<>());
        }
        return false;
    }

    private boolean memberOf(String user, String group, Set<String> seen) {
        if (!seen.add(group)) {
            return false;
        }
        for (Tuple t : tuples) {
            if (t.object().equals(group) && t.relation().equals("member")) {
                if (t.user().equals(user)) {
                    return true;
                }
                if (t.user().endsWith("#member")
                        && memberOf(user, t.user().substring(0, t.user().length() - "#member".length()), seen)) {
                    return true;
                }
            }
        }
        return false;
    }
}
