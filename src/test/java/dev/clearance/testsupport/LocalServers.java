package dev.clearance.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts PostgreSQL/pgvector and OpenFGA from the binaries that {@code scripts/servers.sh}
 * provisions (from package registries, cached outside the clone), on free loopback ports and in a
 * run directory of their own, and stops them when the test JVM exits.
 */
final class LocalServers {

    private LocalServers() {}

    static Endpoints start() {
        int pg = freePort();
        int http = freePort();
        int grpc = freePort();
        // A fresh data directory per test run: tests never depend on what earlier runs left behind.
        Path runDir = freshRunDir();
        Map<String, String> env = Map.of(
                "CLEARANCE_PG_PORT", Integer.toString(pg),
                "CLEARANCE_FGA_HTTP_PORT", Integer.toString(http),
                "CLEARANCE_FGA_GRPC_PORT", Integer.toString(grpc),
                "CLEARANCE_RUN_DIR", runDir.toString(),
                // Production-like: decisions are cached, so tests prove revocations still apply at once.
                "CLEARANCE_FGA_CHECK_CACHE", "true",
                "CLEARANCE_FGA_CHECK_CACHE_TTL", RealServers.CHECK_CACHE_TTL.toSeconds() + "s");
        run(env, "start");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            run(env, "stop");
            deleteQuietly(runDir);
        }));
        return new Endpoints(
                "jdbc:postgresql://127.0.0.1:" + pg + "/clearance",
                "clearance",
                "clearance",
                "http://127.0.0.1:" + http,
                "local binaries",
                true);
    }

    private static void run(Map<String, String> env, String command) {
        Path script = repositoryRoot().resolve("scripts/servers.sh");
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", script.toString(), command)).inheritIO();
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("scripts/servers.sh " + command + " failed; see its output above");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run scripts/servers.sh", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path freshRunDir() {
        try {
            // Under the system temp dir (not the clone): the postgres OS user must be able to reach it.
            Path dir = Files.createTempDirectory("clearance-it-");
            dir.toFile().setReadable(true, false);
            dir.toFile().setExecutable(true, false);
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // best effort: the temp dir is cleaned by the OS eventually
        }
    }

    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("scripts/servers.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("scripts/servers.sh not found above the working directory");
        }
        return dir;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
