package dev.clearance.search;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.Endpoints;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.RealServers;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.DefaultHttpClientConfiguration;
import io.micronaut.http.client.HttpClient;
import io.micronaut.runtime.server.EmbeddedServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.statistics.Statistics;

/**
 * Random permission graphs against an oracle that knows nothing of OpenFGA: for every try a fresh
 * pair of tenants gets the same documents (same ids, same text) with different grants, built from
 * users, an agent, nested (possibly cyclic) groups, folder chains (possibly cyclic) and the public
 * wildcard. Every user, and the agent acting for every user, searches with a query that matches
 * every document, once after the grants are written and once more after revocations (re-PUT with
 * fewer grants, deleted tuples). Each result must be exactly min(k, visible) documents, every one
 * of them visible to that caller in that tenant at that moment.
 *
 * <p>Tries: {@code -Dclearance.pbt.tries=N}; a failure's seed (printed by jqwik) replays with
 * {@code -Dclearance.pbt.seed=S}; {@code -Dclearance.pbt.shrinking=full} shrinks without a time
 * bound.
 */
class AuthorizationPropertiesIT extends IntegrationTest {

    private static final int TRIES = 100;
    /** Tries of the cached-reads run, each of which waits out the check cache once. */
    private static final int CACHED_TRIES = 6;

    private static final int USERS = 6;
    private static final int GROUPS = 4;
    private static final int FOLDERS = 4;
    private static final int MAX_DOCUMENTS = 10;
    private static final String AGENT = "a0";
    /**
     * Both match every document in the vector leg (which has no threshold); only the first also
     * matches in the full-text leg. The full-text leg alone fetches at least 10 candidates, as many
     * as a tenant has documents here, so only the second query exercises the refill rounds.
     */
    private static final List<String> QUERIES =
            List.of("quarterly security review", "quarterly security review checklist");

    private static final List<String> RELATIONS = List.of("viewer", "editor", "owner");
    private static final List<String> STRATEGIES = List.of("adaptive", "postfilter", "prefilter");
    /** Searches per phase: every user and the agent for every user, in both tenants. */
    private static final int SEARCHES_PER_PHASE = 2 * USERS * 2;
    /** Two phases per try: before and after the revocations. */
    private static final int SEARCHES = 2 * SEARCHES_PER_PHASE;

    private static final int PUT_PARALLELISM = 3;
    private static final int SEARCH_PARALLELISM = 4;

    private static EmbeddedServer server;
    private static HttpClient client;
    private static Api api;
    private static final AtomicInteger CHECKS = new AtomicInteger();
    private static final AtomicLong STARTED = new AtomicLong();
    private static final AtomicLong LOADING = new AtomicLong();
    private static final AtomicLong SEARCHING = new AtomicLong();

    /**
     * Whether this run searches outside the consistency window, on OpenFGA's cached decisions (the
     * path of most production searches; {@link AuthorizationPropertiesCachedIT}). Inside it (here),
     * every check asks for HIGHER_CONSISTENCY.
     */
    protected boolean cachedReads() {
        return false;
    }

    @BeforeProperty
    void startService() {
        Map<String, Object> properties = new HashMap<>(getProperties());
        properties.put("micronaut.server.port", "-1");
        // A store of its own: the other integration tests' tuples neither slow nor touch this one.
        properties.put("clearance.fga.store-name", "clearance-it-properties");
        if (cachedReads()) {
            // No window: every search takes the cached path, on an OpenFGA known to cache.
            Endpoints caching = RealServers.withCheckCache();
            properties.put("datasources.default.url", caching.jdbcUrl());
            properties.put("datasources.default.username", caching.dbUser());
            properties.put("datasources.default.password", caching.dbPassword());
            properties.put("clearance.fga.api-url", caching.fgaApiUrl());
            properties.put("clearance.access.consistency-window", "0s");
        }
        server = ApplicationContext.builder()
                .environments(Environment.TEST)
                .properties(properties)
                .run(EmbeddedServer.class);
        DefaultHttpClientConfiguration configuration = new DefaultHttpClientConfiguration();
        configuration.setReadTimeout(Duration.ofSeconds(60));
        client = HttpClient.create(server.getURL(), configuration);
        api = new Api(client.toBlocking());
        CHECKS.set(0);
        LOADING.set(0);
        SEARCHING.set(0);
        STARTED.set(System.nanoTime());
    }

    @AfterProperty
    void stopService() {
        if (STARTED.get() != 0) {
            System.out.printf(
                    "[authorization properties%s] %d cases (principal x try), %d checked searches, in %d s:"
                            + " loading %d s, searching %d s%n",
                    cachedReads() ? ", cached reads" : "",
                    CHECKS.get() / 2,
                    CHECKS.get(),
                    (System.nanoTime() - STARTED.get()) / 1_000_000_000L,
                    LOADING.get() / 1_000_000_000L,
                    SEARCHING.get() / 1_000_000_000L);
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    @AddLifecycleHook(SystemPropertyOverrides.class)
    void everyCallerGetsExactlyMinOfKAndWhatTheOracleAllowsNeverMore(@ForAll("scenarios") Scenario scenario) {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        List<Loader> loaders = List.of(
                new Loader("pa" + suffix, scenario.documents(), scenario.first()),
                new Loader("pb" + suffix, scenario.documents(), scenario.second()));
        boolean passed = false;
        try {
            long started = System.nanoTime();
            List<Tenant> written = inParallel(
                    loaders.stream().map(l -> (Callable<Tenant>) l::write).toList(), 2);
            LOADING.addAndGet(System.nanoTime() - started);
            searchAndCheck(scenario, written, "before revocations", 0);
            explainAndCheck(scenario, written, "before revocations");
            if (cachedReads()) {
                // Again, now answered from the decisions the first round left in OpenFGA's cache.
                searchAndCheck(scenario, written, "before revocations, warm cache", 0);
            }
            assertReadPath(written);
            long lastChecked = System.nanoTime();

            started = System.nanoTime();
            List<Tenant> revoked = inParallel(
                    loaders.stream().map(l -> (Callable<Tenant>) l::revoke).toList(), 2);
            LOADING.addAndGet(System.nanoTime() - started);
            if (cachedReads()) {
                // Outside the window a revocation applies once the cached decisions expire (ADR 0005):
                // the promise checked from then on is the same as inside the window.
                long expired =
                        lastChecked + RealServers.CHECK_CACHE_TTL.plusSeconds(1).toNanos();
                sleep(Math.max(0, (expired - System.nanoTime()) / 1_000_000));
            }
            searchAndCheck(scenario, revoked, "after revocations", SEARCHES_PER_PHASE);
            explainAndCheck(scenario, revoked, "after revocations");
            if (cachedReads()) {
                searchAndCheck(scenario, revoked, "after revocations, warm cache", SEARCHES_PER_PHASE);
            }
            assertReadPath(revoked);
            passed = true;
        } finally {
            cleanUp(loaders, passed);
        }
    }

    /**
     * The searches took the read path this run is about: HIGHER_CONSISTENCY inside the window,
     * MINIMIZE_LATENCY (cached decisions) outside it, by the audit log of each tenant. A tenant
     * without a single tuple had no access change to be fresh about and reads cached either way.
     */
    private void assertReadPath(List<Tenant> tenants) {
        for (Tenant tenant : tenants) {
            String expected = cachedReads() || tenant.tuples().isEmpty() ? "MINIMIZE_LATENCY" : "HIGHER_CONSISTENCY";
            List<Map> audit = client.toBlocking()
                    .retrieve(
                            HttpRequest.GET("/v1/admin/audit?limit=" + SEARCHES_PER_PHASE / 2)
                                    .bearerAuth(IDP.token("auditor", tenant.id(), "audit:read")),
                            Argument.listOf(Map.class));
            List<Object> paths = audit.stream()
                    .filter(e -> e.get("consistency") != null)
                    .map(e -> e.get("consistency"))
                    .toList();
            if (paths.isEmpty() || !paths.stream().allMatch(expected::equals)) {
                throw new AssertionError(
                        "searches in " + tenant.id() + " should read with " + expected + ", read with " + paths);
            }
        }
    }

    /**
     * Explanations against the same oracle: for one user per tenant (chosen by the scenario), every
     * document it may view is explained by at least one path, each path a chain of the tenant's own
     * tuples from the user (or user:*) to the document; every other document answers 404.
     */
    @SuppressWarnings("unchecked")
    private static void explainAndCheck(Scenario scenario, List<Tenant> tenants, String phase) {
        for (Tenant tenant : tenants) {
            String user =
                    "u" + Math.floorMod(scenario.ks().get(0) + tenant.tuples().size(), USERS);
            String token = IDP.token(user, tenant.id(), "");
            Set<String> visible = tenant.visibleTo("user:" + user);
            for (int d = 0; d < tenant.documents(); d++) {
                String id = "d" + d;
                HttpResponse<Map> r = api.exchange(HttpRequest.GET("/v1/documents/" + id + "/access/explain"), token);
                String where = phase + ", " + user + " on " + id + " in " + tenant.describe();
                if (!visible.contains(id)) {
                    assertEqualsOrFail(404, r.getStatus().getCode(), where);
                    continue;
                }
                assertEqualsOrFail(200, r.getStatus().getCode(), where);
                List<Map<String, Object>> principals =
                        (List<Map<String, Object>>) r.body().get("principals");
                List<List<Map<String, String>>> paths =
                        (List<List<Map<String, String>>>) principals.get(0).get("paths");
                if (paths.isEmpty()) {
                    throw new AssertionError("no path explains a visible document: " + where);
                }
                paths.forEach(path -> assertPath(tenant, "user:" + user, id, path, where));
            }
        }
    }

    private static void assertEqualsOrFail(int expected, int actual, String where) {
        if (expected != actual) {
            throw new AssertionError("explain answered " + actual + ", expected " + expected + ": " + where);
        }
    }

    /** Each step one of the tenant's tuples; the chain runs from the principal to the document. */
    private static void assertPath(
            Tenant tenant, String principal, String id, List<Map<String, String>> path, String where) {
        String start = path.get(0).get("user");
        boolean ok = start.equals(principal) || start.equals("user:*");
        for (int i = 0; ok && i < path.size(); i++) {
            Map<String, String> step = path.get(i);
            ok = tenant.tuples().contains(new Tup(step.get("user"), step.get("relation"), step.get("object")));
            if (ok && i + 1 < path.size()) {
                String next = path.get(i + 1).get("user");
                ok = next.equals(step.get("object")) || next.equals(step.get("object") + "#member");
            }
        }
        if (!ok || !path.getLast().get("object").equals("document:" + id)) {
            throw new AssertionError("invalid path " + path + ": " + where);
        }
    }

    /** Every user, and the agent for every user, in every tenant; parameters from {@code from} on. */
    private static void searchAndCheck(Scenario scenario, List<Tenant> tenants, String phase, int from) {
        long searchStarted = System.nanoTime();
        List<Case> cases = new ArrayList<>();
        for (Tenant tenant : tenants) {
            for (int u = 0; u < USERS; u++) {
                for (boolean agent : new boolean[] {false, true}) {
                    Set<String> expected = new TreeSet<>(tenant.visibleTo("user:u" + u));
                    if (agent) {
                        expected.retainAll(tenant.visibleTo("agent:" + AGENT));
                    }
                    int i = from + cases.size();
                    cases.add(new Case(
                            tenant,
                            phase,
                            "u" + u,
                            agent,
                            scenario.ks().get(i),
                            scenario.strategies().get(i),
                            scenario.queries().get(i),
                            expected));
                }
            }
        }
        List<List<Map<String, Object>>> results = inParallel(
                cases.stream()
                        .map(c -> (Callable<List<Map<String, Object>>>) () -> search(c))
                        .toList(),
                SEARCH_PARALLELISM);
        SEARCHING.addAndGet(System.nanoTime() - searchStarted);
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            check(c, results.get(i));
            CHECKS.incrementAndGet();
            String visible =
                    c.expected().isEmpty() ? "none" : c.expected().size() == scenario.documents() ? "all" : "some";
            Statistics.label("visible").collect(c.agent() ? "agent for user" : "user", visible);
            Statistics.label("k vs visible").collect(c.k() < c.expected().size() ? "k < visible" : "k >= visible");
        }
    }

    /** One caller's search in one tenant, with what the oracle lets it see. */
    record Case(
            Tenant tenant,
            String phase,
            String user,
            boolean agent,
            int k,
            String strategy,
            String query,
            Set<String> expected) {

        String token() {
            return agent ? IDP.agentToken(user, tenant.id(), AGENT) : IDP.token(user, tenant.id(), "");
        }

        @Override
        public String toString() {
            return user + (agent ? " with agent " + AGENT : "") + " in " + tenant.id() + " (k=" + k + ", " + strategy
                    + ", '" + query + "', " + phase + ")";
        }
    }

    // ------------------------------------------------------------------ the service side

    /** Writes one tenant's graph through the API in two steps and keeps the tuples for the oracle. */
    private static final class Loader {

        private final String tenant;
        private final int documents;
        private final Graph graph;
        private final String admin;
        /** Tuples on groups and folders, written through the relationships API. */
        private final Set<Tup> relationships = new LinkedHashSet<>();
        /** Documents as last PUT. */
        private final List<DocState> docs = new ArrayList<>();
        /** Tuples deleted through the relationships API (after the last PUT). */
        private final Set<Tup> deleted = new LinkedHashSet<>();

        Loader(String tenant, int documents, Graph graph) {
            this.tenant = tenant;
            this.documents = documents;
            this.graph = graph;
            this.admin = IDP.token("loader", tenant, "documents:write relationships:write");
        }

        /** Groups, folders and documents with all their grants. */
        Tenant write() {
            graph.members()
                    .forEach(m -> relationships.add(new Tup(subject(m.subject()), "member", "group:g" + m.group())));
            graph.parents()
                    .forEach(
                            p -> relationships.add(new Tup("folder:f" + p.parent(), "parent", "folder:f" + p.child())));
            graph.folderGrants()
                    .forEach(g -> relationships.add(
                            new Tup(subject(g.grant().subject()), g.grant().relation(), "folder:f" + g.folder())));
            if (!relationships.isEmpty()) {
                expectOk(
                        api.relationships(admin, maps(relationships), List.of()),
                        "POST /v1/relationships in " + tenant + " " + relationships);
            }
            for (int i = 0; i < documents; i++) {
                Doc doc = graph.docs().get(i);
                docs.add(new DocState("d" + i, doc.folder() < 0 ? null : "f" + doc.folder(), doc.grants()));
            }
            inParallel(
                    docs.stream()
                            .map(d -> (Callable<Object>) () -> {
                                put(admin, tenant, d);
                                return d;
                            })
                            .toList(),
                    PUT_PARALLELISM);
            return snapshot();
        }

        /** Re-PUTs with fewer grants, then deletes of any tuples (memberships, parents, grants). */
        Tenant revoke() {
            for (Reput reput : graph.reputs()) {
                int i = reput.doc() % documents;
                DocState revoked = docs.get(i).without(reput.mask());
                docs.set(i, revoked);
                put(admin, tenant, revoked);
            }
            if (!graph.deletes().isEmpty()) {
                List<Tup> all = new ArrayList<>(snapshot().tuples());
                if (!all.isEmpty()) {
                    Set<Tup> chosen = new LinkedHashSet<>();
                    graph.deletes().forEach(i -> chosen.add(all.get(i % all.size())));
                    expectOk(
                            api.relationships(admin, List.of(), maps(chosen)),
                            "POST /v1/relationships deletes in " + tenant + " " + chosen);
                    deleted.addAll(chosen);
                }
            }
            return snapshot();
        }

        /** The tuples OpenFGA holds for this tenant now, in a stable order. */
        Tenant snapshot() {
            Set<Tup> tuples = new LinkedHashSet<>(relationships);
            docs.forEach(d -> tuples.addAll(d.tuples()));
            tuples.removeAll(deleted);
            return new Tenant(tenant, documents, tuples);
        }
    }

    /**
     * Deletes the try's documents and tuples, so that OpenFGA's store (an in-memory one in tests,
     * whose reads slow down as it fills) does not grow with the number of tries. Failures here fail
     * the try only when the try itself passed.
     */
    private static void cleanUp(List<Loader> loaders, boolean passed) {
        try {
            inParallel(
                    loaders.stream()
                            .map(l -> (Callable<Object>) () -> {
                                for (DocState d : l.docs) {
                                    int status = api.delete(l.admin, d.id())
                                            .getStatus()
                                            .getCode();
                                    if (status != 204) {
                                        throw new AssertionError(
                                                "DELETE " + l.tenant + "/" + d.id() + " answered " + status);
                                    }
                                }
                                Set<Tup> rest = new LinkedHashSet<>(l.relationships);
                                rest.removeAll(l.deleted);
                                if (!rest.isEmpty()) {
                                    expectOk(
                                            api.relationships(l.admin, List.of(), maps(rest)),
                                            "clean-up in " + l.tenant);
                                }
                                return l;
                            })
                            .toList(),
                    2);
        } catch (AssertionError e) {
            if (passed) {
                throw e;
            }
        }
    }

    /** PUTs a document and waits until its grants are in OpenFGA (searchable), re-PUTting unchanged. */
    private static void put(String admin, String tenant, DocState doc) {
        Map<String, Object> body = new HashMap<>();
        body.put("title", "Security review " + doc.id());
        body.put(
                "text",
                "Quarterly security review notes for document " + doc.id()
                        + ": findings, owners and deadlines of the review.");
        body.put("source", "pbt://" + tenant + "/" + doc.id());
        if (doc.folder() != null) {
            body.put("folder", doc.folder());
        }
        for (String relation : RELATIONS) {
            body.put(
                    relation + "s",
                    doc.grants().stream()
                            .filter(g -> g.relation().equals(relation))
                            .map(g -> subject(g.subject()))
                            .toList());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HttpResponse<Map> response = api.put(admin, doc.id(), body);
            int status = response.getStatus().getCode();
            if (status != 200 && status != 201 && status != 202) {
                throw new AssertionError("PUT " + tenant + "/" + doc.id() + " answered " + status + " "
                        + response.getBody(Map.class).orElse(Map.of()) + " for " + body);
            }
            Map<?, ?> result = response.getBody(Map.class).orElseThrow();
            if (Boolean.TRUE.equals(result.get("searchable"))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("PUT " + tenant + "/" + doc.id() + " not searchable after 30 s: " + result);
            }
            sleep(100);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> search(Case c) {
        HttpResponse<Map> response =
                api.search(c.token(), Map.of("query", c.query(), "topK", c.k(), "strategy", c.strategy()));
        if (response.getStatus().getCode() != 200) {
            throw new AssertionError(
                    "search by " + c + " answered " + response.getStatus().getCode() + " "
                            + response.getBody(Map.class).orElse(Map.of()));
        }
        return (List<Map<String, Object>>) response.body().get("results");
    }

    private static void check(Case c, List<Map<String, Object>> results) {
        List<String> ids =
                results.stream().map(r -> (String) r.get("documentId")).toList();
        String context = c + " got " + ids + ", oracle allows " + c.expected() + "; tuples of "
                + c.tenant().id() + ": " + c.tenant().describe();
        Set<String> leaked = new TreeSet<>(ids);
        leaked.removeAll(c.expected());
        if (!leaked.isEmpty()) {
            throw new AssertionError("LEAK of " + leaked + ": " + context);
        }
        for (Map<String, Object> r : results) {
            String source = "pbt://" + c.tenant().id() + "/" + r.get("documentId");
            if (!source.equals(r.get("source"))) {
                throw new AssertionError("LEAK across tenants, result from " + r.get("source") + ": " + context);
            }
        }
        if (new HashSet<>(ids).size() != ids.size()) {
            throw new AssertionError("duplicate documents (one chunk each was expected): " + context);
        }
        int want = Math.min(c.k(), c.expected().size());
        if (ids.size() != want) {
            throw new AssertionError("RECALL: expected " + want + " results, got " + ids.size() + ": " + context);
        }
    }

    /** Runs the tasks at most {@code width} at a time and returns their results in order. */
    private static <T> List<T> inParallel(List<Callable<T>> tasks, int width) {
        Semaphore permits = new Semaphore(width);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(executor.submit(() -> {
                    permits.acquire();
                    try {
                        return task.call();
                    } finally {
                        permits.release();
                    }
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> future : futures) {
                out.add(future.get());
            }
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void expectOk(HttpResponse<Map> response, String what) {
        if (response.getStatus().getCode() != 200) {
            throw new AssertionError(what + " answered " + response.getStatus().getCode() + " "
                    + response.getBody(Map.class).orElse(Map.of()));
        }
    }

    private static List<Map<String, String>> maps(Set<Tup> tuples) {
        return tuples.stream()
                .map(t -> Api.tuple(t.user(), t.relation(), t.object()))
                .toList();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ the oracle

    /** A stored tuple with tenant-relative ids, as the API takes it. */
    record Tup(String user, String relation, String object) {
        @Override
        public String toString() {
            return user + " " + relation + " " + object;
        }
    }

    /** One tenant after all writes and revocations: its tuples decide who may view what. */
    record Tenant(String id, int documents, Set<Tup> tuples) {

        /**
         * Documents {@code principal} ("user:u1" or "agent:a0") may view, by the rules of
         * fga/model.fga computed as plain set fixed points: group membership through nested groups,
         * direct grants (the wildcard only for users), and view access inherited down folder chains.
         */
        Set<String> visibleTo(String principal) {
            Set<String> groups = new HashSet<>();
            boolean grew = true;
            while (grew) {
                grew = false;
                for (Tup t : tuples) {
                    if (t.relation().equals("member")
                            && !groups.contains(t.object())
                            && (t.user().equals(principal)
                                    || (t.user().endsWith("#member")
                                            && groups.contains(t.user()
                                                    .substring(0, t.user().length() - 7))))) {
                        groups.add(t.object());
                        grew = true;
                    }
                }
            }
            Set<String> subjects = new HashSet<>();
            subjects.add(principal);
            if (principal.startsWith("user:")) {
                subjects.add("user:*");
            }
            groups.forEach(g -> subjects.add(g + "#member"));

            Set<String> viewable = new HashSet<>();
            for (Tup t : tuples) {
                if (RELATIONS.contains(t.relation()) && subjects.contains(t.user())) {
                    viewable.add(t.object());
                }
            }
            grew = true;
            while (grew) {
                grew = false;
                for (Tup t : tuples) {
                    if (t.relation().equals("parent") && viewable.contains(t.user()) && viewable.add(t.object())) {
                        grew = true;
                    }
                }
            }
            Set<String> documents = new TreeSet<>();
            for (int i = 0; i < documents(); i++) {
                if (viewable.contains("document:d" + i)) {
                    documents.add("d" + i);
                }
            }
            return documents;
        }

        String describe() {
            return new TreeSet<>(tuples.stream().map(Tup::toString).toList()).toString();
        }
    }

    /** A document's current folder and direct grants, as last PUT. */
    record DocState(String id, String folder, List<Grant> grants) {

        /** The same document with fewer grants: bit i drops grant i, bit 5 drops the folder. */
        DocState without(int mask) {
            List<Grant> kept = new ArrayList<>();
            for (int i = 0; i < grants.size(); i++) {
                if ((mask & (1 << i)) == 0) {
                    kept.add(grants.get(i));
                }
            }
            return new DocState(id, (mask & (1 << 5)) != 0 ? null : folder, kept);
        }

        List<Tup> tuples() {
            List<Tup> out = new ArrayList<>();
            if (folder != null) {
                out.add(new Tup("folder:" + folder, "parent", "document:" + id));
            }
            grants.forEach(g -> out.add(new Tup(subject(g.subject()), g.relation(), "document:" + id)));
            return out;
        }
    }

    /**
     * Subjects by index: 0..5 users, 6 the agent, 7..10 the members of groups g0..g3, 11 every
     * user (the wildcard, valid only for viewer).
     */
    static String subject(int index) {
        if (index < USERS) {
            return "user:u" + index;
        }
        if (index == USERS) {
            return "agent:" + AGENT;
        }
        if (index < USERS + 1 + GROUPS) {
            return "group:g" + (index - USERS - 1) + "#member";
        }
        return "user:*";
    }

    // ------------------------------------------------------------------ the generator

    record Member(int subject, int group) {
        @Override
        public String toString() {
            return AuthorizationPropertiesIT.subject(subject) + " member g" + group;
        }
    }

    record Parent(int child, int parent) {
        @Override
        public String toString() {
            return "f" + parent + " parent of f" + child;
        }
    }

    record Grant(String relation, int subject) {
        @Override
        public String toString() {
            return AuthorizationPropertiesIT.subject(subject) + " " + relation;
        }
    }

    record FolderGrant(int folder, Grant grant) {
        @Override
        public String toString() {
            return grant + " on f" + folder;
        }
    }

    record Doc(int folder, List<Grant> grants) {}

    /** Re-PUT document {@code doc} (modulo the count) without the grants the mask selects. */
    record Reput(int doc, int mask) {}

    /** One tenant's grants; {@code docs} has room for the most documents, the first N are used. */
    record Graph(
            List<Member> members,
            List<Parent> parents,
            List<FolderGrant> folderGrants,
            List<Doc> docs,
            List<Reput> reputs,
            List<Integer> deletes) {}

    record Scenario(
            int documents,
            Graph first,
            Graph second,
            List<Integer> ks,
            List<String> strategies,
            List<String> queries) {}

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Combinators.combine(
                        Arbitraries.integers().between(6, MAX_DOCUMENTS),
                        graphs(),
                        graphs(),
                        // Small k half of the time, so that k < visible (the refill case) is common.
                        Arbitraries.frequencyOf(
                                        Tuple.of(1, Arbitraries.integers().between(1, 3)),
                                        Tuple.of(1, Arbitraries.integers().between(1, 10)))
                                .list()
                                .ofSize(SEARCHES),
                        Arbitraries.of(STRATEGIES).list().ofSize(SEARCHES),
                        Arbitraries.of(QUERIES).list().ofSize(SEARCHES))
                .as(Scenario::new);
    }

    private static Arbitrary<Graph> graphs() {
        Arbitrary<Integer> memberSubject = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0, USERS - 1)),
                Tuple.of(2, Arbitraries.just(USERS)),
                Tuple.of(3, Arbitraries.integers().between(USERS + 1, USERS + GROUPS)));
        Arbitrary<Member> member = Combinators.combine(
                        memberSubject, Arbitraries.integers().between(0, GROUPS - 1))
                // OpenFGA rejects "group:g#member member group:g" (an implicit tuple); longer cycles stay.
                .as((subject, group) ->
                        new Member(subject, subject == USERS + 1 + group ? (group + 1) % GROUPS : group));
        Arbitrary<Parent> parent = Combinators.combine(
                        Arbitraries.integers().between(0, FOLDERS - 1),
                        Arbitraries.integers().between(0, FOLDERS - 1))
                .as(Parent::new);
        Arbitrary<FolderGrant> folderGrant = Combinators.combine(
                        Arbitraries.integers().between(0, FOLDERS - 1), grants())
                .as(FolderGrant::new);
        Arbitrary<Doc> doc = Combinators.combine(
                        Arbitraries.integers().between(-1, FOLDERS - 1),
                        grants().list().ofMaxSize(4))
                .as(Doc::new);
        Arbitrary<Reput> reput = Combinators.combine(
                        Arbitraries.integers().between(0, MAX_DOCUMENTS - 1),
                        Arbitraries.integers().between(1, 63))
                .as(Reput::new);
        return Combinators.combine(
                        member.list().ofMaxSize(12),
                        parent.list().ofMaxSize(4),
                        folderGrant.list().ofMaxSize(5),
                        doc.list().ofSize(MAX_DOCUMENTS),
                        reput.list().ofMaxSize(3),
                        Arbitraries.integers().between(0, 999).list().ofMaxSize(4))
                .as(Graph::new);
    }

    /** A direct grant; the wildcard (subject 11) is only valid for viewer, so it is generated as viewer. */
    private static Arbitrary<Grant> grants() {
        Arbitrary<Integer> subject = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0, USERS - 1)),
                Tuple.of(3, Arbitraries.just(USERS)),
                Tuple.of(4, Arbitraries.integers().between(USERS + 1, USERS + GROUPS)),
                Tuple.of(2, Arbitraries.just(USERS + GROUPS + 1)));
        return Combinators.combine(Arbitraries.of(RELATIONS), subject)
                .as((relation, s) -> new Grant(s == USERS + GROUPS + 1 ? "viewer" : relation, s));
    }

    // ------------------------------------------------------------------ configuration

    /** {@code clearance.pbt.tries}, {@code clearance.pbt.seed} and {@code clearance.pbt.shrinking=full}. */
    public static final class SystemPropertyOverrides implements AroundPropertyHook {

        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            String tries = System.getProperty("clearance.pbt.tries");
            if (tries != null && !tries.isBlank()) {
                context.attributes().setTries(Integer.parseInt(tries.trim()));
            } else if (context.testInstance() instanceof AuthorizationPropertiesIT it && it.cachedReads()) {
                // Each try waits out the check cache once (30 s): fewer tries, the same promise.
                context.attributes().setTries(CACHED_TRIES);
            }
            String seed = System.getProperty("clearance.pbt.seed");
            if (seed != null && !seed.isBlank()) {
                context.attributes().setSeed(seed.trim());
            }
            if ("full".equalsIgnoreCase(System.getProperty("clearance.pbt.shrinking"))) {
                context.attributes().setShrinking(ShrinkingMode.FULL);
            }
            return property.execute();
        }
    }
}
