package dev.clearance.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.runtime.server.EmbeddedServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Two services on one database for race tests: a reader whose OpenFGA calls on some paths go
 * through a {@link HttpFaultProxy} that can hold them, and a writer that reaches OpenFGA directly and
 * applies every change while the reader's call is held.
 */
public final class HeldReader implements AutoCloseable {

    /**
     * How long a held call is held: long enough for a re-PUT (embedding, PostgreSQL, OpenFGA) on a
     * busy two-core machine.
     */
    public static final Duration HOLD = Duration.ofSeconds(6);

    public final HttpFaultProxy fga;
    public final Api reader;
    public final Api writer;
    private final EmbeddedServer readerServer;
    private final HttpClient readerClient;
    private final EmbeddedServer writerServer;
    private final HttpClient writerClient;
    private final ExecutorService background = Executors.newCachedThreadPool();

    /**
     * @param paths a fragment of the OpenFGA paths the proxy may hold (e.g. {@code /batch-check})
     * @param readerOnly more settings of the reader alone
     */
    public HeldReader(Map<String, String> base, String paths, Map<String, String> readerOnly) {
        fga = new HttpFaultProxy(RealServers.get().fgaApiUrl()).onlyPaths(paths);
        Map<String, Object> properties = new HashMap<>(base);
        // A held call must be answered, not timed out and retried (a retry would be sent after the
        // change and hide the race); the writer's calls must not time out on a busy machine.
        properties.put("clearance.fga.check-timeout", "40s");
        properties.put("clearance.fga.request-timeout", "30s");
        Map<String, Object> writerProperties = new HashMap<>(properties);
        // A held call must not use up the search's time budget (5 s).
        properties.put("clearance.search.budget", "60s");
        properties.put("clearance.fga.api-url", fga.url());
        // The writer applies the access rules; the reader's outbox worker stays out of the way (its
        // calls to OpenFGA would queue behind a held one).
        properties.put("clearance.outbox.initial-delay", "1h");
        properties.put("clearance.outbox.interval", "1h");
        properties.putAll(readerOnly);
        readerServer = ApplicationContext.run(EmbeddedServer.class, properties);
        readerClient = HttpClient.create(readerServer.getURL(), Api.patientClient());
        reader = new Api(readerClient.toBlocking());
        writerServer = ApplicationContext.run(EmbeddedServer.class, writerProperties);
        writerClient = HttpClient.create(writerServer.getURL(), Api.patientClient());
        writer = new Api(writerClient.toBlocking());
    }

    /**
     * The race itself. Sends {@code request} (to the reader) while the proxy holds what the test set
     * it to hold ({@link HttpFaultProxy#delay} or {@link HttpFaultProxy#delayAnswers}), waits until
     * the first held call reached the proxy, applies {@code change} (through the writer), asserts that
     * the request was still waiting when the change was acknowledged, releases the hold and returns
     * the request's answer.
     */
    public <T> T across(Supplier<T> request, Runnable change) throws Exception {
        CompletableFuture<T> pending = CompletableFuture.supplyAsync(request, background);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (fga.received() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(fga.received() > 0, "the request never reached the held OpenFGA call");
        change.run();
        assertFalse(pending.isDone(), "the change was not acknowledged while the call was held");
        fga.delay(Duration.ZERO);
        fga.delayAnswers(Duration.ZERO);
        return pending.get(60, TimeUnit.SECONDS);
    }

    /** PUTs a document into a folder through the writer; asserts that it became searchable. */
    public void putInFolder(String admin, String id, String text, String folder) {
        HttpResponse<Map> put = writer.put(admin, id, Map.of("title", id, "text", text, "folder", folder));
        assertEquals(Boolean.TRUE, put.body().get("searchable"), String.valueOf(put.body()));
    }

    /**
     * Lets group {@code group} view folder {@code group} and makes each user a member of it, through
     * the writer; asserts that the change was accepted.
     */
    public void groupViewsItsFolder(String admin, String group, String... users) {
        List<Map<String, String>> tuples = new ArrayList<>();
        tuples.add(Api.tuple("group:" + group + "#member", "viewer", "folder:" + group));
        for (String user : users) {
            tuples.add(Api.tuple("user:" + user, "member", "group:" + group));
        }
        HttpResponse<Map> granted = writer.relationships(admin, tuples, List.of());
        assertTrue(granted.getStatus().getCode() < 300, String.valueOf(granted.getBody(Map.class)));
    }

    /** PUTs {@code count} short documents into folder {@code general}, which no test grant names. */
    public void fillElsewhere(String admin, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            putInFolder(admin, prefix + i, "Harbour dues, entry " + i + ".", "general");
        }
    }

    @Override
    public void close() {
        background.shutdownNow();
        readerClient.close();
        readerServer.close();
        writerClient.close();
        writerServer.close();
        fga.close();
    }
}
