package dev.clearance.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fast part of the load suite, run in CI: concurrent clients with a mix of users and an agent
 * for a few seconds; every search returns exactly k results, all within its caller's access. The full run (16
 * clients, 60 s, 100k chunks, an ingest job alongside) is {@code scripts/load.sh}.
 */
@MicronautTest
class LoadSmokeIT extends IntegrationTest {

    @Inject
    @Client("/")
    HttpClient client;

    @Inject
    EmbeddedServer server;

    @Test
    void concurrentSearchesHaveNoErrorsAndNoLeaks() throws Exception {
        Api api = new Api(client.toBlocking());
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        List<String> users = List.of("ana", "ben", "cy");
        Map<String, Set<String>> readable = new HashMap<>();
        users.forEach(u -> readable.put(u, new HashSet<>()));
        readable.put("ana/bot", new HashSet<>());
        List<String> topics = LoadTest.QUERIES;
        for (int i = 0; i < 60; i++) {
            String id = "doc-" + i;
            String viewer = users.get(i % users.size());
            List<String> viewers = i % 4 == 0 ? List.of("user:" + viewer, "agent:bot") : List.of("user:" + viewer);
            int status = api.put(
                            admin,
                            id,
                            Map.of(
                                    "title",
                                    topics.get(i % topics.size()),
                                    "text",
                                    "Notes on " + topics.get(i % topics.size()) + ", part " + i + ".",
                                    "viewers",
                                    viewers))
                    .getStatus()
                    .getCode();
            assertTrue(status == 200 || status == 201);
            readable.get(viewer).add(id);
            if (i % 4 == 0 && viewer.equals("ana")) {
                readable.get("ana/bot").add(id);
            }
        }
        Map<String, Set<String>> byToken = new HashMap<>();
        for (String user : users) {
            byToken.put(IDP.token(user, tenant, ""), readable.get(user));
        }
        byToken.put(IDP.agentToken("ana", tenant, "bot"), readable.get("ana/bot"));

        LoadTest load = new LoadTest(server.getURL().toString());
        LoadTest.Result result = load.run(List.copyOf(byToken.keySet()), byToken, topics, 5, 8, 4);

        System.out.println(LoadTest.report(result, null, null));
        assertTrue(result.requests() > 20, "the clients ran: " + result.requests());
        assertEquals(0, result.leaks(), "results outside a caller's access");
        // Every caller may read at least 5 documents, so every search of the run must return 5 of
        // them: not merely some search finding something.
        byToken.values().forEach(docs -> assertTrue(docs.size() >= 5, "the oracle gives k: " + docs.size()));
        assertEquals(0, result.shortResults(), "searches with fewer than k results");
        assertEquals(0, result.emptyResults(), "empty results where the oracle says k exist");
        assertEquals(0, result.errors(), "errors: " + result.statuses());

        // The open loop of the throughput benchmark: searches at a set rate, judged the same way.
        LoadTest.Result open =
                load.runOpen(List.copyOf(byToken.keySet()), LoadTest.Judge.readable(byToken, 5), topics, 5, 4, 10);
        System.out.println(LoadTest.report(open, null, null));
        assertTrue(open.requests() >= 20 && open.requests() <= 70, "about 40 arrivals in 4 s: " + open.requests());
        assertEquals(0, open.errors(), "errors: " + open.statuses());
        assertTrue(open.p95() >= open.p50() && open.p50() > 0, "latencies were measured");
    }
}
