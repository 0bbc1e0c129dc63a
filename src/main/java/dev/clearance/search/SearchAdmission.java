package dev.clearance.search;

import dev.clearance.identity.Caller;
import dev.clearance.platform.ProblemException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.http.HttpStatus;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Bounds how many searches run at once; the rest wait in line. Requests run on virtual threads, so
 * without a bound every concurrent request would embed and send its checks at the same time. On a
 * small machine that makes every search slow, and checks then pass the authorization timeout and
 * fail closed (measured: 16 clients at 100k chunks on 2 cores gave 3 of 4 searches a 503). A search
 * that cannot start within {@code queueTimeout} is refused with 503 and {@code Retry-After}:
 * overload is told apart from an authorization failure.
 *
 * <p>The line is fair, not first-come: a free slot goes to the next tenant in turn, and within a
 * tenant to the next caller (user, or user with agent) in turn, each caller's own searches in
 * arrival order. An agent that sends fifty searches at once therefore waits behind its own, not in
 * front of everybody else's (ADR 0009). This is the bulkhead of one replica; limits shared by
 * replicas are another matter.
 *
 * <p>Created at start-up ({@code @Context}), not at the first search: its gauges are what an
 * autoscaler reads (deploy/k8s/hpa.yaml), and a replica that has not searched yet must report an
 * empty line rather than no line at all.
 */
@Context
final class SearchAdmission {

    /** One waiting search; {@code admitted} is set under the lock by whoever hands it the slot. */
    private static final class Waiter {
        final Condition turn;
        boolean admitted;

        Waiter(Condition turn) {
            this.turn = turn;
        }
    }

    private final int limit;
    private final Duration queueTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    /** Tenants in turn order; in each, callers in turn order; for each, its waiting searches. */
    private final LinkedHashMap<String, LinkedHashMap<String, ArrayDeque<Waiter>>> line = new LinkedHashMap<>();

    private int running;
    private int waiting;

    @Inject
    SearchAdmission(SearchProperties properties, MeterRegistry meters) {
        this(
                properties.maxConcurrent() > 0
                        ? properties.maxConcurrent()
                        : 2 * Runtime.getRuntime().availableProcessors(),
                properties.queueTimeout(),
                meters);
    }

    SearchAdmission(int limit, Duration queueTimeout, MeterRegistry meters) {
        this.limit = limit;
        this.queueTimeout = queueTimeout;
        Gauge.builder("clearance.search.queued", this, SearchAdmission::queued)
                .description("Searches waiting for a free slot")
                .register(meters);
        Gauge.builder("clearance.search.limit", () -> limit)
                .description("Searches that may run at once")
                .register(meters);
    }

    /** Searches waiting in line now. */
    int queued() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    <T> T run(Caller caller, Supplier<T> search) {
        admit(caller.tenant(), caller.subjects());
        try {
            return search.get();
        } finally {
            release();
        }
    }

    private void admit(String tenant, String subjects) {
        lock.lock();
        try {
            if (running < limit && waiting == 0) {
                running++;
                return;
            }
            Waiter waiter = new Waiter(lock.newCondition());
            line.computeIfAbsent(tenant, t -> new LinkedHashMap<>())
                    .computeIfAbsent(subjects, s -> new ArrayDeque<>())
                    .add(waiter);
            waiting++;
            long left = queueTimeout.toNanos();
            try {
                while (!waiter.admitted && left > 0) {
                    left = waiter.turn.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!waiter.admitted) {
                remove(tenant, subjects, waiter);
                throw new Overloaded();
            }
        } finally {
            lock.unlock();
        }
    }

    private void release() {
        lock.lock();
        try {
            running--;
            handOver();
        } finally {
            lock.unlock();
        }
    }

    /** Gives free slots to the next waiting searches, one tenant and one caller at a time. */
    private void handOver() {
        while (running < limit && !line.isEmpty()) {
            Iterator<Map.Entry<String, LinkedHashMap<String, ArrayDeque<Waiter>>>> tenants =
                    line.entrySet().iterator();
            Map.Entry<String, LinkedHashMap<String, ArrayDeque<Waiter>>> tenant = tenants.next();
            tenants.remove();
            LinkedHashMap<String, ArrayDeque<Waiter>> callers = tenant.getValue();
            Iterator<Map.Entry<String, ArrayDeque<Waiter>>> first =
                    callers.entrySet().iterator();
            Map.Entry<String, ArrayDeque<Waiter>> caller = first.next();
            first.remove();
            Waiter next = caller.getValue().poll();
            // Both go to the back of their line: the next slot is someone else's turn.
            if (!caller.getValue().isEmpty()) {
                callers.put(caller.getKey(), caller.getValue());
            }
            if (!callers.isEmpty()) {
                line.put(tenant.getKey(), callers);
            }
            waiting--;
            running++;
            next.admitted = true;
            next.turn.signal();
        }
    }

    private void remove(String tenant, String subjects, Waiter waiter) {
        LinkedHashMap<String, ArrayDeque<Waiter>> callers = line.get(tenant);
        ArrayDeque<Waiter> own = callers == null ? null : callers.get(subjects);
        if (own != null && own.remove(waiter)) {
            waiting--;
            if (own.isEmpty()) {
                callers.remove(subjects);
            }
            if (callers.isEmpty()) {
                line.remove(tenant);
            }
        }
    }

    /** Too many searches waiting: retry later. */
    static final class Overloaded extends ProblemException {
        Overloaded() {
            super(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "overloaded",
                    "Too many searches at once",
                    "The service is busy; retry in a few seconds.",
                    List.of(),
                    null);
        }

        @Override
        public String retryAfterSeconds() {
            return "2";
        }
    }
}
