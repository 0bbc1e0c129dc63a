package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecLoaderTest {

    @TempDir
    Path dir;

    @Test
    void readsAFullSpec() throws Exception {
        JobSpec spec = load("handbook.yaml", """
                tenant: acme
                demoToken: {user: ingest}
                source:
                  directory: docs
                  include: ["**/*.md"]
                  exclude: ["drafts/**"]
                rootFolder: handbook
                groups:
                  eng: [user:alice, "group:backend#member"]
                folders:
                  ".": {viewers: ["user:*"]}
                  eng/design:
                    viewers: [group:eng#member, agent:helpdesk-bot]
                    owners: [user:carol]
                files:
                  - match: "**/salary-*.md"
                    viewers: [group:finance#member]
                metadata: {collection: handbook}
                deleteMissing: false
                concurrency: 4
                batchSize: 20
                """);
        assertEquals("handbook", spec.name(), "the name defaults to the file name");
        assertEquals("acme", spec.tenant());
        assertEquals("ingest", spec.demoToken().user());
        assertEquals(List.of("drafts/**"), spec.source().exclude());
        assertEquals(
                List.of("user:alice", "group:backend#member"), spec.groups().get("eng"));
        assertEquals(List.of("user:carol"), spec.folders().get("eng/design").owners());
        assertEquals(List.of(), spec.folders().get("eng/design").editors());
        assertEquals("**/salary-*.md", spec.files().getFirst().match());
        assertEquals(false, spec.deleteMissing());
        assertEquals(4, spec.concurrency());
        assertEquals(20, spec.batchSize());
    }

    @Test
    void appliesDefaults() throws Exception {
        JobSpec spec = load("minimal.yml", "tenant: acme\nsource: {directory: .}\n");
        assertEquals("minimal", spec.name());
        assertEquals(JobSpec.Source.DEFAULT_INCLUDE, spec.source().include());
        assertTrue(spec.deleteMissing());
        assertEquals(JobSpec.DEFAULT_CONCURRENCY, spec.concurrency());
        assertEquals(JobSpec.DEFAULT_BATCH_SIZE, spec.batchSize());
        assertNull(spec.rootFolder());
        assertTrue(spec.groups().isEmpty()
                && spec.folders().isEmpty()
                && spec.files().isEmpty());
    }

    @Test
    void unknownKeysAreNamedWithTheirPath() {
        List<String> problems = problems("tenant: acme\nsource: {directory: ., inclde: ['*.md']}\n");
        assertEquals(1, problems.size());
        assertTrue(problems.getFirst().startsWith("source.inclde (line 2)"), problems.getFirst());
    }

    @Test
    void reportsEveryProblemAtOnce() {
        List<String> problems = problems("""
                name: "bad name"
                service: localhost:8080
                groups:
                  eng: [alice, "group:x"]
                folders:
                  ".": {viewers: ["user:*"]}
                  "../outside": {viewers: [user:bob]}
                  empty: {}
                files:
                  - match: "{unclosed"
                    viewers: [user:bob]
                concurrency: 0
                """);
        String all = String.join("\n", problems);
        for (String expected : List.of(
                "name:",
                "tenant: required",
                "service:",
                "source.directory: required",
                "'alice' is not a subject",
                "'group:x' is not a subject",
                "folders..:",
                "folders.../outside:",
                "folders.empty: give at least one",
                "files[0].match",
                "concurrency:")) {
            assertTrue(all.contains(expected), "missing '" + expected + "' in\n" + all);
        }
    }

    @Test
    void tenantsFollowTheServicesRuleForTokens() throws Exception {
        assertEquals(
                "a_b.c-1",
                load("ok.yaml", "tenant: a_b.c-1\nsource: {directory: .}\n").tenant());
        // The service refuses these tenants in tokens, so a job for them could never be authorised.
        for (String tenant : List.of("g++", "a~b", "a@b", "a=b", "t".repeat(65))) {
            List<String> problems = problems("tenant: '" + tenant + "'\nsource: {directory: .}\n");
            assertTrue(problems.getFirst().startsWith("tenant: required, must match"), tenant + ": " + problems);
        }
        List<String> demo = problems("tenant: acme\ndemoToken: {user: bot, tenant: 'a+b'}\nsource: {directory: .}\n");
        assertTrue(demo.getFirst().startsWith("demoToken.tenant:"), demo.toString());
    }

    @Test
    void groupAndFolderIdsFollowTheServicesIdRule() throws Exception {
        JobSpec spec = load("ids.yaml", """
                tenant: acme
                rootFolder: libstdc++-12.2@v=1
                source: {directory: .}
                groups:
                  g++: ["group:a.b_c~d@e=f+g-h#member", user:alice]
                """);
        assertEquals(
                List.of("group:a.b_c~d@e=f+g-h#member", "user:alice"),
                spec.groups().get("g++"));
        String all = String.join("\n", problems("""
                tenant: acme
                rootFolder: "-x"
                source: {directory: .}
                groups:
                  "a/b": [user:alice]
                  ok: ["group:%s#member", "group:_x#member"]
                """.formatted("g".repeat(201))));
        for (String expected : List.of(
                "rootFolder: must be 1 to 200 characters",
                "groups.a/b: not a valid group id",
                "'group:" + "g".repeat(201) + "#member' is not a subject",
                "'group:_x#member' is not a subject")) {
            assertTrue(all.contains(expected), "missing '" + expected + "' in\n" + all);
        }
    }

    @Test
    void idsAndPrincipalsFollowTheServicesRulesForTheTenant() throws Exception {
        String group = "g".repeat(190);
        String spec = "tenant: %s\ndemoToken: {user: %s}\nsource: {directory: .}\ngroups: {%s: [user:alice]}\n";
        assertEquals(
                group.length(),
                load("ok.yaml", spec.formatted("acme", "ingest-bot", group))
                        .groups()
                        .keySet()
                        .iterator()
                        .next()
                        .length());
        // "group:<64-character tenant>/" leaves 185 characters of OpenFGA's 256 for the id.
        String all = String.join("\n", problems(spec.formatted("t".repeat(64), "'bot #1'", group)));
        for (String expected :
                List.of("demoToken.user: must be a user id", "groups." + group + ": not a valid group id")) {
            assertTrue(all.contains(expected), "missing '" + expected + "' in\n" + all);
        }
    }

    @Test
    void emptyAndBrokenFilesAreSpecErrors() {
        assertEquals(List.of("the spec is empty"), problems(""));
        String broken = problems("tenant: 'unclosed\n").getFirst();
        assertTrue(broken.startsWith("not valid YAML"), broken);
        String wrongType = problems("tenant: [a, b]\n").getFirst();
        assertTrue(wrongType.startsWith("tenant (line 1): Cannot deserialize"), wrongType);
    }

    private JobSpec load(String name, String yaml) throws IOException, SpecLoader.SpecException {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        return SpecLoader.load(file);
    }

    private List<String> problems(String yaml) {
        return assertThrows(SpecLoader.SpecException.class, () -> load("job.yaml", yaml))
                .problems();
    }
}
