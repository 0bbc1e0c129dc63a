package dev.clearance.access;

import dev.clearance.identity.Caller;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;

/** Operating the access sync of the caller's tenant (scope access:admin); see docs/runbook.md. */
@Controller("/v1/admin/access")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "admin")
class AccessAdminController {

    private final AccessAdmin admin;

    AccessAdminController(AccessAdmin admin) {
        this.admin = admin;
    }

    /** How many parked objects went back into the queue. */
    @Serdeable
    record Retried(int retried) {}

    @Get("/parked")
    @Operation(summary = "Objects whose tuples OpenFGA refused repeatedly; they wait for an operator")
    List<AccessAdmin.ParkedObject> parked(Caller caller) {
        return admin.parked(caller);
    }

    @Post("/parked/retry")
    @Operation(summary = "Put the tenant's parked objects back into the sync queue")
    Retried retry(Caller caller) {
        return new Retried(admin.retryParked(caller));
    }

    @Get("/drift")
    @Operation(summary = "Differences between OpenFGA and the desired state that the reconciler repaired")
    List<AccessAdmin.DriftEntry> drift(Caller caller, @QueryValue(defaultValue = "100") @Min(1) @Max(1000) int limit) {
        return admin.drift(caller, limit);
    }

    /** A reconciliation was started; its findings for the tenant appear under {@code drift}. */
    @Serdeable
    record Started(String drift) {}

    @Post("/reconcile")
    @Operation(
            summary = "Compare OpenFGA with the desired state now and repair the difference",
            description = "Runs in the background (202); the tenant's findings appear at /v1/admin/access/drift.")
    HttpResponse<Started> reconcile(Caller caller) {
        admin.reconcile(caller);
        return HttpResponse.accepted().body(new Started("/v1/admin/access/drift"));
    }
}
