package dev.clearance.platform;

import io.micronaut.scheduling.TaskScheduler;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Background work at a fixed delay, where an interval of 0 means "never" (an annotation cannot say
 * that). A failed run is logged and the next one comes as planned: the work is housekeeping that a
 * later run catches up on.
 */
public final class Periodic {

    private Periodic() {}

    /** Schedules {@code work} unless {@code interval} is zero; {@code what} names it in the log. */
    public static void schedule(
            TaskScheduler scheduler, Duration initialDelay, Duration interval, Logger log, String what, Runnable work) {
        if (interval.isZero()) {
            return;
        }
        scheduler.scheduleWithFixedDelay(initialDelay, interval, () -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                log.warn("{} failed: {}", what, e.toString());
            }
        });
    }
}
