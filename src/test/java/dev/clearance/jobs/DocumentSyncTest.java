package dev.clearance.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order of the calls: a deletion starts only once every document is sent. */
class DocumentSyncTest {

    @TempDir
    Path dir;

    private final List<String> events = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool()); // requests in parallel, as the service takes them
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void deletionsWaitForEverySend() throws Exception {
        List<Plan.Document> documents = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            Files.writeString(dir.resolve(name + ".md"), "# " + name + "\n");
            documents.add(new Plan.Document(name, SourceFile.of(name + ".md"), null, JobSpec.Grants.NONE));
        }
        var spec = new JobSpec(
                "job",
                "acme",
                null,
                null,
                new JobSpec.Source(".", null, null, null, null),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        ServiceClient client = new ServiceClient(base, Credentials.fixed("t"), ServiceClient.newHttpClient());
        Tally tally = new Tally();
        try (JobState state = JobState.open(dir.resolve("state"), "job", base.toString(), "acme");
                Progress progress = new Progress(new PrintStream(new ByteArrayOutputStream()), Progress.Mode.NONE, 4)) {
            // Batches of one, two in flight: the third PUT is still running when a thread frees up.
            new DocumentSync(client, new DocumentReader(dir, spec), state, new Ledger(state, tally, progress), false, 1)
                    .run(documents, List.of("moved-away"), 2);
        }

        assertTrue(tally.failures().isEmpty(), tally.failures().toString());
        assertEquals(3, tally.added.get());
        assertEquals(1, tally.deleted.get());
        assertEquals(8, events.size(), events.toString());
        assertEquals(6, events.indexOf("start DELETE"), "after three PUTs started and ended: " + events);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        events.add("start " + method);
        exchange.getRequestBody().readAllBytes();
        try {
            Thread.sleep(method.equals("PUT") ? 300 : 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = "{\"status\":\"created\",\"searchable\":true}".getBytes(StandardCharsets.UTF_8);
        events.add("end " + method);
        exchange.sendResponseHeaders(method.equals("DELETE") ? 204 : 200, method.equals("DELETE") ? -1 : body.length);
        if (!method.equals("DELETE")) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }
}
