package dev.clearance.audit;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hashes queries for the audit log with HMAC-SHA256. A plain SHA-256 of a short query is recovered
 * by hashing guesses; with a key that never leaves the service, the hash only says "same query as
 * that other record". The key is {@code clearance.audit.query-key} when configured, otherwise a
 * random key generated once and kept in PostgreSQL, so every replica and every restart hash alike.
 */
@Singleton
public final class QueryHasher {

    private static final String ALGORITHM = "HmacSHA256";

    private final AuditKeyStore store;
    private final String configured;
    /**
     * A Mac initialised with the key, cloned for each hash: looking up the provider and scheduling
     * the key for every search was 2.7 % of the service's CPU samples under load (a profile of the
     * load suite). A clone copies the initialised state; the prototype itself is never updated.
     */
    private volatile Mac prototype;

    QueryHasher(AuditKeyStore store, @Value("${clearance.audit.query-key:}") String configured) {
        this.store = store;
        this.configured = configured;
    }

    public String hash(String query) {
        try {
            Mac mac = (Mac) prototype().clone();
            return HexFormat.of().formatHex(mac.doFinal(query.getBytes(StandardCharsets.UTF_8)));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loaded on first use rather than at startup, so a database outage does not stop the service starting. */
    private Mac prototype() {
        Mac current = prototype;
        if (current == null) {
            byte[] bytes = configured == null || configured.isBlank()
                    ? store.keyOrStore(randomKey())
                    : configured.getBytes(StandardCharsets.UTF_8);
            try {
                current = Mac.getInstance(ALGORITHM);
                current.init(new SecretKeySpec(bytes, ALGORITHM));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            prototype = current;
        }
        return current;
    }

    private static byte[] randomKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
