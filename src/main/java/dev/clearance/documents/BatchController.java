package dev.clearance.documents;

import dev.clearance.contract.Scopes;
import dev.clearance.identity.Caller;
import dev.clearance.platform.Problem;
import dev.clearance.platform.ProblemException;
import io.micronaut.core.annotation.Nullable;
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
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * Bulk load: up to 100 documents per call, each handled as its own PUT. One bad document does not
 * fail the others; its entry carries the problem instead.
 */
@Controller("/v1/documents/batch")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "documents")
class BatchController {

    private final IngestService ingest;

    BatchController(IngestService ingest) {
        this.ingest = ingest;
    }

    /** One document of a batch: its id and the same fields as a PUT body. */
    @Serdeable
    record BatchItem(@NotBlank String id, @Valid DocumentInput document) {}

    /** The documents to create or replace. */
    @Serdeable
    record Batch(@NotEmpty @Size(max = 100) List<@Valid BatchItem> documents) {}

    /** The outcome of one item: a result, or a problem. */
    @Serdeable
    record ItemResult(
            String id, @Nullable PutResult result, @Nullable Problem problem) {}

    /** Outcomes in request order. */
    @Serdeable
    record BatchResult(List<ItemResult> results, int failed) {}

    @Post
    @Operation(summary = "Create or replace up to 100 documents (scope documents:write)")
    BatchResult put(Caller caller, @Valid @Body Batch batch) {
        caller.requireScope(Scopes.DOCUMENTS_WRITE);
        List<ItemResult> results = new ArrayList<>(batch.documents().size());
        int failed = 0;
        for (BatchItem item : batch.documents()) {
            try {
                results.add(new ItemResult(item.id(), ingest.put(caller, item.id(), item.document()), null));
            } catch (ProblemException e) {
                failed++;
                results.add(new ItemResult(item.id(), null, Problem.of(e, null, null)));
            }
        }
        return new BatchResult(results, failed);
    }
}
