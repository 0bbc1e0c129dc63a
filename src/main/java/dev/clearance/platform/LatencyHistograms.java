package dev.clearance.platform;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Publishes histogram buckets for the service's own timers ({@code clearance.*}), so dashboards and
 * alerts can compute percentiles across instances with {@code histogram_quantile}. Buckets span 1 ms
 * to 30 s, the range a search stage can take before its budget ends it.
 */
@Singleton
final class LatencyHistograms implements MeterFilter {

    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getType() != Meter.Type.TIMER || !id.getName().startsWith("clearance.")) {
            return config;
        }
        return DistributionStatisticConfig.builder()
                .percentilesHistogram(true)
                .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
                .maximumExpectedValue((double) Duration.ofSeconds(30).toNanos())
                .build()
                .merge(config);
    }
}
