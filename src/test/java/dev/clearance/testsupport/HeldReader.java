package dev.clearance.testsupport;

import io.micronaut.context.ApplicationContext;
import io.micronaut.http.client.HttpClient;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.HashMap;
import java.util.Map;

/**
 * Two services on one database for race tests: a reader whose OpenFGA calls on some paths go
 * through a {@link HttpFaultProxy} that can hold them, and a writer that reaches OpenFGA directly and
 * applies every change while the reader's call is held.
 */
public final class HeldReader implements AutoCloseable {

    public final HttpFaultProxy fga;
    public final Api reader;
    public final Api writer;
    private final EmbeddedServer readerServer;
    private final HttpClient readerClient;
    private final EmbeddedServer writerServer;
    private final HttpClient writerClient;

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

    @Override
    public void close() {
        readerClient.close();
        readerServer.close();
        writerClient.close();
        writerServer.close();
        fga.close();
    }
}
