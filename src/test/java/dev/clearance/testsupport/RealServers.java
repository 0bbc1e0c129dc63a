package dev.clearance.testsupport;

import java.time.Duration;
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

    /** How long the OpenFGA servers the test support starts cache a check decision. */
    public static final Duration CHECK_CACHE_TTL = Duration.ofSeconds(30);

    private static Endpoints endpoints;
    private static Endpoints caching;

    private RealServers() {}

    public static synchronized Endpoints get() {
        if (endpoints == null) {
            endpoints = start();
            System.out.println("[test servers] " + endpoints.source() + ": " + endpoints.jdbcUrl() + " , "
                    + endpoints.fgaApiUrl());
        }
        return endpoints;
    }

    /**
     * Servers whose OpenFGA is known to cache check decisions (30 s TTL): those of {@link #get()} when
     * the test support started them; otherwise (servers named by the environment, configured either
     * way) a private pair started here, in containers or from the local binaries. Tests about the
     * cache use these, so that they never pass without having met it. When no such servers can be
     * started, this fails and says why; it never skips.
     */
    public static synchronized Endpoints withCheckCache() {
        Endpoints shared = get();
        if (shared.checkCache()) {
            return shared;
        }
        if (caching == null) {
            try {
                caching = !"local".equals(System.getenv("CLEARANCE_TEST_SERVERS")) && dockerAvailable()
                        ? ContainerServers.start()
                        : LocalServers.start();
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "The servers named by the environment (" + shared.fgaApiUrl() + ") may not cache OpenFGA"
                                + " decisions, and servers with the check cache on could not be started (install them"
                                + " with scripts/servers.sh install, or make Docker available): " + e.getMessage(),
                        e);
            }
            System.out.println("[test servers] with the OpenFGA check cache on, " + caching.source() + ": "
                    + caching.jdbcUrl() + " , " + caching.fgaApiUrl());
        }
        return caching;
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
