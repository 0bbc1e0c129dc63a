package dev.clearance.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Explanations of access over nested groups, folder inheritance, {@code user:*}, agents and two
 * tenants. Every path returned must be a chain of tuples that were written, from the principal to
 * the document; a caller gets an explanation exactly when OpenFGA lets it read the document; a caller
 * who may not read it cannot tell it from a document that does not exist.
 */
@MicronautTest
class AccessExplanationIT extends IntegrationTest {

    @Inject
    @Client("/")
    HttpClient client;

    private Api api;
    private String other;
    private final Set<String> written = new HashSet<>();

    private static Map<String, Object> document(String folder, List<String> viewers) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", "Design notes");
        body.put("text", "How the replication pipeline is put together.");
        if (folder != null) {
            body.put("folder", folder);
        }
        body.put("viewers", viewers);
        return body;
    }

    private void ok(HttpResponse<Map> response) {
        assertTrue(response.getStatus().getCode() < 300, () -> response.getStatus() + " " + response.getBody());
    }

    private void relate(String admin, List<Map<String, String>> tuples) {
        ok(api.relationships(admin, tuples, List.of()));
        tuples.forEach(t -> written.add(t.get("user") + " " + t.get("relation") + " " + t.get("object")));
    }

    @BeforeAll
    void load() {
        api = new Api(client.toBlocking());
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        ok(api.put(admin, "design", document("eng-sub", List.of())));
        written.add("folder:eng-sub parent document:design");
        ok(api.put(admin, "public", document(null, List.of("user:*"))));
        written.add("user:* viewer document:public");
        ok(api.put(admin, "secret", document(null, List.of("user:carol"))));
        written.add("user:carol viewer document:secret");
        relate(
                admin,
                List.of(
                        Api.tuple("folder:engineering", "parent", "folder:eng-sub"),
                        Api.tuple("group:eng#member", "viewer", "folder:engineering"),
                        Api.tuple("user:alice", "member", "group:eng"),
                        Api.tuple("group:backend#member", "member", "group:eng"),
                        Api.tuple("user:bob", "member", "group:backend"),
                        Api.tuple("agent:notetaker", "member", "group:backend")));
        // The same document id in another tenant, where only carol may read it.
        other = tenant + "x";
        String otherAdmin = IDP.token("loader", other, "documents:write relationships:write");
        ok(api.put(otherAdmin, "design", document(null, List.of("user:carol"))));
    }

    private HttpResponse<Map> explain(String token, String id) {
        return api.exchange(HttpRequest.GET("/v1/documents/" + id + "/access/explain"), token);
    }

    private HttpResponse<Map> viewers(String token, String id, String query) {
        return api.exchange(HttpRequest.GET("/v1/documents/" + id + "/access" + query), token);
    }

    @SuppressWarnings("unchecked")
    private static List<List<Map<String, String>>> pathsOf(HttpResponse<Map> explained, String principal) {
        for (Map<String, Object> p :
                (List<Map<String, Object>>) explained.body().get("principals")) {
            if (p.get("principal").equals(principal)) {
                return (List<List<Map<String, String>>>) p.get("paths");
            }
        }
        throw new AssertionError("no entry for " + principal + " in " + explained.body());
    }

    /** Each step a written tuple; each step's object is what the next step's user is or stands for. */
    private void assertValid(String subject, String document, List<Map<String, String>> path) {
        assertFalse(path.isEmpty());
        assertEquals(subject, path.get(0).get("user"), () -> "starts at the subject: " + path);
        for (int i = 0; i < path.size(); i++) {
            Map<String, String> step = path.get(i);
            String tuple = step.get("user") + " " + step.get("relation") + " " + step.get("object");
            assertTrue(written.contains(tuple), () -> "not a written tuple: " + tuple + " in " + path);
            if (i + 1 < path.size()) {
                String next = path.get(i + 1).get("user");
                String object = step.get("object");
                assertTrue(
                        next.equals(object) || next.equals(object + "#member"),
                        () -> "the chain breaks after " + tuple + " in " + path);
            }
        }
        assertEquals("document:" + document, path.getLast().get("object"), () -> "ends at the document: " + path);
    }

    @Test
    void aMemberOfANestedGroupGetsThePathThroughGroupsAndFolders() {
        HttpResponse<Map> alice = explain(IDP.token("alice", tenant, ""), "design");
        assertEquals(200, alice.getStatus().getCode());
        List<List<Map<String, String>>> paths = pathsOf(alice, "user:alice");
        assertEquals(
                List.of(
                        Map.of("user", "user:alice", "relation", "member", "object", "group:eng"),
                        Map.of("user", "group:eng#member", "relation", "viewer", "object", "folder:engineering"),
                        Map.of("user", "folder:engineering", "relation", "parent", "object", "folder:eng-sub"),
                        Map.of("user", "folder:eng-sub", "relation", "parent", "object", "document:design")),
                paths.get(0));
        HttpResponse<Map> bob = explain(IDP.token("bob", tenant, ""), "design");
        List<List<Map<String, String>>> bobs = pathsOf(bob, "user:bob");
        bobs.forEach(p -> assertValid("user:bob", "design", p));
        assertEquals(5, bobs.get(0).size(), "bob → backend → eng → engineering → eng-sub → design");
        assertNotNull(bob.body().get("modelId"));
    }

    @Test
    void anAgentAndItsUserEachGetTheirOwnPaths() {
        HttpResponse<Map> both = explain(IDP.agentToken("bob", tenant, "notetaker"), "design");
        assertEquals(200, both.getStatus().getCode());
        pathsOf(both, "user:bob").forEach(p -> assertValid("user:bob", "design", p));
        List<List<Map<String, String>>> agent = pathsOf(both, "agent:notetaker");
        assertFalse(agent.isEmpty());
        agent.forEach(p -> assertValid("agent:notetaker", "design", p));
        // alice's agent was granted nothing: the pair may not read the document, so: not found.
        assertEquals(
                404,
                explain(IDP.agentToken("alice", tenant, "stranger"), "design")
                        .getStatus()
                        .getCode());
    }

    @Test
    void aPublicDocumentIsExplainedByTheWildcard() {
        List<List<Map<String, String>>> paths = pathsOf(explain(IDP.token("zoe", tenant, ""), "public"), "user:zoe");
        assertEquals(
                List.of(List.of(Map.of("user", "user:*", "relation", "viewer", "object", "document:public"))), paths);
    }

    /** An explanation exists exactly when the same caller's GET succeeds (OpenFGA decides both). */
    @Test
    void explanationsAgreeWithTheAuthorizationDecision() {
        for (String user : List.of("alice", "bob", "carol", "dave", "zoe")) {
            String token = IDP.token(user, tenant, "");
            for (String id : List.of("design", "public", "secret")) {
                int get = api.get(token, id).getStatus().getCode();
                HttpResponse<Map> explained = explain(token, id);
                assertEquals(get, explained.getStatus().getCode(), user + " on " + id);
                if (get == 200) {
                    List<List<Map<String, String>>> paths = pathsOf(explained, "user:" + user);
                    assertFalse(paths.isEmpty(), user + " may read " + id + " and gets a path");
                    for (List<Map<String, String>> p : paths) {
                        String start = p.get(0).get("user");
                        assertValid(start.equals("user:*") ? "user:*" : "user:" + user, id, p);
                    }
                }
            }
        }
    }

    @Test
    void aForbiddenDocumentLooksExactlyLikeAMissingOne() {
        String carol = IDP.token("carol", tenant, "");
        HttpResponse<Map> hidden = explain(carol, "design");
        HttpResponse<Map> missing = explain(carol, "no-such-document");
        assertEquals(404, hidden.getStatus().getCode());
        assertEquals(404, missing.getStatus().getCode());
        for (String field : List.of("type", "title", "status")) {
            assertEquals(missing.body().get(field), hidden.body().get(field), field);
        }
        assertEquals(
                ((String) missing.body().get("detail")).replace("no-such-document", "ID"),
                ((String) hidden.body().get("detail")).replace("design", "ID"));
        // Another tenant's grants never explain this tenant's document, and the reverse.
        assertEquals(
                200,
                explain(IDP.token("carol", other, ""), "design").getStatus().getCode());
        assertEquals(
                404,
                explain(IDP.token("alice", other, ""), "design").getStatus().getCode());
    }

    @Test
    @SuppressWarnings("unchecked")
    void auditorsSeeWhoMayReadADocumentPageByPage() {
        assertEquals(
                403,
                viewers(IDP.token("alice", tenant, ""), "design", "")
                        .getStatus()
                        .getCode());
        String auditor = IDP.token("auditor", tenant, "audit:read");
        HttpResponse<Map> all = viewers(auditor, "design", "");
        assertEquals(200, all.getStatus().getCode());
        assertEquals(true, all.body().get("synced"));
        List<Map<String, Object>> subjects =
                (List<Map<String, Object>>) all.body().get("subjects");
        List<String> names =
                subjects.stream().map(s -> (String) s.get("subject")).toList();
        assertEquals(
                List.of("agent:notetaker", "group:backend#member", "group:eng#member", "user:alice", "user:bob"),
                names);
        for (Map<String, Object> s : subjects) {
            for (List<Map<String, String>> p : (List<List<Map<String, String>>>) s.get("paths")) {
                assertValid((String) s.get("subject"), "design", p);
            }
        }
        // Two per page, following 'next', gives the same list.
        List<String> paged = new ArrayList<>();
        String after = null;
        do {
            HttpResponse<Map> page = viewers(
                    auditor,
                    "design",
                    // 'next' may hold '#' (group:eng#member): sent as a query value, it is encoded.
                    "?limit=2" + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)));
            ((List<Map<String, Object>>) page.body().get("subjects"))
                    .forEach(s -> paged.add((String) s.get("subject")));
            after = (String) page.body().get("next");
        } while (after != null);
        assertEquals(names, paged);
        assertEquals(404, viewers(auditor, "no-such-document", "").getStatus().getCode());
        // The other tenant's document of the same id has its own readers.
        HttpResponse<Map> theirs = viewers(IDP.token("auditor", other, "audit:read"), "design", "");
        assertEquals(
                List.of("user:carol"),
                ((List<Map<String, Object>>) theirs.body().get("subjects"))
                        .stream().map(s -> s.get("subject")).toList());
    }

    private HttpResponse<Map> whatIf(String token, Map<String, Object> question) {
        return api.exchange(HttpRequest.POST("/v1/access/what-if", question), token);
    }

    @Test
    @SuppressWarnings("unchecked")
    void whatIfTellsWhoWouldGainAndLoseWithoutChangingAnything() {
        String auditor = IDP.token("auditor", tenant, "audit:read");
        Map<String, Object> question = Map.of(
                "deletes", List.of(Api.tuple("group:backend#member", "member", "group:eng")),
                "writes", List.of(Api.tuple("user:zoe", "viewer", "folder:eng-sub")),
                "documents", List.of("design", "secret"));
        assertEquals(
                403,
                whatIf(IDP.token("alice", tenant, ""), question).getStatus().getCode());
        HttpResponse<Map> answer = whatIf(auditor, question);
        assertEquals(200, answer.getStatus().getCode(), () -> String.valueOf(answer.getBody()));
        List<Map<String, Object>> documents =
                (List<Map<String, Object>>) answer.body().get("documents");
        assertEquals("design", documents.get(0).get("documentId"));
        assertEquals(List.of("user:zoe"), documents.get(0).get("gained"));
        assertEquals(
                List.of("agent:notetaker", "group:backend#member", "user:bob"),
                documents.get(0).get("lost"),
                "the backend group and everyone only in it");
        assertEquals(List.of(), documents.get(1).get("gained"));
        assertEquals(List.of(), documents.get(1).get("lost"));
        // Nothing was written: bob still reads the document, zoe still does not.
        assertEquals(
                200, api.get(IDP.token("bob", tenant, ""), "design").getStatus().getCode());
        assertEquals(
                404, api.get(IDP.token("zoe", tenant, ""), "design").getStatus().getCode());
        // A tuple the model does not allow is refused like in POST /v1/relationships.
        HttpResponse<Map> bad = whatIf(
                auditor,
                Map.of(
                        "writes",
                        List.of(Api.tuple("user:zoe", "reader", "folder:eng-sub")),
                        "documents",
                        List.of("design")));
        assertEquals(400, bad.getStatus().getCode());
    }

    /** The raw body of an export (status 200 expected), with its response. */
    private HttpResponse<String> review(String token, String query) {
        return client.toBlocking()
                .exchange(HttpRequest.GET("/v1/access/review" + query).bearerAuth(token), String.class);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> jsonLines(String body) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                out.add((Map<String, Object>) Api.parseJson(line));
            }
        }
        return out;
    }

    /**
     * The tenant's review has, for each document, exactly the subjects and paths that the
     * single-document "who may see this" answers (itself checked against the written tuples above),
     * and every line names the snapshot and model the headers name.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theReviewExportListsEveryPathOfEveryDocumentFromOneSnapshot() {
        String auditor = IDP.token("auditor", tenant, "audit:read");
        HttpResponse<String> exported = review(auditor, "");
        assertEquals(200, exported.getStatus().getCode());
        assertTrue(exported.getContentType().orElseThrow().toString().startsWith("application/x-ndjson"));
        String snapshot = exported.header("Clearance-Snapshot-At");
        String model = exported.header("Clearance-Model-Id");
        assertNotNull(snapshot);
        assertNotNull(model);
        List<Map<String, Object>> lines = jsonLines(exported.body());
        Map<String, Set<String>> byDocument = new java.util.TreeMap<>();
        for (Map<String, Object> line : lines) {
            assertEquals(snapshot, line.get("snapshotAt"));
            assertEquals(model, line.get("modelId"));
            assertEquals(true, line.get("synced"));
            String document = (String) line.get("document");
            List<Map<String, String>> path = (List<Map<String, String>>) line.get("path");
            assertValid((String) line.get("subject"), document, path);
            byDocument.computeIfAbsent(document, d -> new HashSet<>()).add(line.get("subject") + " " + path);
        }
        assertEquals(Set.of("design", "public", "secret"), byDocument.keySet());
        for (String document : byDocument.keySet()) {
            Set<String> single = new HashSet<>();
            for (Map<String, Object> s : (List<Map<String, Object>>)
                    viewers(auditor, document, "").body().get("subjects")) {
                for (Object path : (List<Object>) s.get("paths")) {
                    single.add(s.get("subject") + " " + path);
                }
            }
            assertEquals(single, byDocument.get(document), document);
        }

        // The CSV form has the same lines, after its header.
        HttpResponse<String> csv = review(auditor, "?format=csv");
        assertEquals(200, csv.getStatus().getCode());
        assertTrue(csv.getContentType().orElseThrow().toString().startsWith("text/csv"));
        List<String> rows = List.of(csv.body().split("\n"));
        assertEquals("snapshot_at,model_id,document,synced,subject,path_length,path", rows.get(0));
        assertEquals(lines.size(), rows.size() - 1);
        assertTrue(
                rows.contains(csv.header("Clearance-Snapshot-At") + "," + model + ",design,true,user:alice,4,"
                        + "user:alice member group:eng; group:eng#member viewer folder:engineering;"
                        + " folder:engineering parent folder:eng-sub; folder:eng-sub parent document:design"),
                () -> String.join("\n", rows));
    }

    @Test
    void theReviewOfAFolderHasOnlyTheDocumentsUnderItAndTheOtherTenantsHasOnlyItsOwn() {
        String auditor = IDP.token("auditor", tenant, "audit:read");
        Set<Object> underEngineering = jsonLines(
                        review(auditor, "?folder=engineering").body())
                .stream()
                .map(l -> l.get("document"))
                .collect(java.util.stream.Collectors.toSet());
        assertEquals(Set.of("design"), underEngineering, "design is two folders down, the rest in none");
        assertEquals(
                List.of(),
                jsonLines(java.util.Objects.toString(
                        review(auditor, "?folder=no-such-folder").body(), "")),
                "a folder nothing is under has no lines");
        List<Map<String, Object>> theirs =
                jsonLines(review(IDP.token("auditor", other, "audit:read"), "").body());
        assertEquals(1, theirs.size(), () -> theirs.toString());
        assertEquals("design", theirs.get(0).get("document"));
        assertEquals("user:carol", theirs.get(0).get("subject"));
    }

    @Test
    void theReviewIsForAuditorsAndRefusesUnknownFormats() {
        assertEquals(
                403,
                api.exchange(HttpRequest.GET("/v1/access/review"), IDP.token("alice", tenant, ""))
                        .getStatus()
                        .getCode());
        HttpResponse<Map> bad = api.exchange(
                HttpRequest.GET("/v1/access/review?format=xml"), IDP.token("auditor", tenant, "audit:read"));
        assertEquals(400, bad.getStatus().getCode());
        assertEquals(
                400,
                api.exchange(
                                HttpRequest.GET("/v1/access/review?folder=a%2Fb"),
                                IDP.token("auditor", tenant, "audit:read"))
                        .getStatus()
                        .getCode());
    }

    /**
     * {@code explain: true} on a search gives each result the shortest path the explain endpoint
     * gives, for the user and the agent; without it results have no {@code access} field.
     */
    @Test
    @SuppressWarnings("unchecked")
    void searchResultsCarryTheShortestPathOnlyWhenAskedFor() {
        String token = IDP.agentToken("bob", tenant, "notetaker");
        Map<String, Object> query = new LinkedHashMap<>(Map.of("query", "replication pipeline", "topK", 10));
        for (Object r : (List<?>) api.search(token, query).body().get("results")) {
            assertFalse(((Map<?, ?>) r).containsKey("access"), r.toString());
        }
        query.put("explain", true);
        HttpResponse<Map> explained = api.search(token, query);
        assertEquals(200, explained.getStatus().getCode(), () -> String.valueOf(explained.body()));
        List<Map<String, Object>> results =
                (List<Map<String, Object>>) explained.body().get("results");
        Set<String> readable = new HashSet<>();
        for (String id : List.of("design", "public", "secret")) {
            if (api.get(token, id).getStatus().getCode() == 200) {
                readable.add(id);
            }
        }
        assertTrue(readable.contains("design"));
        assertEquals(
                readable, results.stream().map(r -> r.get("documentId")).collect(java.util.stream.Collectors.toSet()));
        for (Map<String, Object> r : results) {
            String document = (String) r.get("documentId");
            HttpResponse<Map> single = explain(token, document);
            List<Map<String, Object>> access = (List<Map<String, Object>>) r.get("access");
            assertEquals(
                    List.of("user:bob", "agent:notetaker"),
                    access.stream().map(a -> a.get("principal")).toList());
            for (Map<String, Object> a : access) {
                List<List<Map<String, String>>> all = pathsOf(single, (String) a.get("principal"));
                assertEquals(all.get(0), a.get("path"), document + " " + a.get("principal"));
            }
        }
    }
}
