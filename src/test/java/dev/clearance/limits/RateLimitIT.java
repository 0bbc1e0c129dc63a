package dev.clearance.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.testsupport.IntegrationTest;
import dev.clearance.testsupport.ServiceInstance;
import io.micronaut.http.HttpResponse;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Search limits hold for the deployment, not per replica: two service instances on one database
 * share each tenant's and each caller's bucket, searches sent to both at once included.
 */
@MicronautTest(startApplication = false)
class RateLimitIT extends IntegrationTest {

    private ServiceInstance instance(String tenantLimit, String callerLimit) {
        return new ServiceInstance(
                getProperties(),
                Map.of(
                        "clearance.limits.rate.tenant-per-minute", tenantLimit,
                        "clearance.limits.rate.caller-per-minute", callerLimit));
    }

    private static int status(HttpResponse<Map> response) {
        return response.getStatus().getCode();
    }

    private static HttpResponse<Map> search(ServiceInstance instance, String token) {
        return instance.api.search(token, Map.of("query", "quarterly report", "topK", 3));
    }

    @Test
    void aTenantOverItsLimitGets429FromEveryReplicaAndOtherTenantsAreUnaffected() throws Exception {
        String busy = tenant + "b";
        String quiet = tenant + "q";
        try (ServiceInstance a = instance("6", "0");
                ServiceInstance b = instance("6", "0");
                ExecutorService pool = Executors.newFixedThreadPool(4)) {
            // Six users of one tenant search on both replicas at once: six searches in all may pass.
            List<Callable<Integer>> work = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ServiceInstance replica = i % 2 == 0 ? a : b;
                String token = IDP.token("user" + i, busy, "");
                work.add(() -> status(search(replica, token)));
            }
            int passed = 0;
            int limited = 0;
            long started = System.nanoTime();
            List<Future<Integer>> done = pool.invokeAll(work);
            // The bucket refills smoothly (one search per 10 s): a slow run may earn one more.
            long refilled = (System.nanoTime() - started) / 10_000_000_000L;
            for (Future<Integer> f : done) {
                int code = f.get();
                assertTrue(code == 200 || code == 429, "only 200 or 429, got " + code);
                passed += code == 200 ? 1 : 0;
                limited += code == 429 ? 1 : 0;
            }
            assertTrue(
                    passed >= 6 && passed <= 6 + refilled,
                    "the tenant's six searches over both replicas together, not six each: " + passed);
            assertEquals(10, passed + limited);

            for (ServiceInstance replica : List.of(a, b)) {
                HttpResponse<Map> refused = search(replica, IDP.token("late", busy, ""));
                assertEquals(429, status(refused));
                assertEquals(
                        "application/problem+json",
                        refused.getContentType().orElseThrow().toString());
                assertTrue(((String) refused.body().get("type")).endsWith("/rate-limited"));
                String retryAfter = refused.getHeaders().get("Retry-After");
                assertNotNull(retryAfter, "429 says when to come back");
                assertTrue(Long.parseLong(retryAfter) >= 1 && Long.parseLong(retryAfter) <= 60, retryAfter);
            }
            // Another tenant has its own bucket.
            assertEquals(200, status(search(a, IDP.token("someone", quiet, ""))));
            assertEquals(200, status(search(b, IDP.token("someone", quiet, ""))));
        }
    }

    @Test
    void bucketsThatHaveRefilledAreDeletedAndALimitInForceIsNot() throws Exception {
        String shared = tenant + "e";
        Map<String, String> settings = new java.util.HashMap<>(getProperties());
        settings.putAll(Map.of(
                "clearance.limits.rate.caller-per-minute", "2",
                "clearance.limits.rate.keep-full", "0s",
                "clearance.limits.rate.cleanup-interval", "200ms"));
        try (ServiceInstance a = new ServiceInstance(settings, Map.of());
                ServiceInstance b = new ServiceInstance(settings, Map.of())) {
            javax.sql.DataSource db = a.bean(javax.sql.DataSource.class);
            String busy = IDP.token("busyx" + shared, shared, "");
            String idle = IDP.token("idlex" + shared, shared, "");
            assertEquals(200, status(search(a, busy)));
            assertEquals(200, status(search(b, busy)));
            assertEquals(200, status(search(a, idle)));
            // Two a minute: the busy caller's bucket is empty and refills in a minute, the idle
            // caller's in half a minute. Each row says so, in epoch milliseconds.
            long now = System.currentTimeMillis();
            List<Long> busyRows = buckets(db, "busyx" + shared);
            assertEquals(1, busyRows.size(), "one bucket row for the busy caller");
            assertNotNull(busyRows.get(0), "Bucket4j wrote its expiry");
            long busyExpires = busyRows.get(0);
            assertTrue(
                    busyExpires > now + 50_000 && busyExpires < now + 70_000,
                    "an empty bucket of two a minute is full a minute later: " + (busyExpires - now) + " ms");
            // Let the idle caller's bucket be full already, as half a minute later.
            update(db, "UPDATE rate_limit_buckets SET expires_at = ? WHERE id LIKE ?", now - 1, "idlex" + shared);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!buckets(db, "idlex" + shared).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(List.of(), buckets(db, "idlex" + shared), "the refilled bucket was deleted by a replica");
            // Many cleanups later the limit in force still holds, on both replicas.
            Thread.sleep(1000);
            assertEquals(1, buckets(db, "busyx" + shared).size(), "the empty bucket stays");
            assertEquals(429, status(search(a, busy)));
            assertEquals(429, status(search(b, busy)));
            // The idle caller starts again with a full bucket, as it would have had.
            assertEquals(200, status(search(b, idle)));
        }
    }

    /** The bucket rows whose key names {@code user}: their expiry, null where none was written. */
    private static List<Long> buckets(javax.sql.DataSource db, String user) throws Exception {
        try (java.sql.Connection c = db.getConnection();
                java.sql.PreparedStatement s =
                        c.prepareStatement("SELECT expires_at FROM rate_limit_buckets WHERE id LIKE ?")) {
            s.setString(1, "%" + user + "%");
            List<Long> expiries = new ArrayList<>();
            try (java.sql.ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    long value = rs.getLong(1);
                    expiries.add(rs.wasNull() ? null : value);
                }
            }
            return expiries;
        }
    }

    private static void update(javax.sql.DataSource db, String sql, long value, String user) throws Exception {
        try (java.sql.Connection c = db.getConnection();
                java.sql.PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, value);
            s.setString(2, "%" + user + "%");
            assertEquals(1, s.executeUpdate());
        }
    }

    @Test
    void oneCallerOverItsLimitLeavesTheOtherCallersOfItsTenantAlone() {
        String shared = tenant + "c";
        try (ServiceInstance a = instance("0", "2");
                ServiceInstance b = instance("0", "2")) {
            String agent = IDP.agentToken("dana", shared, "notetaker");
            assertEquals(200, status(search(a, agent)));
            assertEquals(200, status(search(b, agent)));
            assertEquals(429, status(search(a, agent)), "the agent's third search, whichever replica");
            // The same user without the agent is another caller; so is any other user.
            assertEquals(200, status(search(b, IDP.token("dana", shared, ""))));
            assertEquals(200, status(search(a, IDP.token("erik", shared, ""))));
        }
    }
}
