package dev.clearance.testsupport;

/** Where the real servers of a test run are, and which source provided them. */
public record Endpoints(String jdbcUrl, String dbUser, String dbPassword, String fgaApiUrl, String source) {}
