package dev.clearance.access;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.function.ToDoubleFunction;

/** Metrics of the access sync: outcomes per attempt, and the backlog as gauges for alerting. */
@Singleton
final class SyncMetrics {

    private final MeterRegistry meters;

    SyncMetrics(MeterRegistry meters, OutboxBacklog backlog) {
        this.meters = meters;
        gauge(
                "clearance.outbox.lag.seconds",
                "Age of the oldest access change not yet in OpenFGA",
                backlog,
                b -> b.backlog().lagSeconds());
        gauge(
                "clearance.outbox.pending",
                "Objects whose access rules are not yet in OpenFGA (documents hidden)",
                backlog,
                b -> b.backlog().pending());
        gauge(
                "clearance.outbox.parked",
                "Objects whose tuples OpenFGA refused; they wait for an operator",
                backlog,
                b -> b.backlog().parked());
    }

    /** Counts one attempt's outcome and returns whether the object is synced. */
    boolean done(String result) {
        meters.counter("clearance.outbox.applied", "result", result).increment();
        return result.equals("ok");
    }

    private void gauge(String name, String description, OutboxBacklog backlog, ToDoubleFunction<OutboxBacklog> value) {
        Gauge.builder(name, backlog, b -> {
                    try {
                        return value.applyAsDouble(b);
                    } catch (RuntimeException e) {
                        return Double.NaN;
                    }
                })
                .description(description)
                .register(meters);
    }
}
