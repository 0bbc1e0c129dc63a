package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobStateTest {

    private static final String SERVICE = "http://localhost:8080";

    @TempDir
    Path dir;

    @Test
    void aRunThatDiesWithoutACheckpointKeepsEveryRecordedCall() throws Exception {
        try (JobState state = open()) {
            state.recordPut("a", "h1", "a.md");
            state.recordPut("b", "h2", "b.md");
            state.recordDelete("b");
            state.recordRelationships(List.of(new Tuple("user:bob", "member", "group:eng")));
            // no checkpoint: like a SIGKILL, only the journal holds these
        }
        try (JobState state = open()) {
            assertEquals("h1", state.hashOf("a"));
            assertNull(state.hashOf("b"));
            assertEquals(Set.of("a"), state.documentIds());
            assertEquals(List.of(new Tuple("user:bob", "member", "group:eng")), state.relationships());
        }
    }

    @Test
    void aDocumentSentWhenTheRunDiedIsKnownWithAnUnknownBody() throws Exception {
        try (JobState state = open()) {
            state.recordPut("a", "h1", "a.md");
            state.recordSending("a", "a.md"); // an edit in flight when the run was killed
            state.recordSending("b", "b.md"); // a new document in flight
            state.recordSending("c", "c.md");
            state.recordPut("c", "h3", "c.md"); // answered before the kill
        }
        try (JobState state = open()) {
            // Known, so a later run deletes them if their files are gone; no hash, so it sends
            // them again if the files are still there.
            assertEquals(Set.of("a", "b", "c"), state.documentIds());
            assertNull(state.hashOf("a"));
            assertNull(state.hashOf("b"));
            assertEquals("h3", state.hashOf("c"));
        }
    }

    @Test
    void aTornLastJournalLineIsIgnored() throws Exception {
        try (JobState state = open()) {
            state.recordPut("a", "h1", "a.md");
        }
        Path journal = only(".journal");
        Files.writeString(journal, "{\"op\":\"put\",\"id\":\"b\",\"ha", StandardOpenOption.APPEND);
        try (JobState state = open()) {
            assertEquals(Set.of("a"), state.documentIds());
        }
    }

    @Test
    void checkpointsReplaceTheSnapshotAndEmptyTheJournal() throws Exception {
        try (JobState state = open()) {
            state.recordPut("a", "h1", "a.md");
            state.checkpoint();
            assertEquals(0, Files.size(only(".journal")));
            String snapshot = Files.readString(only(".json"));
            assertTrue(snapshot.contains("\"a\"") && snapshot.contains("h1"), snapshot);
            state.recordPut("a", "h2", "a.md");
        }
        try (JobState state = open()) {
            assertEquals("h2", state.hashOf("a"), "the journal is applied on top of the snapshot");
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")));
        }
    }

    @Test
    void eachServiceAndTenantHasItsOwnState() throws Exception {
        try (JobState state = open()) {
            state.recordPut("a", "h1", "a.md");
        }
        try (JobState other = JobState.open(dir, "job", "http://elsewhere:8080", "acme")) {
            assertTrue(other.documentIds().isEmpty());
        }
        try (JobState other = JobState.open(dir, "job", SERVICE, "globex")) {
            assertTrue(other.documentIds().isEmpty());
        }
    }

    @Test
    void twoRunsOfAJobExcludeEachOther() throws Exception {
        try (JobState first = open()) {
            IOException e = assertThrows(IOException.class, this::open);
            assertTrue(e.getMessage().contains("another run"), e.getMessage());
        }
        open().close();
    }

    private JobState open() throws IOException {
        return JobState.open(dir, "job", SERVICE, "acme");
    }

    private Path only(String suffix) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(suffix)).findFirst().orElseThrow();
        }
    }
}
