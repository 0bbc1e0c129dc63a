package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceScannerTest {

    @TempDir
    Path dir;

    @Test
    void walksIncludedFilesAndSkipsHiddenOnes() throws Exception {
        for (String path : List.of("a.md", "sub/b.md", "sub/c.txt", "drafts/d.md", ".git/x.md", "sub/.e.md")) {
            write(path);
        }
        var source = new JobSpec.Source(".", List.of("**/*.md"), List.of("drafts/**"), null, null);
        List<SourceFile> files = SourceScanner.scan(dir, source, dir, "acme");
        assertEquals(
                List.of("a.md", "sub/b.md"),
                files.stream().map(SourceFile::path).toList());
    }

    @Test
    void readsAManifest() throws Exception {
        write("docs/a.md");
        Files.writeString(dir.resolve("list.jsonl"), """
                # one document per line
                {"path": "a.md", "id": "handbook-a", "title": "A", "metadata": {"owner": "hr"}, "viewers": ["user:bob"]}

                {"path": "./missing.md"}
                """);
        var source = new JobSpec.Source("docs", null, null, "list.jsonl", null);
        List<SourceFile> files = SourceScanner.scan(dir.resolve("docs"), source, dir, "acme");
        assertEquals(2, files.size());
        SourceFile a = files.getFirst();
        assertEquals("handbook-a", a.id());
        assertEquals(Map.of("owner", "hr"), a.metadata());
        assertEquals(List.of("user:bob"), a.grants().viewers());
        assertEquals("missing.md", files.get(1).path(), "a listed file that is missing fails when it is sent");
    }

    @Test
    void badManifestLinesAreNamed() throws Exception {
        write("docs/a.md");
        Files.writeString(
                dir.resolve("list.jsonl"), "{\"path\": \"../x.md\"}\n{\"path\": \"a.md\", \"viewers\": [\"bob\"]}\n");
        var source = new JobSpec.Source("docs", null, null, "list.jsonl", null);
        var e = assertThrows(
                SpecLoader.SpecException.class, () -> SourceScanner.scan(dir.resolve("docs"), source, dir, "acme"));
        assertEquals(2, e.problems().size());
        assertTrue(
                e.problems().get(0).startsWith("list.jsonl line 1"),
                e.problems().get(0));
        assertTrue(
                e.problems().get(1).contains("'bob' is not a subject"),
                e.problems().get(1));
    }

    @Test
    void anEmptyOrMissingSourceIsASpecError() {
        var source = new JobSpec.Source(".", null, null, null, null);
        assertThrows(SpecLoader.SpecException.class, () -> SourceScanner.scan(dir, source, dir, "acme"));
        assertThrows(
                SpecLoader.SpecException.class, () -> SourceScanner.scan(dir.resolve("nope"), source, dir, "acme"));
    }

    private void write(String path) throws Exception {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "# " + path + "\n");
    }
}
