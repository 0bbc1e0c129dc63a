package dev.clearance.audit;

import dev.clearance.contract.Scopes;
import dev.clearance.identity.Caller;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;

/** The audit log of the caller's tenant (scope audit:read). */
@Controller("/v1/admin/audit")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "admin")
class AuditController {

    private final AuditTrail audit;

    AuditController(AuditTrail audit) {
        this.audit = audit;
    }

    @Get
    @Operation(summary = "Newest audit records of the caller's tenant")
    List<AuditRepository.AuditRecord> recent(
            Caller caller, @QueryValue(defaultValue = "50") @Min(1) @Max(1000) int limit) {
        caller.requireScope(Scopes.AUDIT_READ);
        return audit.recent(caller, limit);
    }
}
