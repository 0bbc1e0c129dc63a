package dev.clearance.access;

import dev.clearance.platform.Jdbc;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Why a subject may view a document, read from the desired state in PostgreSQL, which is what
 * OpenFGA holds once the document is synced (ADR 0005, ADR 0012). A path is a chain of tuples from
 * the subject to the document, following the model's {@code can_view}: a direct grant ({@code owner},
 * {@code editor}, {@code viewer}) on the document or on a folder above it, reached through nested
 * {@code group#member} sets, or {@code user:*}.
 *
 * <p>All tuples a document's paths can use are read in one repeatable-read transaction (its folder
 * chain, the grants on it, the groups below those grants), so the paths are one consistent view.
 * Enumeration is bounded: at most {@link #MAX_PATHS} paths per subject and 32 steps ({@link AccessGraph}).
 */
@Singleton
public final class AccessPaths {

    static final int MAX_PATHS = AccessGraph.MAX_PATHS;

    /** One tuple of a path, with tenant-relative ids as the HTTP API writes them. */
    @Serdeable
    public record Step(String user, String relation, String object) {}

    /** A subject that may view the document, and its paths (shortest first). */
    @Serdeable
    public record Reach(String subject, List<List<Step>> paths) {}

    private final DataSource dataSource;

    AccessPaths(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Every subject that may view the document: users, agents, {@code user:*} and group sets. */
    public List<Reach> reaches(String tenant, String documentId) {
        return reaches(tenant, documentId, Overlay.NONE);
    }

    /**
     * Tuples to be written and deleted, laid over the desired state for one computation and never
     * stored: "who would reach the document if this change were made".
     */
    public record Overlay(Set<DesiredTuple> writes, Set<DesiredTuple> deletes) {

        public static final Overlay NONE = new Overlay(Set.of(), Set.of());

        public Overlay {
            writes = Set.copyOf(writes);
            deletes = Set.copyOf(deletes);
        }

        List<String[]> apply(String relation, Collection<String> objects, List<String[]> stored) {
            List<String[]> out = new ArrayList<>();
            for (String[] t : stored) {
                if (!deletes.contains(new DesiredTuple(t[2], t[1], t[0]))) {
                    out.add(t);
                }
            }
            for (DesiredTuple w : writes) {
                boolean present = stored.stream()
                        .anyMatch(t -> t[0].equals(w.object()) && t[1].equals(w.relation()) && t[2].equals(w.user()));
                if (w.relation().equals(relation) && objects.contains(w.object()) && !present) {
                    out.add(new String[] {w.object(), w.relation(), w.user()});
                }
            }
            return out;
        }
    }

    /** As {@link #reaches(String, String)}, with {@code overlay} laid over the stored tuples. */
    public List<Reach> reaches(String tenant, String documentId, Overlay overlay) {
        AccessGraph graph = Jdbc.inTransaction(dataSource, c -> {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            return load(c, List.of(ObjectIds.document(tenant, documentId)), overlay);
        });
        return graph.reaches(tenant, ObjectIds.document(tenant, documentId));
    }

    /**
     * The paths by which each of {@code principals} ({@code user:alice}, {@code agent:bot}) may view
     * the document: its own, and for a user those of {@code user:*}, from one read of the tuples.
     * Empty for a principal the desired state grants nothing (a document not yet synced, or a tuple
     * written straight into OpenFGA).
     */
    public Map<String, List<List<Step>>> pathsFor(String tenant, String documentId, List<String> principals) {
        List<Reach> reaches = reaches(tenant, documentId);
        Map<String, List<List<Step>>> out = new LinkedHashMap<>();
        principals.forEach(p -> out.put(p, pathsOf(reaches, p)));
        return out;
    }

    /**
     * For each document, the shortest path of each principal (its own, or for a user that of
     * {@code user:*}), from one read of the tuples all the documents' paths can use. A principal
     * without a path is absent from its document's map.
     */
    public Map<String, Map<String, List<Step>>> shortestFor(
            String tenant, Collection<String> documentIds, List<String> principals) {
        List<String> objects =
                documentIds.stream().map(id -> ObjectIds.document(tenant, id)).toList();
        AccessGraph graph = Jdbc.inTransaction(dataSource, c -> {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            return load(c, objects, Overlay.NONE);
        });
        Map<String, Map<String, List<Step>>> out = new LinkedHashMap<>();
        for (String id : documentIds) {
            List<Reach> reaches = graph.reaches(tenant, ObjectIds.document(tenant, id));
            Map<String, List<Step>> byPrincipal = new LinkedHashMap<>();
            for (String principal : principals) {
                List<List<Step>> found = pathsOf(reaches, principal);
                if (!found.isEmpty()) {
                    byPrincipal.put(principal, found.get(0));
                }
            }
            out.put(id, byPrincipal);
        }
        return out;
    }

    private static List<List<Step>> pathsOf(List<Reach> reaches, String principal) {
        List<List<Step>> out = new ArrayList<>();
        for (Reach reach : reaches) {
            if (reach.subject().equals(principal)
                    || (reach.subject().equals("user:*") && principal.startsWith("user:"))) {
                out.addAll(reach.paths());
            }
        }
        out.sort(Comparator.comparingInt(List::size));
        return out.size() > MAX_PATHS ? List.copyOf(out.subList(0, MAX_PATHS)) : List.copyOf(out);
    }

    /** The tuples the paths of {@code documents} can use: their folder chains, grants, groups. */
    private static AccessGraph load(Connection c, Collection<String> documents, Overlay overlay) throws SQLException {
        AccessGraph graph = new AccessGraph();
        Set<String> containers = new HashSet<>(documents);
        Collection<String> frontier = List.copyOf(documents);
        while (!frontier.isEmpty() && containers.size() < 10_000) {
            List<String> next = new ArrayList<>();
            for (String[] t : overlay.apply("parent", frontier, select(c, "parent", frontier))) {
                graph.add(t[0], t[1], t[2]);
                if (containers.add(t[2])) {
                    next.add(t[2]);
                }
            }
            frontier = next;
        }
        Set<String> groups = new HashSet<>();
        List<String> groupFrontier = new ArrayList<>();
        // In relation order, as the tenant review reads them: where more paths exist than are kept,
        // both keep the same ones.
        for (String relation : new TreeSet<>(AccessGraph.GRANTS)) {
            for (String[] t : overlay.apply(relation, containers, select(c, relation, containers))) {
                graph.add(t[0], t[1], t[2]);
                addGroup(t[2], groups, groupFrontier);
            }
        }
        while (!groupFrontier.isEmpty() && groups.size() < 10_000) {
            List<String> asked = List.copyOf(groupFrontier);
            groupFrontier.clear();
            for (String[] t : overlay.apply("member", asked, select(c, "member", asked))) {
                graph.add(t[0], t[1], t[2]);
                addGroup(t[2], groups, groupFrontier);
            }
        }
        return graph;
    }

    private static void addGroup(String subject, Set<String> groups, List<String> frontier) {
        if (subject.endsWith("#member")) {
            String group = subject.substring(0, subject.length() - "#member".length());
            if (groups.add(group)) {
                frontier.add(group);
            }
        }
    }

    /** (object, relation, subject) of the desired tuples with {@code relation} on the given objects. */
    private static List<String[]> select(Connection c, String relation, Collection<String> objects)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT object, relation, subject FROM desired_tuples WHERE relation = ? AND object = ANY (?)"
                        + " ORDER BY object, subject")) {
            s.setString(1, relation);
            s.setArray(2, c.createArrayOf("text", objects.toArray(String[]::new)));
            List<String[]> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
            return out;
        }
    }
}
