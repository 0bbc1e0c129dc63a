package dev.clearance.jobs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Lists the documents of a job: every included file under the source directory, or the files a
 * manifest names. Hidden files and directories (".git", the job's own state) are never documents.
 */
final class SourceScanner {

    /** One line of a manifest (JSON Lines): the file, and optionally its id, title, metadata, grants. */
    record ManifestEntry(
            String path,
            String id,
            String title,
            Map<String, String> metadata,
            List<String> viewers,
            List<String> editors,
            List<String> owners) {}

    private SourceScanner() {}

    /** The files of a job whose documents go to {@code tenant} (a manifest's ids must fit it). */
    static List<SourceFile> scan(Path directory, JobSpec.Source source, Path specDirectory, String tenant)
            throws IOException, SpecLoader.SpecException {
        if (!Files.isDirectory(directory)) {
            throw new SpecLoader.SpecException(List.of("source.directory: " + directory + " is not a directory"));
        }
        List<SourceFile> files = source.manifest() == null
                ? walk(directory, Glob.all(source.include()), Glob.all(source.exclude()))
                : manifest(specDirectory.resolve(source.manifest()), tenant);
        if (files.isEmpty()) {
            // Also protects against deleting every document of the job when a mount is missing.
            throw new SpecLoader.SpecException(List.of("source: no files found under " + directory));
        }
        return files.stream().sorted(Comparator.comparing(SourceFile::path)).toList();
    }

    private static List<SourceFile> walk(Path root, List<Glob> include, List<Glob> exclude) throws IOException {
        List<SourceFile> files = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(root) && hidden(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String relative = relative(root, file);
                if (attrs.isRegularFile()
                        && !hidden(file)
                        && Glob.anyMatches(include, relative)
                        && !Glob.anyMatches(exclude, relative)) {
                    files.add(SourceFile.of(relative));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return files;
    }

    private static List<SourceFile> manifest(Path manifest, String tenant)
            throws IOException, SpecLoader.SpecException {
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        List<String> errors = new ArrayList<>();
        List<SourceFile> files = new ArrayList<>();
        List<String> lines = Files.readAllLines(manifest);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = manifest.getFileName() + " line " + (i + 1);
            try {
                ManifestEntry e = json.readValue(line, ManifestEntry.class);
                String path = IdMapping.normalise(e.path());
                if (path == null || path.isEmpty()) {
                    errors.add(where + ": path must be a file path relative to source.directory");
                    continue;
                }
                if (e.id() != null && !IdMapping.isValid("document", tenant, e.id())) {
                    errors.add(where + ": id must be " + SpecLoader.idRule("document", tenant));
                }
                JobSpec.Grants grants = new JobSpec.Grants(e.viewers(), e.editors(), e.owners());
                SpecLoader.subjects(where + " viewers", grants.viewers(), tenant, errors);
                SpecLoader.subjects(where + " editors", grants.editors(), tenant, errors);
                SpecLoader.subjects(where + " owners", grants.owners(), tenant, errors);
                Map<String, String> metadata = e.metadata() == null ? Map.of() : e.metadata();
                files.add(new SourceFile(path, e.id(), e.title(), metadata, grants));
            } catch (IOException e) {
                errors.add(where + ": not a manifest entry: "
                        + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        if (!errors.isEmpty()) {
            throw new SpecLoader.SpecException(errors);
        }
        return files;
    }

    private static boolean hidden(Path path) {
        return path.getFileName().toString().startsWith(".");
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }
}
