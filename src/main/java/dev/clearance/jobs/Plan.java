package dev.clearance.jobs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a run makes true on the service: every document with its id, folder and own grants, and the
 * access rules around them (group members, folder parents, folder grants). Computed without I/O.
 */
record Plan(List<Document> documents, List<Tuple> tuples, List<String> warnings) {

    /** A document to send; {@code folder} is null for a top-level file when there is no root folder. */
    record Document(String id, SourceFile file, String folder, JobSpec.Grants grants) {}

    static Plan of(JobSpec spec, List<SourceFile> files) throws SpecLoader.SpecException {
        IdMapping ids = new IdMapping(spec.rootFolder(), spec.tenant());
        List<Glob> ruleGlobs =
                spec.files().stream().map(r -> new Glob(r.match())).toList();
        List<Document> documents = new ArrayList<>(files.size());
        Map<String, String> pathById = new HashMap<>();
        List<String> collisions = new ArrayList<>();
        Set<String> directories = new TreeSet<>();
        for (SourceFile file : files) {
            String id = file.id() != null ? file.id() : ids.documentId(file.path());
            String previous = pathById.putIfAbsent(id, file.path());
            if (previous != null) {
                collisions.add("documents " + previous + " and " + file.path() + " both get the id " + id);
            }
            String directory = IdMapping.parentOf(file.path());
            addWithAncestors(directory, directories);
            JobSpec.Grants grants = file.grants();
            for (int i = 0; i < ruleGlobs.size(); i++) {
                if (ruleGlobs.get(i).matches(file.path())) {
                    grants = grants.plus(spec.files().get(i).grants());
                }
            }
            documents.add(new Document(id, file, ids.folderId(directory), grants));
        }
        if (!collisions.isEmpty()) {
            throw new SpecLoader.SpecException(collisions);
        }

        Set<Tuple> tuples = new LinkedHashSet<>();
        new TreeMap<>(spec.groups()).forEach((group, members) -> {
            for (String member : members) {
                tuples.add(new Tuple(member, "member", "group:" + group));
            }
        });
        List<String> warnings = new ArrayList<>();
        Map<String, JobSpec.Grants> folderGrants = new TreeMap<>();
        spec.folders().forEach((path, grants) -> {
            String normal = IdMapping.normalise(path);
            if (!directories.contains(normal) && !normal.isEmpty()) {
                warnings.add("folders." + path + ": no document lies in or under this directory");
                addWithAncestors(normal, directories);
            }
            folderGrants.merge(normal, grants, JobSpec.Grants::plus);
        });
        for (String directory : directories) {
            String parent = ids.folderId(IdMapping.parentOf(directory));
            if (parent != null) {
                tuples.add(new Tuple("folder:" + parent, "parent", "folder:" + ids.folderId(directory)));
            }
        }
        folderGrants.forEach((path, grants) -> grant(grants, "folder:" + ids.folderId(path), tuples));
        return new Plan(List.copyOf(documents), List.copyOf(tuples), List.copyOf(warnings));
    }

    private static void grant(JobSpec.Grants grants, String object, Set<Tuple> tuples) {
        grants.viewers().forEach(s -> tuples.add(new Tuple(s, "viewer", object)));
        grants.editors().forEach(s -> tuples.add(new Tuple(s, "editor", object)));
        grants.owners().forEach(s -> tuples.add(new Tuple(s, "owner", object)));
    }

    // Every directory on the way down is a folder too, so access granted high up flows to the leaves.
    private static void addWithAncestors(String directory, Set<String> directories) {
        for (String d = directory; !d.isEmpty() && directories.add(d); d = IdMapping.parentOf(d)) {}
    }
}
