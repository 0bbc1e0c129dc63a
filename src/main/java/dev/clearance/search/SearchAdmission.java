package dev.clearance.search;

import dev.clearance.web.ProblemException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.http.HttpStatus;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Bounds how many searches run at once; the rest wait in line. Requests run on virtual threads, so
 * without a bound every concurrent request would embed and send its checks at the same time. On a
 * small machine that makes every search slow, and checks then pass the authorization timeout and
 * fail closed (measured: 16 clients at 100k chunks on 2 cores gave 3 of 4 searches a 503). Waiting
 * here costs nothing but time. A search that cannot start within {@code queueTimeout} is refused
 * with 503 and {@code Retry-After}: overload is told apart from an authorization failure.
 */
@Singleton
final class SearchAdmission {

    private final Semaphore permits;
    private final Duration queueTimeout;
    private final AtomicInteger waiting = new AtomicInteger();

    SearchAdmission(SearchProperties properties, MeterRegistry meters) {
        int limit = properties.maxConcurrent() > 0
                ? properties.maxConcurrent()
                : 2 * Runtime.getRuntime().availableProcessors();
        this.permits = new Semaphore(limit, true);
        this.queueTimeout = properties.queueTimeout();
        Gauge.builder("clearance.search.queued", waiting, AtomicInteger::get)
                .description("Searches waiting for a free slot")
                .register(meters);
        Gauge.builder("clearance.search.limit", () -> limit)
                .description("Searches that may run at once")
                .register(meters);
    }

    <T> T run(Supplier<T> search) {
        waiting.incrementAndGet();
        boolean admitted;
        try {
            admitted = permits.tryAcquire(queueTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Overloaded();
        } finally {
            waiting.decrementAndGet();
        }
        if (!admitted) {
            throw new Overloaded();
        }
        try {
            return search.get();
        } finally {
            permits.release();
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
