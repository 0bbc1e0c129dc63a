package dev.clearance.access;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * The in-process caches of OpenFGA's answers (ADR 0009). Entries are keyed by the tenant's access
 * epoch, so a change through the service retires them at once; {@code ttl} only bounds how long a
 * change made behind the service's back (straight in OpenFGA) can go unseen before the reconciler
 * repairs it.
 *
 * @param enabled whether decisions and visible-document lists are cached at all
 * @param maxDecisions decisions kept (one per caller, document and access version)
 * @param maxListed document ids kept across all cached visible-document lists
 * @param ttl longest time an entry is used
 * @param shareSubjects whether decisions made for groups, directly granted folders and public
 *     shares are shared by every caller they cover (ADR 0015); only where the model allows it
 * @param maxExpansions callers whose shared subjects are kept
 */
@ConfigurationProperties("clearance.authz.cache")
public record DecisionCacheProperties(
        @Bindable(defaultValue = "true") boolean enabled,

        @Bindable(defaultValue = "200000") @Min(0) @Max(10_000_000)
        int maxDecisions,

        @Bindable(defaultValue = "2000000") @Min(0) @Max(100_000_000)
        int maxListed,

        @Bindable(defaultValue = "60s") Duration ttl,
        @Bindable(defaultValue = "true") boolean shareSubjects,

        @Bindable(defaultValue = "100000") @Min(0) @Max(10_000_000)
        int maxExpansions) {}
