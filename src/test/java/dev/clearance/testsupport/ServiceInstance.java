package dev.clearance.testsupport;

import io.micronaut.context.ApplicationContext;
import io.micronaut.http.client.HttpClient;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.HashMap;
import java.util.Map;

/**
 * One more running service (a replica) on the same database as the test's own, with properties of
 * its own: e.g. its OpenFGA calls through a fault proxy, or another consistency window.
 */
public final class ServiceInstance implements AutoCloseable {

    public final EmbeddedServer server;
    public final HttpClient client;
    public final Api api;

    public ServiceInstance(Map<String, String> base, Map<String, String> overrides) {
        Map<String, Object> properties = new HashMap<>(base);
        properties.putAll(overrides);
        properties.put("micronaut.server.port", "-1");
        server = ApplicationContext.run(EmbeddedServer.class, properties);
        client = HttpClient.create(server.getURL());
        api = new Api(client.toBlocking());
    }

    public <T> T bean(Class<T> type) {
        return server.getApplicationContext().getBean(type);
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
