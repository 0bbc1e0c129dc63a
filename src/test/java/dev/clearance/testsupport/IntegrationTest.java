package dev.clearance.testsupport;

import io.micronaut.test.support.TestPropertyProvider;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the {@code *IT} tests: the application context talks to the real servers from {@link
 * RealServers} and trusts the {@link TestIdp}. Each test class gets tenants of its own, so classes
 * never see each other's data even though they share the servers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class IntegrationTest implements TestPropertyProvider {

    protected static final TestIdp IDP = new TestIdp();

    /** A tenant id unique to this test class instance. */
    protected final String tenant = "t" + UUID.randomUUID().toString().substring(0, 8);

    @Override
    public Map<String, String> getProperties() {
        Endpoints servers = RealServers.get();
        Map<String, String> properties = new HashMap<>();
        properties.put("datasources.default.url", servers.jdbcUrl());
        properties.put("datasources.default.username", servers.dbUser());
        properties.put("datasources.default.password", servers.dbPassword());
        properties.put("clearance.fga.api-url", servers.fgaApiUrl());
        properties.put("clearance.fga.store-name", "clearance-it");
        properties.put("micronaut.security.token.jwt.signatures.jwks.idp.url", IDP.jwksUrl());
        properties.put("micronaut.security.token.jwt.claims-validators.issuer", TestIdp.ISSUER);
        properties.put("micronaut.security.token.jwt.claims-validators.audience", TestIdp.AUDIENCE);
        properties.put("clearance.outbox.interval", "500ms");
        // Reconciliation runs only where a test asks for it: a scheduled run would repair the tuples
        // some tests put into OpenFGA behind the service's back on purpose.
        properties.put("clearance.access.reconcile-interval", "0s");
        // The whole suite shares two cores with PostgreSQL and OpenFGA (load 9-12 measured): a relationship
        // change naming many objects may need longer than the production default to be in effect.
        properties.put("clearance.access.sync-wait", "8s");
        // A free port per test service: a fixed one (8080) fails whenever anything else holds it.
        properties.put("micronaut.server.port", "-1");
        // The test servers cache OpenFGA decisions for 30 s; fresh reads must cover that.
        properties.put("clearance.access.consistency-window", "35s");
        properties.putAll(extraProperties());
        return properties;
    }

    /** Properties a test class adds or overrides. */
    protected Map<String, String> extraProperties() {
        return Map.of();
    }
}
