package dev.clearance.limits;

import dev.clearance.platform.Periodic;
import io.micronaut.context.annotation.Context;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.TaskScheduler;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Named;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the rate-limit buckets that have refilled to capacity (V12): otherwise the table keeps a
 * row for every caller that ever searched. Any replica may run it; Bucket4j's delete skips rows
 * another transaction holds, so a bucket in use is never removed under a search.
 */
@Context // eager: the schedule starts with the service
final class ExpiredBuckets {

    private static final Logger LOG = LoggerFactory.getLogger(ExpiredBuckets.class);
    private static final int BATCH = 1000;

    private final TaskScheduler scheduler;
    private final RateLimits limits;
    private final RateLimitProperties properties;

    ExpiredBuckets(
            @Named(TaskExecutors.SCHEDULED) TaskScheduler scheduler,
            RateLimits limits,
            RateLimitProperties properties) {
        this.scheduler = scheduler;
        this.limits = limits;
        this.properties = properties;
    }

    @PostConstruct
    void schedule() {
        Periodic.schedule(
                scheduler,
                properties.cleanupInterval(),
                properties.cleanupInterval(),
                LOG,
                "Removing expired rate-limit buckets",
                this::run);
    }

    void run() {
        int removed = 0;
        int batch;
        do {
            batch = limits.removeExpired(BATCH);
            removed += batch;
        } while (batch == BATCH);
        if (removed > 0) {
            LOG.info("Removed {} rate-limit buckets that had refilled", removed);
        }
    }
}
