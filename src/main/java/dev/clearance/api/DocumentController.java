package dev.clearance.api;

import dev.clearance.identity.Caller;
import dev.clearance.ingest.DocumentInput;
import dev.clearance.ingest.IngestService;
import dev.clearance.ingest.PutResult;
import dev.clearance.search.DocumentLookup;
import dev.clearance.search.DocumentView;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

/**
 * Documents: create or replace (ingest), read metadata, delete. The {@code id} parameters are there
 * for the route (the framework binds them, decoding '+' as a space); the id used is read from the
 * path by {@link PathIds}, so that ids with '+' are themselves.
 */
@Controller("/v1/documents")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "documents")
class DocumentController {

    private final IngestService ingest;
    private final DocumentLookup lookup;

    DocumentController(IngestService ingest, DocumentLookup lookup) {
        this.ingest = ingest;
        this.lookup = lookup;
    }

    @Put(PathIds.ROUTE)
    @Operation(summary = "Create or replace a document with its access rules (scope documents:write)")
    HttpResponse<PutResult> put(Caller caller, HttpRequest<?> request, String id, @Valid @Body DocumentInput input) {
        PutResult result = ingest.put(caller, PathIds.lastSegment(request), input);
        HttpStatus status = switch (result.status()) {
            case "created" -> HttpStatus.CREATED;
            default -> result.searchable() ? HttpStatus.OK : HttpStatus.ACCEPTED;
        };
        return HttpResponse.status(status).body(result);
    }

    @Get(PathIds.ROUTE)
    @Operation(summary = "Metadata of a document the caller may view (404 otherwise)")
    DocumentView get(Caller caller, HttpRequest<?> request, String id) {
        return lookup.get(caller, PathIds.lastSegment(request));
    }

    @Delete(PathIds.ROUTE)
    @Operation(summary = "Delete a document, its chunks and its access rules (scope documents:write)")
    HttpResponse<Void> delete(Caller caller, HttpRequest<?> request, String id) {
        ingest.delete(caller, PathIds.lastSegment(request));
        return HttpResponse.noContent();
    }
}
