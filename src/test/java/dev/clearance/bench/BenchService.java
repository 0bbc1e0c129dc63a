package dev.clearance.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clearance.testsupport.Endpoints;
import dev.clearance.testsupport.RealServers;
import dev.clearance.testsupport.TestIdp;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The service as the benchmarks run it: real PostgreSQL/pgvector and OpenFGA from the test support
 * (servers named by {@code DB_URL}/{@code FGA_API_URL}, else started locally), a real token issuer,
 * and the application on a free port, called over HTTP like any client.
 */
final class BenchService implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestIdp idp = new TestIdp();
    private final EmbeddedServer server;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    BenchService(Map<String, Object> extra) {
        Endpoints servers = RealServers.get();
        Map<String, Object> properties = new HashMap<>();
        properties.put("micronaut.server.port", -1);
        properties.put("datasources.default.url", servers.jdbcUrl());
        properties.put("datasources.default.username", servers.dbUser());
        properties.put("datasources.default.password", servers.dbPassword());
        properties.put("clearance.fga.api-url", servers.fgaApiUrl());
        properties.put("clearance.fga.store-name", "clearance-bench");
        properties.put("micronaut.security.token.jwt.signatures.jwks.idp.url", idp.jwksUrl());
        properties.put("micronaut.security.token.jwt.claims-validators.issuer", TestIdp.ISSUER);
        properties.put("micronaut.security.token.jwt.claims-validators.audience", TestIdp.AUDIENCE);
        properties.put("clearance.outbox.interval", "200ms");
        properties.put("clearance.outbox.initial-delay", "200ms");
        properties.putAll(extra);
        server = ApplicationContext.run(EmbeddedServer.class, properties);
    }

    ApplicationContext context() {
        return server.getApplicationContext();
    }

    <T> T bean(Class<T> type) {
        return context().getBean(type);
    }

    String token(String user, String tenant, String scopes) {
        return idp.token(user, tenant, scopes);
    }

    /** A JSON call; returns the parsed body, failing on any non-2xx status. */
    JsonNode call(String method, String path, String token, Object body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(server.getURL() + path))
                    .timeout(Duration.ofMinutes(15))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                    .build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                        + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * One search as an auditor (scope {@code audit:read}, so the answer carries {@code diagnostics}:
     * rounds, strategy, vector path), with a fresh token (the test issuer's tokens expire after 10
     * minutes; signing takes about a millisecond and is part of the measured time). {@code strategy}
     * null leaves the service's default. Returns the response body, or null when the service
     * answered with an error, which is printed.
     */
    JsonNode search(String user, String tenant, String query, int topK, String strategy) {
        Map<String, Object> body = new HashMap<>();
        body.put("query", query);
        body.put("topK", topK);
        if (strategy != null) {
            body.put("strategy", strategy);
        }
        try {
            return call("POST", "/v1/search", token(user, tenant, "audit:read"), body);
        } catch (IllegalStateException e) {
            System.err.println((strategy == null ? "default strategy" : strategy) + ": " + e.getMessage());
            return null;
        }
    }

    /** The base URL of the running service, e.g. {@code http://localhost:40123}. */
    String url() {
        return server.getURL().toString();
    }

    @Override
    public void close() {
        server.close();
        idp.close();
    }

    /** The 1-minute load average the operating system reports. */
    static String loadAverage() {
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage();
        return load < 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.2f", load);
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, JDK " + Runtime.version() + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    /** The q-quantile (nearest rank) of sorted values. */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
