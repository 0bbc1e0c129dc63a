package dev.clearance.documents;

import dev.clearance.identity.Caller;
import dev.clearance.platform.RequestIds;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
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
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.io.InputStream;

/** Access review for auditors: questions about documents' readers that change nothing. */
@Controller("/v1/access")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "access review")
class AccessReviewController {

    private final AccessWhatIf whatIf;
    private final AccessReviewExport export;

    AccessReviewController(AccessWhatIf whatIf, AccessReviewExport export) {
        this.whatIf = whatIf;
        this.export = export;
    }

    @Get(
            value = "/review",
            produces = {"application/x-ndjson", "text/csv"})
    @Operation(
            summary =
                    "Access review export: every (subject, document, path) of the tenant or a folder (scope audit:read)",
            description = "Streamed as JSON lines (format=jsonl, the default) or CSV (format=csv), one line per path by"
                    + " which a subject (user, agent, user:* or group set) may view a document, from one snapshot of the"
                    + " access rules the service keeps. Every line carries the snapshot's time and the authorization"
                    + " model id; so do the headers Clearance-Snapshot-At and Clearance-Model-Id. With 'folder', only"
                    + " documents under that folder (at any depth). A transfer that breaks off is incomplete: the"
                    + " export never ends early with a well-formed short file.")
    HttpResponse<InputStream> review(
            HttpRequest<?> request,
            Caller caller,
            @Nullable @QueryValue @Size(max = 256) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._~@=+-]*") String folder,
            @QueryValue(defaultValue = "jsonl") @Pattern(regexp = "csv|jsonl") String format) {
        AccessReviewExport.Export out = export.open(caller, folder, format, RequestIds.refOf(request));
        String file = "access-review-" + caller.tenant() + "." + out.format().extension();
        return HttpResponse.ok(out.body())
                .contentType(out.format().mediaType())
                .header("Clearance-Snapshot-At", out.snapshotAt().toString())
                .header("Clearance-Model-Id", out.modelId())
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + file + "\"")
                .header(HttpHeaders.CACHE_CONTROL, "no-store");
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
