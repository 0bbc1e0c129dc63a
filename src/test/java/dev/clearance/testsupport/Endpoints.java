package dev.clearance.testsupport;

/**
 * Where the real servers of a test run are, and which source provided them. {@code checkCache} is
 * true when OpenFGA is known to run with its check-query cache on (the servers the test support
 * starts itself); servers named by the environment may be configured either way.
 */
public record Endpoints(
        String jdbcUrl, String dbUser, String dbPassword, String fgaApiUrl, String source, boolean checkCache) {}
