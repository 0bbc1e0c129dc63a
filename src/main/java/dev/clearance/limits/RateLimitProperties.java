package dev.clearance.limits;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * Searches allowed per minute, shared by every replica (0: no limit). A search is one HTTP search,
 * one MCP {@code search_documents} call or one {@code /v1/ask}.
 *
 * @param tenantPerMinute all callers of one tenant together
 * @param callerPerMinute one caller (a user, or a user with one agent) of one tenant
 * @param keepFull how long a bucket's row stays after it has refilled to capacity (so that a caller
 *     who searches now and then does not recreate it each time); then it may be deleted
 * @param cleanupInterval how often expired buckets are deleted (0: never)
 */
@ConfigurationProperties("clearance.limits.rate")
public record RateLimitProperties(
        @Bindable(defaultValue = "0") @Min(0) int tenantPerMinute,
        @Bindable(defaultValue = "0") @Min(0) int callerPerMinute,
        @Bindable(defaultValue = "1m") Duration keepFull,
        @Bindable(defaultValue = "5m") Duration cleanupInterval) {}
