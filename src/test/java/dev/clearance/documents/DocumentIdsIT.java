package dev.clearance.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearance.jobs.IngestJobProcess;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.McpClients;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every id the README allows ({@code A-Z a-z 0-9 . _ ~ @ = + -}, starting with a letter or digit)
 * works everywhere an id travels: in the path of PUT, GET and DELETE (as written and
 * percent-encoded, as clients that encode every reserved character send it), as {@code documentId}
 * in search results, through the MCP tools, and through the ingest job.
 */
@MicronautTest
class DocumentIdsIT extends IntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One id per character class of the rule, and realistic mixed ones. */
    private static final List<String> IDS = List.of(
            "Letters", "lower", "2026", "a.b", "a_b", "a~b", "a@b", "a=b", "a+b", "a-b", "g++", "libstdc++-12.2@v=1~x");

    @Inject
    EmbeddedServer server;

    @Inject
    @Client("/")
    HttpClient client;

    /** One test per id, each named by it, so a report names exactly the ids that fail. */
    @TestFactory
    Stream<DynamicTest> everyAllowedIdRoundTripsThroughTheApiSearchAndMcp() {
        return IDS.stream().map(id -> DynamicTest.dynamicTest(id, () -> roundTrip(id)));
    }

    private void roundTrip(String id) throws Exception {
        Api api = new Api(client.toBlocking());
        // A tenant per id, so that each search sees exactly this one document.
        String own = tenant + IDS.indexOf(id);
        String admin = IDP.token("loader", own, "documents:write");
        String reader = IDP.token("jo", own, "");
        String encoded = encodeAllReserved(id);

        HttpResponse<Map> created = api.put(admin, id, document(id));
        assertEquals(201, created.getStatus().getCode(), id + ": " + created.getBody(Map.class));
        assertEquals(id, created.body().get("id"));
        // The same document sent under its percent-encoded id is the same document, not a new one.
        HttpResponse<Map> again = api.put(admin, encoded, document(id));
        assertEquals(200, again.getStatus().getCode(), encoded + ": " + again.getBody(Map.class));
        assertEquals(id, again.body().get("id"));
        assertEquals("unchanged", again.body().get("status"), again.body().toString());

        for (String path : List.of(id, encoded)) {
            HttpResponse<Map> read = api.get(reader, path);
            assertEquals(200, read.getStatus().getCode(), path + ": " + read.getBody(Map.class));
            assertEquals(id, read.body().get("id"), path);
        }

        assertEquals(List.of(id), api.searchIds(reader, "release notes of the component " + id, 10));

        try (McpSyncClient mcp = McpClients.connect(server.getURL().toString(), reader)) {
            McpSchema.CallToolResult viewed =
                    mcp.callTool(new McpSchema.CallToolRequest("get_document", Map.of("id", id)));
            assertFalse(Boolean.TRUE.equals(viewed.isError()), McpClients.text(viewed));
            assertEquals(id, JSON.readValue(McpClients.text(viewed), Map.class).get("id"));
            McpSchema.CallToolResult found = mcp.callTool(new McpSchema.CallToolRequest(
                    "search_documents", Map.of("query", "release notes " + id, "topK", 10)));
            assertFalse(Boolean.TRUE.equals(found.isError()), McpClients.text(found));
            assertEquals(List.of(id), documentIds(McpClients.text(found)));
        }

        // Deleted through the encoded form: afterwards neither form finds it, and search forgets it.
        assertEquals(204, api.delete(admin, encoded).getStatus().getCode());
        assertEquals(404, api.get(reader, id).getStatus().getCode());
        assertEquals(404, api.get(reader, encoded).getStatus().getCode());
        assertEquals(List.of(), api.searchIds(reader, "release notes of the component " + id, 10));
    }

    /**
     * The ingest job sends every allowed id (given in a manifest) and maps file names with '+' to
     * ids that keep it: {@code g++.md} in folder {@code pkgs} is {@code pkgs~g++.md}. Its own '=XX'
     * escape covers '_', '=' and '~' in names, which it uses itself.
     */
    @Test
    void theIngestJobSendsEveryAllowedIdAndKeepsPlusInFileNames() throws Exception {
        String jobTenant = tenant + "j";
        Path dir = Files.createTempDirectory("clearance-ids-");
        Files.createDirectories(dir.resolve("docs/pkgs"));
        List<String> manifest = new ArrayList<>();
        for (int i = 0; i < IDS.size(); i++) {
            Files.writeString(dir.resolve("docs/m" + i + ".md"), "# Notes " + i + "\n\n" + text(IDS.get(i)) + "\n");
            manifest.add(JSON.writeValueAsString(
                    Map.of("path", "m" + i + ".md", "id", IDS.get(i), "viewers", List.of("user:jo"))));
        }
        Files.writeString(dir.resolve("docs/pkgs/g++.md"), "# g++\n\nThe GNU C++ compiler driver.\n");
        Files.writeString(
                dir.resolve("docs/pkgs/libstdc++-12.2@v=1~x_y.md"), "# libstdc++\n\nThe C++ standard library.\n");

        Path manifestFile = dir.resolve("docs/manifest.jsonl");
        Files.write(manifestFile, manifest, StandardCharsets.UTF_8);
        assertEquals(0, runJob(dir, jobTenant, "listed", "source: {directory: docs, manifest: docs/manifest.jsonl}"));
        assertEquals(0, runJob(dir, jobTenant, "walked", """
                        source: {directory: docs, include: ["pkgs/**"]}
                        folders:
                          pkgs: {viewers: ["user:jo"]}"""));

        Api api = new Api(client.toBlocking());
        String reader = IDP.token("jo", jobTenant, "");
        Set<String> walked = Set.of("pkgs~g++.md", "pkgs~libstdc++-12.2@v=3D1=7Ex=5Fy.md");
        Set<String> expected = new TreeSet<>(IDS);
        expected.addAll(walked);
        for (String id : expected) {
            HttpResponse<Map> read = api.get(reader, id);
            assertEquals(200, read.getStatus().getCode(), id + ": " + read.getBody(Map.class));
            assertEquals(id, read.body().get("id"));
        }
        assertEquals(expected, new TreeSet<>(api.searchIds(reader, "release notes and compilers", 50)));

        // A file removed from the directory is deleted through the job's encoded DELETE.
        Files.delete(dir.resolve("docs/pkgs/g++.md"));
        assertEquals(0, runJob(dir, jobTenant, "walked", """
                        source: {directory: docs, include: ["pkgs/**"]}
                        folders:
                          pkgs: {viewers: ["user:jo"]}"""));
        assertEquals(404, api.get(reader, "pkgs~g++.md").getStatus().getCode());
        assertEquals(
                200,
                api.get(reader, "pkgs~libstdc++-12.2@v=3D1=7Ex=5Fy.md")
                        .getStatus()
                        .getCode());
    }

    private int runJob(Path dir, String jobTenant, String name, String source) throws Exception {
        Path spec = dir.resolve(name + ".yaml");
        Files.writeString(spec, "name: " + name + "\ntenant: " + jobTenant + "\n" + source + "\n");
        Path log = dir.resolve(name + "-" + UUID.randomUUID() + ".log");
        Process process = IngestJobProcess.launch(
                spec,
                log,
                server.getURL().toString(),
                IDP.token("ingest-bot", jobTenant, "documents:write relationships:write"));
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "the job finished in time");
        int exit = process.exitValue();
        if (exit != 0) {
            System.out.println(Files.readString(log));
        }
        return exit;
    }

    private static Map<String, Object> document(String id) {
        return Map.of("title", "Component " + id, "text", text(id), "viewers", List.of("user:jo"));
    }

    private static String text(String id) {
        return "Release notes of the component " + id + ": the build now links faster and warns less.";
    }

    @SuppressWarnings("unchecked")
    private static List<String> documentIds(String searchJson) throws Exception {
        Map<String, Object> body = JSON.readValue(searchJson, Map.class);
        return ((List<Map<String, Object>>) body.get("results"))
                .stream().map(r -> (String) r.get("documentId")).distinct().collect(Collectors.toList());
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters, as encodeURIComponent does. */
    static String encodeAllReserved(String id) {
        StringBuilder out = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    @Test
    void theEncodingOfTheTestEncodesWhatClientsEncode() {
        assertEquals("g%2B%2B", encodeAllReserved("g++"));
        assertEquals("libstdc%2B%2B-12.2%40v%3D1~x", encodeAllReserved("libstdc++-12.2@v=1~x"));
    }
}
