package dev.clearance.access;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/** Metrics of the access sync: outcomes per attempt, and the backlog as gauges for alerting. */
final class SyncMetrics {

    private final MeterRegistry meters;

    SyncMetrics(MeterRegistry meters, AccessOutbox outbox) {
        this.meters = meters;
        gauge(
                "clearance.outbox.lag.seconds",
                "Age of the oldest access change not yet in OpenFGA",
                outbox,
                o -> o.backlog().lagSeconds());
        gauge(
                "clearance.outbox.pending",
                "Objects whose access rules are not yet in OpenFGA (documents hidden)",
                outbox,
                o -> o.backlog().pending());
        gauge(
                "clearance.outbox.parked",
                "Objects whose tuples OpenFGA refused; they wait for an operator",
                outbox,
                o -> o.backlog().parked());
    }

    /** Counts one attempt's outcome and returns whether the object is synced. */
    boolean done(String result) {
        meters.counter("clearance.outbox.applied", "result", result).increment();
        return result.equals("ok");
    }

    private void gauge(String name, String description, AccessOutbox outbox, ToDoubleFunction<AccessOutbox> value) {
        Gauge.builder(name, outbox, o -> {
                    try {
                        return value.applyAsDouble(o);
                    } catch (RuntimeException e) {
                        return Double.NaN;
                    }
                })
                .description(description)
                .register(meters);
    }
}
