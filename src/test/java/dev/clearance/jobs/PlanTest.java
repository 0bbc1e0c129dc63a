package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The directory → folder mapping and the access rules around it. */
class PlanTest {

    private static final JobSpec.Source SOURCE = new JobSpec.Source("docs", null, null, null, null);

    @Test
    void directoriesBecomeFoldersChainedByParentTuples() throws Exception {
        JobSpec spec = spec(null, Map.of("eng", grants(List.of("group:eng#member"), List.of("user:carol"))), List.of());
        Plan plan = Plan.of(spec, files("readme.md", "eng/design/api.md", "eng/design/db/schema.md", "hr/leave.md"));

        assertEquals(
                List.of("readme.md", "eng~design~api.md", "eng~design~db~schema.md", "hr~leave.md"),
                plan.documents().stream().map(Plan.Document::id).toList());
        assertNull(plan.documents().get(0).folder(), "a top-level file has no folder without a root folder");
        assertEquals("eng~design", plan.documents().get(1).folder());
        assertEquals("eng~design~db", plan.documents().get(2).folder());
        assertEquals(
                List.of(
                        new Tuple("folder:eng", "parent", "folder:eng~design"),
                        new Tuple("folder:eng~design", "parent", "folder:eng~design~db"),
                        new Tuple("group:eng#member", "viewer", "folder:eng"),
                        new Tuple("user:carol", "owner", "folder:eng")),
                plan.tuples());
        assertTrue(plan.warnings().isEmpty());
    }

    @Test
    void aRootFolderHoldsTheTopLevelAndPrefixesEveryId() throws Exception {
        JobSpec spec = spec("handbook", Map.of(".", grants(List.of("user:*"), List.of())), List.of());
        Plan plan = Plan.of(spec, files("intro.md", "eng/api.md"));

        assertEquals(
                List.of("handbook~intro.md", "handbook~eng~api.md"),
                plan.documents().stream().map(Plan.Document::id).toList());
        assertEquals("handbook", plan.documents().get(0).folder());
        assertTrue(plan.tuples().contains(new Tuple("folder:handbook", "parent", "folder:handbook~eng")));
        assertTrue(plan.tuples().contains(new Tuple("user:*", "viewer", "folder:handbook")));
    }

    @Test
    void groupsBecomeMemberTuples() throws Exception {
        JobSpec spec = new JobSpec(
                "job",
                "acme",
                null,
                null,
                SOURCE,
                null,
                Map.of("eng", List.of("user:alice", "group:backend#member")),
                null,
                null,
                null,
                null,
                null,
                null);
        Plan plan = Plan.of(spec, files("a.md"));
        assertEquals(
                List.of(
                        new Tuple("user:alice", "member", "group:eng"),
                        new Tuple("group:backend#member", "member", "group:eng")),
                plan.tuples());
    }

    @Test
    void fileRulesAddGrantsToMatchingDocuments() throws Exception {
        JobSpec.FileRule rule = new JobSpec.FileRule("hr/**/salary-*.md", List.of("group:finance#member"), null, null);
        JobSpec spec = spec(null, Map.of(), List.of(rule));
        Plan plan = Plan.of(spec, files("hr/pay/salary-2025.md", "hr/leave.md"));
        assertEquals(
                List.of("group:finance#member"),
                plan.documents().get(0).grants().viewers());
        assertTrue(plan.documents().get(1).grants().isEmpty());
    }

    @Test
    void awkwardNamesStayDistinctAndValid() throws Exception {
        Plan plan = Plan.of(
                spec(null, Map.of(), List.of()),
                files("Team Notes/a_b.md", "Team Notes/a-b.md", "Café/x~y=z.md", "_drafts/x.md"));
        List<String> ids = plan.documents().stream().map(Plan.Document::id).toList();
        assertEquals(
                List.of("Team=20Notes~a=5Fb.md", "Team=20Notes~a-b.md", "Caf=C3=A9~x=7Ey=3Dz.md", "0=5Fdrafts~x.md"),
                ids);
        ids.forEach(id -> assertTrue(IdMapping.isValid("document", "acme", id), id));
    }

    @Test
    void longIdsFitTheRoomTheTenantLeaves() throws Exception {
        // The service refuses ids that make "document:<tenant>/<id>" longer than 256 characters.
        String tenant = "t".repeat(64);
        JobSpec spec = new JobSpec("job", tenant, null, null, SOURCE, null, null, null, null, null, null, null, null);
        String deep = "d".repeat(150) + "/" + "f".repeat(150) + ".md";
        Plan plan = Plan.of(spec, files(deep));
        Plan.Document document = plan.documents().getFirst();
        assertTrue(IdMapping.isValid("document", tenant, document.id()), document.id());
        assertEquals(182, document.id().length());
        assertTrue(IdMapping.isValid("folder", tenant, document.folder()), document.folder());
    }

    @Test
    void collidingIdsAreASpecError() {
        List<SourceFile> files = List.of(
                new SourceFile("a.md", "same", null, Map.of(), JobSpec.Grants.NONE),
                new SourceFile("b.md", "same", null, Map.of(), JobSpec.Grants.NONE));
        var e = assertThrows(SpecLoader.SpecException.class, () -> Plan.of(spec(null, Map.of(), List.of()), files));
        assertTrue(e.getMessage().contains("a.md and b.md both get the id same"), e.getMessage());
    }

    @Test
    void grantsOnDirectoriesWithoutDocumentsAreWrittenButWarnedAbout() throws Exception {
        JobSpec spec = spec(null, Map.of("legal/contracts", grants(List.of("user:lea"), List.of())), List.of());
        Plan plan = Plan.of(spec, files("a.md"));
        assertEquals(1, plan.warnings().size());
        assertTrue(plan.tuples().contains(new Tuple("folder:legal", "parent", "folder:legal~contracts")));
        assertTrue(plan.tuples().contains(new Tuple("user:lea", "viewer", "folder:legal~contracts")));
    }

    private static JobSpec spec(String root, Map<String, JobSpec.Grants> folders, List<JobSpec.FileRule> rules) {
        return new JobSpec("job", "acme", null, null, SOURCE, root, null, folders, rules, null, null, null, null);
    }

    private static JobSpec.Grants grants(List<String> viewers, List<String> owners) {
        return new JobSpec.Grants(viewers, null, owners);
    }

    private static List<SourceFile> files(String... paths) {
        return java.util.Arrays.stream(paths).map(SourceFile::of).toList();
    }
}
