package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.identity.Caller;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SearchAdmissionTest {

    private static final Caller ALICE = caller("acme", "alice", null);
    private static final Caller AGENT = caller("acme", "alice", "crawler");
    private static final Caller BOB = caller("acme", "bob", null);
    private static final Caller ERIN = caller("globex", "erin", null);

    private static Caller caller(String tenant, String user, String agent) {
        return new Caller(tenant, user, Optional.ofNullable(agent), Set.of());
    }

    private static SearchAdmission admission(int limit, Duration queueTimeout) {
        return new SearchAdmission(limit, queueTimeout, new SimpleMeterRegistry());
    }

    @Test
    void aSearchWaitsForAFreeSlotAndIsRefusedWithRetryAfterWhenTheWaitIsTooLong() throws Exception {
        SearchAdmission admission = admission(1, Duration.ofMillis(300));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> first = pool.submit(() -> admission.run(ALICE, () -> {
                running.countDown();
                await(release);
                return "first";
            }));
            running.await(5, TimeUnit.SECONDS);

            SearchAdmission.Overloaded refused =
                    assertThrows(SearchAdmission.Overloaded.class, () -> admission.run(BOB, () -> "second"));
            assertEquals(503, refused.status().getCode());
            assertEquals("2", refused.retryAfterSeconds());

            // A search that waits less than the queue timeout runs once the slot is free.
            Future<String> third = pool.submit(() -> admission.run(BOB, () -> "third"));
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
                () -> admission.run(ALICE, () -> {
                    throw new IllegalStateException("authorization failed");
                }));
        assertEquals("next", admission.run(ALICE, () -> "next"));
    }

    /**
     * An agent queues eight searches before a user and another tenant queue one each: the free slots
     * go round the tenants and callers, so the two single searches run among the first three, not
     * after the agent's eight.
     */
    @Test
    void aBusyAgentDoesNotStarveOtherCallersOrTenants() throws Exception {
        SearchAdmission admission = admission(1, Duration.ofSeconds(10));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<String>> all = new ArrayList<>();
            all.add(pool.submit(() -> admission.run(AGENT, () -> {
                running.countDown();
                await(release);
                return "held";
            })));
            running.await(5, TimeUnit.SECONDS);
            // One at a time, each in line before the next is sent: the arrival order is the test's.
            for (int i = 0; i < 8; i++) {
                String name = "agent-" + i;
                all.add(pool.submit(() -> admission.run(AGENT, () -> record(order, name))));
                awaitQueued(admission, i + 1);
            }
            all.add(pool.submit(() -> admission.run(BOB, () -> record(order, "bob"))));
            awaitQueued(admission, 9);
            all.add(pool.submit(() -> admission.run(ERIN, () -> record(order, "erin"))));
            awaitQueued(admission, 10);
            release.countDown();
            for (Future<String> f : all) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertEquals(10, order.size(), order.toString());
            assertTrue(order.indexOf("erin") <= 1, "the other tenant waited its turn only: " + order);
            assertTrue(order.indexOf("bob") <= 2, "the other user waited its turn only: " + order);
            // The agent's own searches keep their arrival order.
            List<String> agents =
                    order.stream().filter(s -> s.startsWith("agent-")).toList();
            assertEquals(
                    List.of("agent-0", "agent-1", "agent-2", "agent-3", "agent-4", "agent-5", "agent-6", "agent-7"),
                    agents);
        } finally {
            pool.shutdownNow();
        }
    }

    private static String record(List<String> order, String name) {
        order.add(name);
        return name;
    }

    private static void awaitQueued(SearchAdmission admission, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (admission.queued() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(count, admission.queued(), "searches in line");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
