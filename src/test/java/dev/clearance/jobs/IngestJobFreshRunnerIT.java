package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose runner lost its state (a fresh CI runner, a wiped workspace) still removes what its
 * spec no longer has: the service lists what the job sent under its name. Real service, PostgreSQL
 * and OpenFGA; the job runs in-process against the service's HTTP port.
 */
@MicronautTest
class IngestJobFreshRunnerIT extends IntegrationTest {

    private static final String FIRST_SPEC = """
            name: handbook
            tenant: %s
            source: {directory: docs, include: ["**/*.md"]}
            groups:
              eng: [user:alice, user:bob]
            folders:
              eng: {viewers: ["group:eng#member"]}
              hr: {viewers: [user:hana, user:fred]}
            batchSize: 2
            """;

    /** Bob left the group, fred lost the HR folder, the pager rota file is gone. */
    private static final String SECOND_SPEC = """
            name: handbook
            tenant: %s
            source: {directory: docs, include: ["**/*.md"]}
            groups:
              eng: [user:alice]
            folders:
              eng: {viewers: ["group:eng#member"]}
              hr: {viewers: [user:hana]}
            batchSize: 2
            """;

    @Inject
    EmbeddedServer server;

    @Inject
    @Client("/")
    HttpClient client;

    @TempDir
    Path dir;

    Api api;
    String writer;

    @BeforeAll
    void setUp() {
        api = new Api(client.toBlocking());
        writer = IDP.token("ingest-bot", tenant, "documents:write relationships:write");
    }

    @Test
    void aFreshRunnerDeletesWhatTheSpecDroppedAndLeavesOtherWritersAlone() throws Exception {
        write("eng/kettle.md", "# Kettle descaling\n\nDescale the office kettle with citric acid every month.\n");
        write("eng/bikes.md", "# Bicycle storage\n\nPark bicycles in the basement garage next to the lockers.\n");
        write("eng/pager.md", "# Pager rota\n\nThe retired pager rota for night shift on-call engineers.\n");
        write("hr/leave.md", "# Parental leave\n\nParental leave policy: sixteen weeks of paid leave.\n");
        assertEquals(0, runJob(FIRST_SPEC), output);

        // Written by others in the same tenant: by hand (no writer name) and by another job.
        post(Map.of("writes", List.of(Api.tuple("user:carol", "member", "group:eng"))));
        post(Map.of("writes", List.of(Api.tuple("user:olga", "viewer", "folder:hr")), "managedBy", "job:other"));
        put("handwritten", "Night shift pager handover notes kept by hand.", null);
        put("other-job-note", "Night shift pager checklist from another job.", "job:other");

        String alice = user("alice");
        assertTrue(api.searchIds(alice, "pager rota night shift", 10).contains("eng~pager.md"));
        assertEquals(200, api.get(alice, "eng~pager.md").getStatus().getCode());
        assertTrue(api.searchIds(user("bob"), "kettle descaling", 5).contains("eng~kettle.md"));
        assertTrue(api.searchIds(user("fred"), "parental leave", 5).contains("hr~leave.md"));

        Files.delete(dir.resolve("docs/eng/pager.md"));
        deleteRecursively(dir.resolve(JobRunner.STATE_DIRECTORY));
        assertEquals(0, runJob(SECOND_SPEC), output);

        assertEquals(404, api.get(alice, "eng~pager.md").getStatus().getCode(), "the removed file is deleted");
        assertFalse(api.searchIds(alice, "pager rota night shift", 10).contains("eng~pager.md"));
        assertEquals(List.of(), api.searchIds(user("bob"), "kettle descaling", 5), "bob left the group");
        assertEquals(List.of(), api.searchIds(user("fred"), "parental leave", 5), "fred lost the folder");

        assertTrue(api.searchIds(alice, "kettle descaling", 5).contains("eng~kettle.md"));
        assertTrue(api.searchIds(user("hana"), "parental leave", 5).contains("hr~leave.md"));
        assertTrue(api.searchIds(user("carol"), "kettle descaling", 5).contains("eng~kettle.md"), "untagged tuple");
        assertTrue(api.searchIds(user("olga"), "parental leave", 5).contains("hr~leave.md"), "other job's tuple");
        assertEquals(200, api.get(alice, "handwritten").getStatus().getCode(), "untagged document");
        assertEquals(200, api.get(alice, "other-job-note").getStatus().getCode(), "other job's document");
        assertEquals(List.of("eng~bikes.md", "eng~kettle.md", "hr~leave.md"), listedDocuments("job:handbook"));
    }

    private String output = "";

    private int runJob(String spec) throws IOException {
        Path specFile = dir.resolve("handbook.yaml");
        Files.writeString(specFile, spec.formatted(tenant));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int exit = IngestJob.execute(
                Map.of("CLEARANCE_TOKEN", writer),
                print,
                print,
                "run",
                "--progress",
                "none",
                "--service",
                server.getURL().toString(),
                specFile.toString());
        output = bytes.toString(StandardCharsets.UTF_8);
        return exit;
    }

    private void write(String path, String text) throws IOException {
        Path file = dir.resolve("docs").resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private void post(Map<String, Object> change) {
        HttpResponse<Map> response = api.exchange(HttpRequest.POST("/v1/relationships", change), writer);
        assertEquals(200, response.getStatus().getCode(), String.valueOf(response.getBody()));
    }

    private void put(String id, String text, String managedBy) {
        Map<String, Object> body = managedBy == null
                ? Map.of("title", id, "text", text, "viewers", List.of("user:alice"))
                : Map.of("title", id, "text", text, "viewers", List.of("user:alice"), "managedBy", managedBy);
        assertEquals(201, api.put(writer, id, body).getStatus().getCode());
    }

    @SuppressWarnings("unchecked")
    private List<String> listedDocuments(String managedBy) {
        HttpResponse<Map> response = api.exchange(HttpRequest.GET("/v1/documents?managedBy=" + managedBy), writer);
        assertEquals(200, response.getStatus().getCode(), String.valueOf(response.getBody()));
        List<Map<String, String>> documents =
                (List<Map<String, String>>) response.body().get("documents");
        return documents.stream().map(d -> d.get("id")).toList();
    }

    private String user(String name) {
        return IDP.token(name, tenant, "");
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
