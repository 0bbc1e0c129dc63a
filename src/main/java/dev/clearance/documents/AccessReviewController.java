package dev.clearance.documents;

import dev.clearance.identity.Caller;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Access review for auditors: questions about documents' readers that change nothing. */
@Controller("/v1/access")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "access review")
class AccessReviewController {

    private final AccessWhatIf whatIf;

    AccessReviewController(AccessWhatIf whatIf) {
        this.whatIf = whatIf;
    }

    @Post("/what-if")
    @Operation(
            summary = "Who would gain or lose access to these documents if these tuples changed (scope audit:read)",
            description = "'writes' and 'deletes' are relationships as POST /v1/relationships takes them; nothing is"
                    + " written. For each named document (1 to 100): the subjects (users, agents, user:*, group sets)"
                    + " that would gain and that would lose view access.")
    AccessWhatIf.Answer whatIf(Caller caller, @Body AccessWhatIf.Question question) {
        return whatIf.ask(caller, question);
    }
}
