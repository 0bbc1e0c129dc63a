package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TenantSizesTest {

    private final Map<String, Long> sizes = new HashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicLong now = new AtomicLong();

    private TenantSizes policy(long max) {
        return policy(max, 0);
    }

    private TenantSizes policy(long max, long listUpToDocuments) {
        return new TenantSizes(
                tenant -> {
                    reads.incrementAndGet();
                    long chunks = sizes.getOrDefault(tenant, 0L);
                    return new TenantSizes.Size(chunks, chunks / 2);
                },
                max,
                listUpToDocuments,
                now::get);
    }

    @Test
    void tenantsUpToTheLimitAreScannedExactlyLargerOnesUseTheIndex() {
        sizes.put("small", 1_000L);
        sizes.put("limit", 5_000L);
        sizes.put("large", 5_001L);
        TenantSizes policy = policy(5_000);
        assertTrue(policy.exactScan("small"));
        assertTrue(policy.exactScan("limit"));
        assertFalse(policy.exactScan("large"));
        assertTrue(policy.exactScan("empty"));
        assertEquals(500, policy.documents("small"));
    }

    @Test
    void newCallersAreListedInTenantsUpToTheirDocumentLimit() {
        sizes.put("small", 2_000L); // 1,000 documents
        sizes.put("large", 2_002L); // 1,001 documents
        TenantSizes policy = policy(0, 1_000);
        assertTrue(policy.listable("small"));
        assertFalse(policy.listable("large"));
        assertTrue(policy.listable("empty"));
        assertFalse(policy(0, 0).listable("small"), "0: never");
    }

    @Test
    void zeroMeansAlwaysApproximateWithoutReadingSizes() {
        sizes.put("small", 1L);
        assertFalse(policy(0).exactScan("small"));
        assertEquals(0, reads.get());
    }

    @Test
    void aTenantsSizeIsReadAgainOnlyAfterAMinute() {
        sizes.put("growing", 10L);
        TenantSizes policy = policy(100);
        assertTrue(policy.exactScan("growing"));
        sizes.put("growing", 1_000L);
        now.addAndGet(59_000_000_000L);
        assertTrue(policy.exactScan("growing"), "a remembered size is used within the minute");
        assertEquals(1, reads.get());
        now.addAndGet(2_000_000_000L);
        assertFalse(policy.exactScan("growing"), "after a minute the new size decides");
        assertEquals(2, reads.get());
    }
}
