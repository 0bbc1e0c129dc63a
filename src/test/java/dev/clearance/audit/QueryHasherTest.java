package dev.clearance.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class QueryHasherTest {

    @Test
    void aConfiguredKeyIsUsedAsIsAndNeverReachesTheDatabase() throws Exception {
        // No key store: a configured key must not need one.
        QueryHasher hasher = new QueryHasher(null, "configured-secret-of-this-deployment");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(
                "configured-secret-of-this-deployment".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertEquals(
                HexFormat.of().formatHex(mac.doFinal("salary".getBytes(StandardCharsets.UTF_8))),
                hasher.hash("salary"));
    }

    @Test
    void threadsHashingAtOnceGetTheSameAnswersAsOneThread() throws Exception {
        // Every hash clones one initialised Mac: the clones must not share state.
        QueryHasher hasher = new QueryHasher(null, "key-shared-by-threads");
        List<String> queries =
                IntStream.range(0, 64).mapToObj(i -> "query " + i).toList();
        Map<String, String> alone = new HashMap<>();
        queries.forEach(q -> alone.put(q, new QueryHasher(null, "key-shared-by-threads").hash(q)));
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Boolean>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(pool.submit(() -> {
                    for (int round = 0; round < 200; round++) {
                        for (String q : queries) {
                            if (!alone.get(q).equals(hasher.hash(q))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> run : runs) {
                assertTrue(run.get());
            }
        }
    }

    @Test
    void differentKeysGiveDifferentHashes() {
        assertNotEquals(
                new QueryHasher(null, "key-one").hash("salary"), new QueryHasher(null, "key-two").hash("salary"));
    }
}
