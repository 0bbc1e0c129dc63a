package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SearchAdmissionTest {

    private static SearchAdmission admission(int limit, Duration queueTimeout) {
        SearchProperties properties = new SearchProperties(
                4, 4, 5, 4000, Duration.ofSeconds(5), 0.2, true, Duration.ofSeconds(10), limit, queueTimeout, 200_000);
        return new SearchAdmission(properties, new SimpleMeterRegistry());
    }

    @Test
    void aSearchWaitsForAFreeSlotAndIsRefusedWithRetryAfterWhenTheWaitIsTooLong() throws Exception {
        SearchAdmission admission = admission(1, Duration.ofMillis(300));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> first = pool.submit(() -> admission.run(() -> {
                running.countDown();
                await(release);
                return "first";
            }));
            running.await(5, TimeUnit.SECONDS);

            SearchAdmission.Overloaded refused =
                    assertThrows(SearchAdmission.Overloaded.class, () -> admission.run(() -> "second"));
            assertEquals(503, refused.status().getCode());
            assertEquals("2", refused.retryAfterSeconds());

            // A search that waits less than the queue timeout runs once the slot is free.
            Future<String> third = pool.submit(() -> admission.run(() -> "third"));
            Thread.sleep(50);
            release.countDown();
            assertEquals("first", first.get(5, TimeUnit.SECONDS));
            assertEquals("third", third.get(5, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theSlotIsGivenBackWhenASearchFails() {
        SearchAdmission admission = admission(1, Duration.ofMillis(100));
        assertThrows(
                IllegalStateException.class,
                () -> admission.run(() -> {
                    throw new IllegalStateException("authorization failed");
                }));
        assertEquals("next", admission.run(() -> "next"));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
