package dev.clearance.audit;

import dev.clearance.identity.Caller;
import dev.clearance.store.AuditRepository;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Records every retrieval: who (tenant, user, agent), what was asked (a hash, never the text),
 * which chunks were returned, how many candidates were denied or errored, and with which model.
 */
@Singleton
public final class AuditTrail {

    private final AuditRepository repository;

    AuditTrail(AuditRepository repository) {
        this.repository = repository;
    }

    /** What one retrieval did, in the terms the audit log keeps. */
    public record Event(
            String requestId,
            Caller caller,
            String action,
            String query,
            List<Long> chunkIds,
            int denied,
            int errors,
            String modelId,
            String consistency,
            String strategy,
            long latencyMs) {}

    public void record(Event e) {
        repository.append(new AuditRepository.AuditRecord(
                Instant.now(),
                e.requestId(),
                e.caller().tenant(),
                e.caller().userId(),
                e.caller().agentId().orElse(null),
                e.action(),
                e.query() == null ? null : sha256(e.query()),
                e.chunkIds(),
                e.denied(),
                e.errors(),
                e.modelId(),
                e.consistency(),
                e.strategy(),
                (int) Math.min(Integer.MAX_VALUE, e.latencyMs())));
    }

    public List<AuditRepository.AuditRecord> recent(Caller caller, int limit) {
        return repository.recent(caller.tenant(), limit);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
