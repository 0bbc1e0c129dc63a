package dev.clearance.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
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
    void differentKeysGiveDifferentHashes() {
        assertNotEquals(
                new QueryHasher(null, "key-one").hash("salary"), new QueryHasher(null, "key-two").hash("salary"));
    }
}
