package dev.clearance.jobs;

import java.util.List;
import java.util.Map;

/**
 * An ingest job as written in YAML (see ingest-jobs/README.md). Absent keys become their defaults
 * here, so the rest of the job never deals with nulls. Paths are relative to the spec file.
 */
record JobSpec(
        String name,
        String tenant,
        String service,
        DemoToken demoToken,
        Source source,
        String rootFolder,
        Map<String, List<String>> groups,
        Map<String, Grants> folders,
        List<FileRule> files,
        Map<String, String> metadata,
        Boolean deleteMissing,
        Integer concurrency,
        Integer batchSize) {

    static final int DEFAULT_CONCURRENCY = 2;
    static final int DEFAULT_BATCH_SIZE = 10;

    JobSpec {
        groups = groups == null ? Map.of() : groups;
        folders = folders == null ? Map.of() : folders;
        files = files == null ? List.of() : files;
        metadata = metadata == null ? Map.of() : metadata;
        deleteMissing = deleteMissing == null || deleteMissing;
        concurrency = concurrency == null ? DEFAULT_CONCURRENCY : concurrency;
        batchSize = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
    }

    /**
     * The name under which the job's documents and tuples are kept by the service, so a run can list
     * what earlier runs sent even when its own state is lost. Job names are unique per tenant.
     */
    String managedBy() {
        return "job:" + name;
    }

    JobSpec withName(String newName) {
        return new JobSpec(
                newName,
                tenant,
                service,
                demoToken,
                source,
                rootFolder,
                groups,
                folders,
                files,
                metadata,
                deleteMissing,
                concurrency,
                batchSize);
    }

    /** Asks a service running in demo mode for a token, instead of reading one from the environment. */
    record DemoToken(String user, String tenant) {}

    /** Where the documents come from: a directory walk, or a manifest listing files in that directory. */
    record Source(String directory, List<String> include, List<String> exclude, String manifest, String urlPrefix) {

        static final List<String> DEFAULT_INCLUDE =
                List.of("**/*.md", "**/*.markdown", "**/*.txt", "**/*.html", "**/*.htm", "**/*.pdf");

        Source {
            include = include == null || include.isEmpty() ? DEFAULT_INCLUDE : include;
            exclude = exclude == null ? List.of() : exclude;
        }
    }

    /** Direct grants: subjects such as user:alice, agent:bot, group:eng#member or user:*. */
    record Grants(List<String> viewers, List<String> editors, List<String> owners) {

        static final Grants NONE = new Grants(null, null, null);

        Grants {
            viewers = viewers == null ? List.of() : viewers;
            editors = editors == null ? List.of() : editors;
            owners = owners == null ? List.of() : owners;
        }

        boolean isEmpty() {
            return viewers.isEmpty() && editors.isEmpty() && owners.isEmpty();
        }

        Grants plus(Grants other) {
            return new Grants(
                    union(viewers, other.viewers), union(editors, other.editors), union(owners, other.owners));
        }

        private static List<String> union(List<String> a, List<String> b) {
            return java.util.stream.Stream.concat(a.stream(), b.stream())
                    .distinct()
                    .toList();
        }
    }

    /** Extra grants for the files whose relative path matches a glob. */
    record FileRule(String match, List<String> viewers, List<String> editors, List<String> owners) {

        Grants grants() {
            return new Grants(viewers, editors, owners);
        }
    }
}
