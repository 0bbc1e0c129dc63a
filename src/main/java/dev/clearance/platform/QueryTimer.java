package dev.clearance.platform;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Latency of the statements on a search's path, connection wait included, so pool exhaustion shows
 * up here too ({@code clearance.store.query.duration}, tag {@code query}).
 */
@Singleton
public final class QueryTimer {

    private final MeterRegistry meters;

    QueryTimer(MeterRegistry meters) {
        this.meters = meters;
    }

    public <T> T time(String query, Supplier<T> work) {
        long started = System.nanoTime();
        try {
            return work.get();
        } finally {
            meters.timer("clearance.store.query.duration", "query", query)
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }
}
