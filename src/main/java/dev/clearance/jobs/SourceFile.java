package dev.clearance.jobs;

import java.util.Map;

/**
 * A file to ingest, by its path relative to the source directory ('/' separated). The id and title
 * are null unless a manifest sets them; grants are the file's own, on top of its folder's.
 */
record SourceFile(String path, String id, String title, Map<String, String> metadata, JobSpec.Grants grants) {

    static SourceFile of(String path) {
        return new SourceFile(path, null, null, Map.of(), JobSpec.Grants.NONE);
    }
}
