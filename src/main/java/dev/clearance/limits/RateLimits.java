package dev.clearance.limits;

import dev.clearance.identity.Caller;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Per-tenant and per-caller search limits that hold across replicas: the token buckets live in
 * PostgreSQL (Bucket4j, {@code rate_limit_buckets}), so N replicas admit one limit, not N. The
 * in-process search line ({@code SearchAdmission}) stays as each replica's bulkhead.
 *
 * <p>The caller's bucket is asked first: a caller over its own limit is refused before it uses up
 * its tenant's. A refusal says only which limit and when to retry, nothing about other callers.
 */
@Singleton
public final class RateLimits {

    private final RateLimitProperties properties;
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;
    private final MeterRegistry meters;

    RateLimits(DataSource dataSource, RateLimitProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.meters = meters;
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_limit_buckets")
                .idColumn("id")
                .stateColumn("state")
                // A bucket expires once it has refilled to capacity (plus keepFull): from then on a
                // new, full bucket admits exactly what it would (V12, ExpiredBuckets).
                .expiresAtColumn("expires_at")
                .expirationAfterWrite(
                        ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(properties.keepFull()))
                .build();
    }

    /** Deletes up to {@code batch} expired buckets; returns how many went. */
    int removeExpired(int batch) {
        return buckets.removeExpired(batch);
    }

    /** Takes one search from the caller's and the tenant's buckets, or throws 429. */
    public void admit(Caller caller) {
        take("caller", "caller:" + caller.tenant() + "\n" + caller.subjects(), properties.callerPerMinute());
        take("tenant", "tenant:" + caller.tenant(), properties.tenantPerMinute());
    }

    private void take(String whose, String key, int perMinute) {
        if (perMinute <= 0) {
            return;
        }
        BucketConfiguration limit = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(perMinute)
                        .refillGreedy(perMinute, Duration.ofMinutes(1))
                        .build())
                .build();
        ConsumptionProbe probe = buckets.builder().build(key, () -> limit).tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            meters.counter("clearance.limits.refused", "limit", whose).increment();
            long seconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
            throw new RateLimitedException(whose, perMinute, seconds);
        }
    }
}
