package dev.clearance.search;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * Budgets of the refill loop and the switch to the pre-filter.
 *
 * @param firstWindowFactor chunks fetched in round one, as a multiple of topK
 * @param growth how much the window grows per refill round
 * @param maxRounds refill rounds before giving up (the response then says incomplete)
 * @param maxWindow upper bound on chunks fetched in one round
 * @param budget time budget of the candidate/authorization loop
 * @param prefilterBelow visible share (of round one, or recently observed) under which ADAPTIVE uses the pre-filter
 * @param hybrid whether the full-text leg joins the vector leg (fused by reciprocal rank)
 * @param maxConcurrent searches that run at once (0: twice the processors); the rest wait in line
 * @param queueTimeout longest wait in that line before a 503 with Retry-After
 * @param exactMaxChunks tenants with at most this many chunks are searched by an exact scan instead of
 *     the approximate HNSW index, so their results are the true nearest chunks (0: always approximate);
 *     the scan's cost grows with the tenant's size, see ADR 0004
 * @param listNewCallersUpTo in tenants with at most this many documents, a caller seen for the first
 *     time whose groups' and folders' lists are not all cached has them listed before its first round
 *     (when decisions are shared through subjects), so that its share is known at once (0: never;
 *     such a caller then learns its share from a post-filter round). A list can be no longer than
 *     the tenant, so this bounds what listing may cost (ADR 0015)
 */
@ConfigurationProperties("clearance.search")
public record SearchProperties(
        @Bindable(defaultValue = "4") @Min(1) @Max(100) int firstWindowFactor,
        @Bindable(defaultValue = "4") @Min(2) @Max(16) int growth,
        @Bindable(defaultValue = "5") @Min(1) @Max(20) int maxRounds,

        @Bindable(defaultValue = "4000") @Min(10) @Max(100_000)
        int maxWindow,

        @Bindable(defaultValue = "5s") Duration budget,
        @Bindable(defaultValue = "0.2") double prefilterBelow,
        @Bindable(defaultValue = "true") boolean hybrid,
        @Bindable(defaultValue = "0") @Min(0) @Max(1000) int maxConcurrent,
        @Bindable(defaultValue = "10s") Duration queueTimeout,
        @Bindable(defaultValue = "20000") @Min(0) long exactMaxChunks,
        @Bindable(defaultValue = "20000") @Min(0) long listNewCallersUpTo) {}
