package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentReaderTest {

    @TempDir
    Path dir;

    @Test
    void buildsTheBodyWithTitleFolderGrantsAndMetadata() throws Exception {
        Files.writeString(dir.resolve("leave.md"), "Intro line\n\n# Parental  leave\n\nSixteen weeks.\n");
        JsonNode body = new ObjectMapper()
                .readTree(
                        reader().prepare(document("leave.md", "hr", "user:bob")).json());
        assertEquals("Parental leave", body.get("title").asText());
        assertEquals("text/markdown", body.get("mimeType").asText());
        assertEquals("hr", body.get("folder").asText());
        assertEquals("user:bob", body.get("viewers").get(0).asText());
        assertEquals("https://intranet.example/leave.md", body.get("source").asText());
        assertEquals("leave.md", body.get("metadata").get("path").asText());
        assertEquals("demo", body.get("metadata").get("collection").asText());
        assertTrue(body.get("contentBase64") == null && body.get("editors") == null, "empty values are left out");
    }

    @Test
    void theHashChangesWithContentOrGrantsOnly() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "one");
        String first = reader().prepare(document("a.txt", null, "user:bob")).hash();
        assertEquals(
                first, reader().prepare(document("a.txt", null, "user:bob")).hash());
        assertNotEquals(
                first, reader().prepare(document("a.txt", null, "user:eve")).hash());
        Files.writeString(dir.resolve("a.txt"), "two");
        assertNotEquals(
                first, reader().prepare(document("a.txt", null, "user:bob")).hash());
    }

    @Test
    void titlesFallBackToTheFileName() {
        assertEquals("Policy", DocumentReader.title("x/p.html", "text/html", "<html><title>Policy</title></html>"));
        assertEquals("notes.v2", DocumentReader.title("x/notes.v2.txt", "text/plain", "# not a title in text"));
        assertEquals("application/pdf", DocumentReader.mimeType("a/B.PDF"));
    }

    @Test
    void unreadableFilesFailWithAReason() throws Exception {
        Files.write(dir.resolve("bad.txt"), new byte[] {(byte) 0xff, (byte) 0xfe, 0x41});
        var e = assertThrows(
                DocumentReader.UnreadableException.class,
                () -> reader().prepare(document("bad.txt", null, "user:bob")));
        assertEquals("not UTF-8 text", e.getMessage());
        assertThrows(
                DocumentReader.UnreadableException.class,
                () -> reader().prepare(document("gone.md", null, "user:bob")));
    }

    private DocumentReader reader() {
        var source = new JobSpec.Source(".", null, null, null, "https://intranet.example/");
        var spec = new JobSpec(
                "demo",
                "acme",
                null,
                null,
                source,
                null,
                null,
                null,
                null,
                Map.of("collection", "demo"),
                null,
                null,
                null);
        return new DocumentReader(dir, spec);
    }

    private static Plan.Document document(String path, String folder, String viewer) {
        return new Plan.Document(path, SourceFile.of(path), folder, new JobSpec.Grants(List.of(viewer), null, null));
    }
}
