package dev.clearance.testsupport;

import org.testcontainers.DockerClientFactory;

/**
 * Real PostgreSQL/pgvector and OpenFGA for integration tests, from the first source that works:
 *
 * <ol>
 *   <li>servers already running, named by {@code DB_URL} and {@code FGA_API_URL};
 *   <li>Testcontainers, when a Docker engine answers;
 *   <li>the local binaries of {@code scripts/servers.sh}, started here on free loopback ports.
 * </ol>
 *
 * Started once per test JVM and stopped when it exits.
 */
public final class RealServers {

    private static Endpoints endpoints;

    private RealServers() {}

    public static synchronized Endpoints get() {
        if (endpoints == null) {
            endpoints = start();
            System.out.println("[test servers] " + endpoints.source() + ": " + endpoints.jdbcUrl() + " , "
                    + endpoints.fgaApiUrl());
        }
        return endpoints;
    }

    private static Endpoints start() {
        String dbUrl = System.getenv("DB_URL");
        String fgaUrl = System.getenv("FGA_API_URL");
        if (dbUrl != null && !dbUrl.isBlank() && fgaUrl != null && !fgaUrl.isBlank()) {
            return new Endpoints(
                    dbUrl, env("DB_USER", "clearance"), env("DB_PASSWORD", "clearance"), fgaUrl, "environment", false);
        }
        if (!"local".equals(System.getenv("CLEARANCE_TEST_SERVERS")) && dockerAvailable()) {
            return ContainerServers.start();
        }
        return LocalServers.start();
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
