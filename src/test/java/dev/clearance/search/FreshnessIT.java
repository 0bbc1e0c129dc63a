package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.Endpoints;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.RealServers;
import io.micronaut.context.ApplicationContext;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The revocation bound (docs/adr/0005) against an OpenFGA server whose check cache is on (30 s TTL
 * in the test servers): within the consistency window after a change, checks ask for
 * HIGHER_CONSISTENCY and a revocation applies on the next request. The control run with no window
 * shows that the cache would otherwise have hidden the revocation. Both run on servers with the
 * cache on, started here when those of the environment may have it off: the control never skips.
 */
class FreshnessIT extends IntegrationTest {

    @Test
    void aRevocationAppliesOnTheNextRequestDespiteTheCheckCache() {
        try (Service service = new Service(tenant, "35s")) {
            String admin = IDP.token("loader", tenant, "documents:write relationships:write audit:read");
            String judy = IDP.token("judy", tenant, "");
            service.api.put(
                    admin,
                    "bonus",
                    Map.of(
                            "title",
                            "Bonus plan",
                            "text",
                            "The bonus pool is ten percent.",
                            "viewers",
                            List.of("user:judy", "user:kim")));
            assertEquals(List.of("bonus"), service.api.searchIds(judy, "bonus pool", 5));

            service.api.relationships(admin, List.of(), List.of(Api.tuple("user:judy", "viewer", "document:bonus")));
            assertEquals(List.of(), service.api.searchIds(judy, "bonus pool", 5));

            List<Map> audit = service.client
                    .toBlocking()
                    .retrieve(HttpRequest.GET("/v1/admin/audit?limit=1").bearerAuth(admin), Argument.listOf(Map.class));
            Map<?, ?> newest = audit.get(0);
            assertEquals("HIGHER_CONSISTENCY", newest.get("consistency"));
        }
    }

    @Test
    void withoutTheWindowTheCachedDecisionWouldStillAllow() {
        String other = tenant + "x";
        try (Service service = new Service(other, "0s")) {
            String admin = IDP.token("loader", other, "documents:write relationships:write");
            String judy = IDP.token("judy", other, "");
            service.api.put(
                    admin,
                    "bonus",
                    Map.of(
                            "title",
                            "Bonus plan",
                            "text",
                            "The bonus pool is ten percent.",
                            "viewers",
                            List.of("user:judy")));
            assertEquals(List.of("bonus"), service.api.searchIds(judy, "bonus pool", 5));
            service.api.relationships(admin, List.of(), List.of(Api.tuple("user:judy", "viewer", "document:bonus")));
            assertEquals(
                    List.of("bonus"),
                    service.api.searchIds(judy, "bonus pool", 5),
                    "control: the server's check cache still answers 'allowed' within its TTL");
        }
    }

    /**
     * A service instance with its own consistency window, on servers whose OpenFGA is known to cache
     * decisions: both tests are about that cache, so neither may run without it (see {@link
     * RealServers#withCheckCache()}; servers from the environment may have it off).
     */
    private final class Service implements AutoCloseable {
        final EmbeddedServer server;
        final HttpClient client;
        final Api api;

        Service(String tenantId, String window) {
            Endpoints caching = RealServers.withCheckCache();
            Map<String, Object> properties = new HashMap<>(getProperties());
            properties.put("datasources.default.url", caching.jdbcUrl());
            properties.put("datasources.default.username", caching.dbUser());
            properties.put("datasources.default.password", caching.dbPassword());
            properties.put("clearance.fga.api-url", caching.fgaApiUrl());
            properties.put("clearance.access.consistency-window", window);
            // Decisions per caller, as OpenFGA's check cache keys them: with shared subjects
            // (ADR 0015) a caller's own grants are read with Read, which that cache does not hold,
            // so the control below would find no stale answer to show.
            properties.put("clearance.authz.cache.share-subjects", "false");
            properties.put("micronaut.server.port", "-1");
            server = ApplicationContext.run(EmbeddedServer.class, properties);
            client = HttpClient.create(server.getURL());
            api = new Api(client.toBlocking());
        }

        @Override
        public void close() {
            client.close();
            server.close();
        }
    }
}
