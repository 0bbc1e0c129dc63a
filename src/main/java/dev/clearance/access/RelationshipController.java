package dev.clearance.access;

import dev.clearance.identity.Caller;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
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
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Access rules: groups, folders, folder parents, document grants. Ids are tenant-relative. */
@Controller("/v1/relationships")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "relationships")
class RelationshipController {

    private final RelationshipService relationships;
    private final AccessAdmin admin;

    RelationshipController(RelationshipService relationships, AccessAdmin admin) {
        this.relationships = relationships;
        this.admin = admin;
    }

    @Get
    @Operation(
            summary = "The tuples written with this managedBy (scope relationships:write)",
            description = "Lets a writer such as an ingest job reconcile its own tuples against what the service"
                    + " holds, even when it has lost its own records. Pages: pass 'next' as 'after'.")
    AccessAdmin.TuplePage list(
            Caller caller,
            @QueryValue String managedBy,
            @Nullable @QueryValue String after,
            @QueryValue(defaultValue = "1000") @Min(1) @Max(1000) int limit) {
        return admin.managedBy(caller, managedBy, after, limit);
    }

    /** Tuples to add and remove in one call. */
    @Serdeable
    record RelationshipChange(
            @Size(max = 1000) List<@Valid Relationship> writes,
            @Size(max = 1000) List<@Valid Relationship> deletes,

            @Nullable @Size(min = 1, max = 100) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._:@/-]*")
            String managedBy) {}

    /** How many tuples were written and deleted. */
    @Serdeable
    record RelationshipResult(int written, int deleted) {}

    @Post
    @Operation(
            summary = "Write and delete relationship tuples (scope relationships:write)",
            description = "200 once OpenFGA holds the change; 503 access-change-pending when it is recorded but"
                    + " not yet in effect (send it again: that is safe). managedBy tags the written tuples so a"
                    + " writer such as an ingest job can list its own tuples later (GET).")
    HttpResponse<RelationshipResult> change(Caller caller, @Valid @Body RelationshipChange change) {
        List<Relationship> writes = change.writes() == null ? List.of() : change.writes();
        List<Relationship> deletes = change.deletes() == null ? List.of() : change.deletes();
        relationships.change(caller, writes, deletes, change.managedBy());
        return HttpResponse.ok(new RelationshipResult(writes.size(), deletes.size()));
    }
}
