package dev.clearance.access;

import dev.clearance.platform.Periodic;
import io.micronaut.context.annotation.Context;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.TaskScheduler;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Named;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** When the {@link Reconciler} runs by itself: after an initial delay, then at a fixed interval. */
@Context // eager: the schedule starts with the service, not with the first admin request
final class ReconcileSchedule {

    private static final Logger LOG = LoggerFactory.getLogger(ReconcileSchedule.class);

    private final TaskScheduler scheduler;
    private final Reconciler reconciler;
    private final AccessProperties properties;

    ReconcileSchedule(
            @Named(TaskExecutors.SCHEDULED) TaskScheduler scheduler,
            Reconciler reconciler,
            AccessProperties properties) {
        this.scheduler = scheduler;
        this.reconciler = reconciler;
        this.properties = properties;
    }

    @PostConstruct
    void schedule() {
        Periodic.schedule(
                scheduler,
                properties.reconcileInitialDelay(),
                properties.reconcileInterval(),
                LOG,
                "Reconciliation",
                reconciler::run);
    }
}
