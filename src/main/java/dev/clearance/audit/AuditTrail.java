package dev.clearance.audit;

import dev.clearance.identity.Caller;
import dev.clearance.platform.RequestRef;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Records every retrieval: who (tenant, user, agent), what was asked (a keyed hash, never the text),
 * which chunks or documents were returned, how the search found them (candidates, checks, denials,
 * rounds, strategy: counts that callers themselves no longer see, ADR 0006) and with which model.
 */
@Singleton
public final class AuditTrail {

    public static final String ALLOWED = "allowed";
    public static final String NOT_FOUND = "not_found";

    private final AuditRepository repository;
    private final QueryHasher hasher;

    AuditTrail(AuditRepository repository, QueryHasher hasher) {
        this.repository = repository;
        this.hasher = hasher;
    }

    /** What one search did, in the terms the audit log keeps. */
    public record Search(
            RequestRef request,
            Caller caller,
            String action,
            String query,
            List<Long> chunkIds,
            int candidates,
            int checked,
            int denied,
            int rounds,
            String strategy,
            String vectorSearch,
            String modelId,
            String consistency,
            long latencyMs) {}

    /** One read of a document by id; {@code outcome} is {@link #ALLOWED} or {@link #NOT_FOUND}. */
    public record Read(
            RequestRef request,
            Caller caller,
            String action,
            @Nullable String documentId,
            String outcome,
            int denied,
            @Nullable String modelId,
            @Nullable String consistency,
            long latencyMs) {}

    public void record(Search e) {
        repository.append(new AuditRepository.AuditRecord(
                null,
                e.request().id(),
                e.request().clientId(),
                e.caller().tenant(),
                e.caller().userId(),
                e.caller().agentId().orElse(null),
                e.action(),
                e.query() == null ? null : hasher.hash(e.query()),
                e.chunkIds(),
                List.of(),
                null,
                e.candidates(),
                e.checked(),
                e.denied(),
                e.rounds(),
                e.strategy(),
                e.vectorSearch(),
                e.modelId(),
                e.consistency(),
                millis(e.latencyMs())));
    }

    public void record(Read e) {
        repository.append(new AuditRepository.AuditRecord(
                null,
                e.request().id(),
                e.request().clientId(),
                e.caller().tenant(),
                e.caller().userId(),
                e.caller().agentId().orElse(null),
                e.action(),
                null,
                List.of(),
                e.documentId() == null ? List.of() : List.of(e.documentId()),
                e.outcome(),
                null,
                null,
                e.denied(),
                null,
                null,
                null,
                e.modelId(),
                e.consistency(),
                millis(e.latencyMs())));
    }

    public List<AuditRepository.AuditRecord> recent(Caller caller, int limit) {
        return repository.recent(caller.tenant(), limit);
    }

    private static int millis(long latencyMs) {
        return (int) Math.min(Integer.MAX_VALUE, latencyMs);
    }
}
