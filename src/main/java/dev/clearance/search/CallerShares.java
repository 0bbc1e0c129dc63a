package dev.clearance.search;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.clearance.identity.Caller;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * The share of nearest candidates each caller (user, or user with agent) was recently allowed to
 * view, so that the next search checks about as many candidates as it needs instead of a fixed
 * multiple of k, and a caller who sees little of the tenant goes straight to the pre-filter (ADR
 * 0009). Only a cost estimate: a wrong share costs another round or a few checks too many, never a
 * result, because every candidate is still authorized (by a check or a complete list).
 */
@Singleton
final class CallerShares {

    /** Weight of the newest observation in the running estimate. */
    private static final double NEWEST = 0.5;

    private final Cache<String, Double> shares = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(30))
            .build();

    OptionalDouble of(Caller caller) {
        Double share = shares.getIfPresent(key(caller));
        return share == null ? OptionalDouble.empty() : OptionalDouble.of(share);
    }

    /** {@code allowed} of {@code decided} documents among the caller's nearest candidates. */
    void observe(Caller caller, int allowed, int decided) {
        if (decided > 0) {
            remember(caller, (double) allowed / decided);
        }
    }

    void remember(Caller caller, double share) {
        shares.asMap().merge(key(caller), share, (old, newest) -> (1 - NEWEST) * old + NEWEST * newest);
    }

    private static String key(Caller caller) {
        return caller.tenant() + "\n" + caller.subjects();
    }
}
