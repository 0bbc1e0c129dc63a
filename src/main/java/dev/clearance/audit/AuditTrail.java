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
    /** A search that returned its results (possibly none). */
    public static final String ANSWERED = "answered";
    /** A search or read refused because authorization could not be decided (503): nothing left. */
    public static final String UNAVAILABLE = "unavailable";

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

    /**
     * A search or read answered 503 because authorization could not be decided. Nothing left the
     * service, but who asked, and when, still matters to an auditor: an outage is when a probe of
     * the fail-closed path would happen. {@code documentId} is the id asked for by a read, else null.
     */
    public record Unavailable(
            RequestRef request,
            Caller caller,
            String action,
            @Nullable String query,
            @Nullable String documentId,
            String consistency,
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
                ANSWERED,
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

    /**
     * Records the refusal of a request that fails with {@code failure}. When the row cannot be written
     * either, the request must still fail with its own, honest cause: the audit failure is attached to
     * it instead of replacing it.
     */
    public void record(Unavailable e, RuntimeException failure) {
        try {
            record(e);
        } catch (RuntimeException auditFailure) {
            failure.addSuppressed(auditFailure);
        }
    }

    private void record(Unavailable e) {
        repository.append(new AuditRepository.AuditRecord(
                null,
                e.request().id(),
                e.request().clientId(),
                e.caller().tenant(),
                e.caller().userId(),
                e.caller().agentId().orElse(null),
                e.action(),
                e.query() == null ? null : hasher.hash(e.query()),
                List.of(),
                e.documentId() == null ? List.of() : List.of(e.documentId()),
                UNAVAILABLE,
                null,
                null,
                0,
                null,
                null,
                null,
                // No model: no decision was made, and naming it may need the OpenFGA that failed.
                null,
                e.consistency(),
                millis(e.latencyMs())));
    }

    public List<AuditRepository.AuditRecord> recent(Caller caller, int limit) {
        return repository.recent(caller.tenant(), limit);
    }

    /** The consistency mode a request asked OpenFGA for, as the audit log names it. */
    public static String consistency(boolean fresh) {
        return fresh ? "HIGHER_CONSISTENCY" : "MINIMIZE_LATENCY";
    }

    private static int millis(long latencyMs) {
        return (int) Math.min(Integer.MAX_VALUE, latencyMs);
    }
}
