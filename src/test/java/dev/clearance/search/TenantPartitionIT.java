package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pgvector.PGvector;
import dev.clearance.embed.Embedder;
import dev.clearance.testsupport.Api;
import dev.clearance.testsupport.IntegrationTest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chunks are partitioned by tenant (ADR 0014). A tenant moved to a list partition of its own keeps
 * every chunk and answers every search the same, before, during and after the move, while another
 * tenant is untouched; afterwards a search of each tenant reads only that tenant's partition.
 */
@MicronautTest
class TenantPartitionIT extends IntegrationTest {

    private static final List<String> QUERIES =
            List.of("harbour lights maintenance", "quarterly budget of the lighthouse", "night shift rota");

    @Inject
    @Client("/")
    HttpClient client;

    @Inject
    DataSource db;

    @Inject
    Embedder embedder;

    private Api api;
    private String small;

    @BeforeAll
    void load() {
        api = new Api(client.toBlocking());
        small = tenant + "s";
        for (String t : List.of(tenant, small)) {
            String admin = IDP.token("loader", t, "documents:write");
            for (int i = 0; i < 12; i++) {
                put(admin, t + "-doc-" + i, i);
            }
        }
    }

    private void put(String admin, String id, int i) {
        String[] topics = {"harbour lights maintenance", "the lighthouse budget", "night shift rota"};
        int status = api.put(
                        admin,
                        id,
                        Map.of(
                                "title", "Note " + i,
                                "text",
                                        "Note " + i + " about " + topics[i % 3] + ", part " + i
                                                + " of the keepers' log.",
                                "viewers", List.of("user:keeper")))
                .getStatus()
                .getCode();
        assertTrue(status < 300, id + " " + status);
    }

    private Map<String, List<String>> searches(String t) {
        Map<String, List<String>> out = new HashMap<>();
        String token = IDP.token("keeper", t, "");
        for (String q : QUERIES) {
            out.put(q, api.searchIds(token, q, 8));
        }
        return out;
    }

    @Test
    void aTenantMovedToItsOwnPartitionKeepsItsChunksAndAnswersWhileAnotherIsUntouched() throws Exception {
        Map<String, List<String>> large = searches(tenant);
        Map<String, List<String>> other = searches(small);
        assertTrue(
                partitions(tenant).stream().allMatch(p -> p.startsWith("chunks_shared_")),
                partitions(tenant)::toString);
        Set<String> smallBefore = partitions(small);
        long chunks = count(tenant);
        assertTrue(chunks >= 12);

        // Both tenants search while the move runs; every answer must be whole and unchanged.
        AtomicBoolean moving = new AtomicBoolean(true);
        AtomicInteger during = new AtomicInteger();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> loops = new ArrayList<>();
        for (String t : List.of(tenant, small)) {
            Map<String, List<String>> expected = t.equals(tenant) ? large : other;
            loops.add(pool.submit(() -> {
                while (moving.get()) {
                    Map<String, List<String>> seen = searches(t);
                    during.incrementAndGet();
                    if (!seen.equals(expected)) {
                        wrong.add(t + ": " + seen + " instead of " + expected);
                    }
                }
            }));
        }
        Thread.sleep(300);
        ownPartition(tenant);
        Thread.sleep(300);
        moving.set(false);
        for (Future<?> loop : loops) {
            loop.get();
        }
        pool.shutdown();
        assertEquals(List.of(), List.copyOf(wrong));
        assertTrue(during.get() >= 2, "searches ran during the move: " + during.get());

        String own = "chunks_t_" + md5(tenant).substring(0, 16);
        assertEquals(Set.of(own), partitions(tenant));
        assertEquals(chunks, count(tenant));
        assertEquals(smallBefore, partitions(small));
        assertEquals(large, searches(tenant));
        assertEquals(other, searches(small));

        // A search names its tenant: PostgreSQL reads that tenant's partition only.
        assertEquals(Set.of(own), partitionsRead(tenant));
        assertEquals(smallBefore, partitionsRead(small));

        // New chunks of the tenant go to its partition; a second call changes nothing.
        put(IDP.token("loader", tenant, "documents:write"), tenant + "-doc-new", 1);
        ownPartition(tenant);
        assertEquals(Set.of(own), partitions(tenant));
        assertEquals(chunks + 1, count(tenant));
    }

    private void ownPartition(String t) throws SQLException {
        try (Connection c = db.getConnection();
                CallableStatement s = c.prepareCall("CALL give_tenant_own_partition(?)")) {
            s.setString(1, t);
            s.execute();
        }
    }

    private Set<String> partitions(String t) throws SQLException {
        Set<String> out = new TreeSet<>();
        try (Connection c = db.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT DISTINCT tableoid::regclass::text FROM chunks WHERE tenant = ?")) {
            s.setString(1, t);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private long count(String t) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM chunks WHERE tenant = ?")) {
            s.setString(1, t);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The tables the plan of an approximate nearest-neighbour query of the tenant reads. */
    private Set<String> partitionsRead(String t) throws SQLException {
        Set<String> out = new TreeSet<>();
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("EXPLAIN (FORMAT JSON) SELECT id FROM chunks"
                        + " WHERE tenant = ? ORDER BY embedding <=> ? LIMIT 10")) {
            s.setString(1, t);
            s.setObject(2, new PGvector(embedder.embedQuery("harbour lights")));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                Matcher m = Pattern.compile("\"Relation Name\": \"([^\"]+)\"").matcher(rs.getString(1));
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
        }
        return out;
    }

    private static String md5(String s) throws Exception {
        return java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("MD5")
                        .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
