package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ExactScanPolicyTest {

    private final Map<String, Long> sizes = new HashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicLong now = new AtomicLong();

    private ExactScanPolicy policy(long max) {
        return new ExactScanPolicy(
                tenant -> {
                    reads.incrementAndGet();
                    return sizes.getOrDefault(tenant, 0L);
                },
                max,
                now::get);
    }

    @Test
    void tenantsUpToTheLimitAreScannedExactlyLargerOnesUseTheIndex() {
        sizes.put("small", 1_000L);
        sizes.put("limit", 5_000L);
        sizes.put("large", 5_001L);
        ExactScanPolicy policy = policy(5_000);
        assertTrue(policy.exact("small"));
        assertTrue(policy.exact("limit"));
        assertFalse(policy.exact("large"));
        assertTrue(policy.exact("empty"));
    }

    @Test
    void zeroMeansAlwaysApproximateWithoutReadingSizes() {
        sizes.put("small", 1L);
        assertFalse(policy(0).exact("small"));
        assertEquals(0, reads.get());
    }

    @Test
    void aTenantsSizeIsReadAgainOnlyAfterAMinute() {
        sizes.put("growing", 10L);
        ExactScanPolicy policy = policy(100);
        assertTrue(policy.exact("growing"));
        sizes.put("growing", 1_000L);
        now.addAndGet(59_000_000_000L);
        assertTrue(policy.exact("growing"), "a remembered size is used within the minute");
        assertEquals(1, reads.get());
        now.addAndGet(2_000_000_000L);
        assertFalse(policy.exact("growing"), "after a minute the new size decides");
        assertEquals(2, reads.get());
    }
}
