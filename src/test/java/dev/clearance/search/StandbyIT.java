package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.platform.Standby;
import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.ServiceInstance;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Candidate reads on a streaming hot standby (ADR 0013), against a real PostgreSQL primary and a
 * standby made with pg_basebackup ({@code scripts/cluster.sh}). The standby's replay is paused, then
 * on the primary a grant is revoked and a document's text replaced: the next search must show
 * neither, although the standby still holds both. One replica reads the standby however stale it is
 * (max-lag one hour), to prove that the primary's confirmation alone keeps the promise; the other
 * (max-lag 500 ms) must stop reading it once it cannot prove it fresh, and read it again after the
 * replay resumes.
 */
class StandbyIT extends IntegrationTest {

    private Path dir;
    private int port;
    private Map<String, String> cluster;
    private ServiceInstance anyLag;
    private ServiceInstance strict;

    @BeforeAll
    void start() throws Exception {
        // Under the system temp dir, reachable by the postgres OS user the servers run as under root.
        dir = Files.createTempDirectory("clearance-standby-");
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        port = freePortPair();
        cluster("start", "primary", "standby");
        cluster = exports(cluster("env"));
        Map<String, String> base = new HashMap<>(getProperties());
        base.put("datasources.default.url", cluster.get("CLEARANCE_CLUSTER_PRIMARY_JDBC_URL"));
        base.put("datasources.default.username", cluster.get("DB_USER"));
        base.put("datasources.default.password", cluster.get("DB_PASSWORD"));
        base.put("clearance.standby.url", cluster.get("CLEARANCE_CLUSTER_STANDBY_JDBC_URL"));
        // No role of its own: the standby is read as the primary's role, which it replicates.
        base.put("clearance.standby.sample-interval", "100ms");
        anyLag = new ServiceInstance(base, Map.of("clearance.standby.max-lag", "1h"));
        strict = new ServiceInstance(base, Map.of("clearance.standby.max-lag", "500ms"));
    }

    @AfterAll
    void stop() throws Exception {
        if (anyLag != null) {
            anyLag.close();
        }
        if (strict != null) {
            strict.close();
        }
        cluster("clean");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRevocationOrAnEditAcknowledgedOnThePrimaryHoldsWhileTheStandbyIsBehind() throws Exception {
        String admin = IDP.token("loader", tenant, "documents:write relationships:write");
        String reader = IDP.token("reader", tenant, "");
        // The same reader with audit:read, so that the answer says what the confirmation dropped.
        String auditingReader = IDP.token("reader", tenant, "audit:read");
        put(admin, "plan", "The harbour budget plan for the lighthouse keepers.");
        put(admin, "memo", "Harbour memo: the old lighthouse code word is PELICAN.");
        awaitTrue(
                () -> anyLag.bean(Standby.class).isFresh()
                        && strict.bean(Standby.class).isFresh(),
                "standby fresh");
        awaitTrue(() -> standbyHas("plan") && standbyHas("memo"), "standby replayed the documents");
        assertEquals(List.of("memo", "plan"), sorted(anyLag.api.searchIds(reader, "harbour lighthouse", 10)));
        assertTrue(reads(anyLag, "standby") > 0, "searches read the standby while it was fresh");

        replay("pause");
        try {
            // On the primary: the reader loses "plan", and "memo" loses its code word.
            assertEquals(
                    200,
                    anyLag.api
                            .put(
                                    admin,
                                    "plan",
                                    document(
                                            "The harbour budget plan for the lighthouse keepers.",
                                            List.of("user:someone-else")))
                            .getStatus()
                            .getCode());
            assertEquals(
                    200,
                    anyLag.api
                            .put(
                                    admin,
                                    "memo",
                                    document("Harbour memo: the code word was retired.", List.of("user:reader")))
                            .getStatus()
                            .getCode());
            assertTrue(standbyText("memo").contains("PELICAN"), "the standby still has the old text");

            // The stale standby proposes "plan" and the old "memo"; the primary's confirmation keeps
            // neither. (The new memo text is not on the standby yet: this replica cannot find it.)
            double before = reads(anyLag, "standby");
            Map<String, Object> body = search(anyLag, auditingReader);
            assertTrue(reads(anyLag, "standby") > before, "this search read the stale standby");
            List<Map<String, Object>> results = (List<Map<String, Object>>) body.get("results");
            for (Map<String, Object> r : results) {
                assertEquals("memo", r.get("documentId"), r.toString());
                assertFalse(((String) r.get("text")).contains("PELICAN"), r.toString());
            }
            Map<String, Object> diagnostics = (Map<String, Object>) body.get("diagnostics");
            assertTrue(((Number) diagnostics.get("dropped")).intValue() >= 1, "the old memo text was dropped: " + body);
            assertEquals(false, ((Map<String, Object>) body.get("stats")).get("complete"));

            // The strict replica cannot prove the standby fresh any more: it reads the primary.
            awaitTrue(() -> !strict.bean(Standby.class).isFresh(), "strict replica stops trusting the standby");
            double standbyReads = reads(strict, "standby");
            double primaryReads = reads(strict, "primary");
            List<Map<String, Object>> strictResults = results(strict, reader);
            assertEquals(standbyReads, reads(strict, "standby"), "no read went to the stale standby");
            assertTrue(reads(strict, "primary") > primaryReads);
            assertEquals(
                    List.of("memo"),
                    strictResults.stream()
                            .map(r -> r.get("documentId"))
                            .distinct()
                            .toList());
            assertTrue(((String) strictResults.get(0).get("text")).contains("retired"));
        } finally {
            replay("resume");
        }
        awaitTrue(() -> strict.bean(Standby.class).isFresh(), "strict replica trusts the standby again");
        double standbyReads = reads(strict, "standby");
        List<Map<String, Object>> again = results(strict, reader);
        assertTrue(reads(strict, "standby") > standbyReads, "reads went back to the standby");
        assertEquals(
                List.of("memo"),
                again.stream().map(r -> r.get("documentId")).distinct().toList());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> search(ServiceInstance replica, String token) {
        var response = replica.api.search(token, Map.of("query", "harbour lighthouse", "topK", 10));
        assertEquals(200, response.getStatus().getCode(), () -> String.valueOf(response.body()));
        return (Map<String, Object>) response.body();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(ServiceInstance replica, String token) {
        return (List<Map<String, Object>>) search(replica, token).get("results");
    }

    private static List<String> sorted(List<String> ids) {
        return ids.stream().distinct().sorted().toList();
    }

    private static Map<String, Object> document(String text, List<String> viewers) {
        return Map.of("title", "Harbour notes", "text", text, "viewers", viewers);
    }

    private void put(String admin, String id, String text) {
        int status = anyLag.api
                .put(admin, id, document(text, List.of("user:reader")))
                .getStatus()
                .getCode();
        assertTrue(status < 300, id + " " + status);
    }

    private static double reads(ServiceInstance replica, String source) {
        var counter = replica.bean(MeterRegistry.class)
                .find("clearance.standby.reads")
                .tag("source", source)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private boolean standbyHas(String id) {
        return !standbyText(id).isEmpty();
    }

    private String standbyText(String id) {
        try (Connection c = DriverManager.getConnection(
                        cluster.get("CLEARANCE_CLUSTER_STANDBY_JDBC_URL"),
                        cluster.get("DB_USER"),
                        cluster.get("DB_PASSWORD"));
                PreparedStatement s = c.prepareStatement(
                        "SELECT coalesce(string_agg(text, ' '), '') FROM chunks WHERE tenant = ? AND document_id = ?")) {
            s.setString(1, tenant);
            s.setString(2, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void replay(String action) throws Exception {
        cluster("replay", action);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.sleep(50);
        }
    }

    /** Runs scripts/cluster.sh on this test's own ports and directory; returns what it printed. */
    private String cluster(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("bash", "scripts/cluster.sh"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        builder.environment().put("CLEARANCE_CLUSTER_DIR", dir.toString());
        builder.environment().put("CLEARANCE_CLUSTER_PG_PORT", Integer.toString(port));
        Path log = dir.resolve("cluster-" + args[0] + ".log");
        builder.redirectError(log.toFile());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "scripts/cluster.sh " + String.join(" ", args) + " hung");
        assertEquals(
                0,
                process.exitValue(),
                () -> "scripts/cluster.sh " + String.join(" ", args) + " failed: " + readQuietly(log));
        return out;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static Map<String, String> exports(String env) {
        Map<String, String> out = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^export ([A-Z_]+)=(.*)$").matcher(env);
        while (m.find()) {
            out.put(m.group(1), m.group(2).replaceAll("^'|'$", ""));
        }
        return out;
    }

    /** Two consecutive free ports: the cluster puts the standby on the primary's port + 1. */
    private static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (ServerSocket s = new ServerSocket(0)) {
                p = s.getLocalPort();
            }
            try (ServerSocket next = new ServerSocket(p + 1)) {
                return p;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no two consecutive free ports");
    }
}
