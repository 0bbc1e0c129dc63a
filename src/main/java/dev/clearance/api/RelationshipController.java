package dev.clearance.api;

import dev.clearance.authz.Relationship;
import dev.clearance.authz.RelationshipService;
import dev.clearance.identity.Caller;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Access rules: groups, folders, folder parents, document grants. Ids are tenant-relative. */
@Controller("/v1/relationships")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "relationships")
class RelationshipController {

    private final RelationshipService relationships;

    RelationshipController(RelationshipService relationships) {
        this.relationships = relationships;
    }

    /** Tuples to add and remove in one call. */
    @Serdeable
    record RelationshipChange(
            @Size(max = 1000) List<@Valid Relationship> writes,
            @Size(max = 1000) List<@Valid Relationship> deletes) {}

    /** How many tuples were written and deleted. */
    @Serdeable
    record RelationshipResult(int written, int deleted) {}

    @Post
    @Operation(summary = "Write and delete relationship tuples (scope relationships:write)")
    HttpResponse<RelationshipResult> change(Caller caller, @Valid @Body RelationshipChange change) {
        List<Relationship> writes = change.writes() == null ? List.of() : change.writes();
        List<Relationship> deletes = change.deletes() == null ? List.of() : change.deletes();
        relationships.change(caller, writes, deletes);
        return HttpResponse.ok(new RelationshipResult(writes.size(), deletes.size()));
    }
}
