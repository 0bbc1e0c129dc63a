package dev.clearance.access;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * How the desired access state is driven into OpenFGA (docs/adr/0005).
 *
 * @param syncWait how long a PUT or relationship change waits for its objects to be synced before it
 *     answers "pending" (documents) or 503 (relationships); a DELETE waits as long but answers 204
 *     either way (the document is gone from search at once)
 * @param lateWriteGrace how long after a write's own timeout it may still land (proxies, queues): a
 *     write with an unknown outcome keeps the object leased this long, so no other worker changes
 *     the object while the write can still arrive
 * @param parkAfter consecutive refusals by OpenFGA after which an object is parked for an operator
 * @param reconcileInterval how often the reconciler compares OpenFGA with the desired state (0:
 *     never on a schedule; the command and the operator endpoint still run it)
 * @param reconcileInitialDelay when the first scheduled reconciliation runs after start
 * @param consistencyWindow after an access change in a tenant, how long its checks ask OpenFGA for
 *     HIGHER_CONSISTENCY (bypassing OpenFGA's check cache); at least OpenFGA's cache TTL
 */
@ConfigurationProperties("clearance.access")
public record AccessProperties(
        @Bindable(defaultValue = "5s") Duration syncWait,
        @Bindable(defaultValue = "10s") Duration lateWriteGrace,
        @Bindable(defaultValue = "5") @Min(1) @Max(100) int parkAfter,
        @Bindable(defaultValue = "15m") Duration reconcileInterval,
        @Bindable(defaultValue = "1m") Duration reconcileInitialDelay,
        @Bindable(defaultValue = "10s") Duration consistencyWindow) {}
