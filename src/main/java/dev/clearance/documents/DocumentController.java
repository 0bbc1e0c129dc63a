package dev.clearance.documents;

import dev.clearance.identity.Caller;
import dev.clearance.platform.RequestIds;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Documents: create or replace (ingest), read metadata, list a writer's documents, delete. The {@code
 * id} parameters are there for the route (the framework binds them, decoding '+' as a space); the id
 * used is read from the path by {@link PathIds}, so that ids with '+' are themselves.
 */
@Controller("/v1/documents")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "documents")
class DocumentController {

    private final IngestService ingest;
    private final DocumentLookup lookup;
    private final ManagedDocuments managed;
    private final DocumentAccess access;

    DocumentController(IngestService ingest, DocumentLookup lookup, ManagedDocuments managed, DocumentAccess access) {
        this.ingest = ingest;
        this.lookup = lookup;
        this.managed = managed;
        this.access = access;
    }

    @Get
    @Operation(
            summary = "The ids of the documents written with this managedBy (scope documents:write)",
            description = "Lets a writer such as an ingest job find the documents it sent, to delete the ones it no"
                    + " longer has, even when it has lost its own records. In id order, at most 'limit' per page;"
                    + " pass 'next' as 'after' for the following page ('next' is absent on the last one).")
    ManagedDocuments.Page list(
            Caller caller,
            @QueryValue @Size(min = 1, max = 100) @Pattern(regexp = DocumentInput.MANAGED_BY_PATTERN) String managedBy,
            @Nullable @QueryValue @Size(max = 1000) String after,
            @QueryValue(defaultValue = "1000") @Min(1) @Max(1000) int limit) {
        return managed.list(caller, managedBy, after, limit);
    }

    @Put(PathIds.ROUTE)
    @Operation(
            summary = "Create or replace a document with its access rules (scope documents:write)",
            description = "managedBy (optional) names the writer, e.g. an ingest job, so it can list its documents"
                    + " (GET /v1/documents?managedBy=). Sending the same content and grants with another managedBy"
                    + " records the new one without embedding the text again.")
    HttpResponse<PutResult> put(Caller caller, HttpRequest<?> request, String id, @Valid @Body DocumentInput input) {
        PutResult result = ingest.put(caller, PathIds.lastSegment(request), input);
        HttpStatus status = switch (result.status()) {
            case "created" -> HttpStatus.CREATED;
            default -> result.searchable() ? HttpStatus.OK : HttpStatus.ACCEPTED;
        };
        return HttpResponse.status(status).body(result);
    }

    @Get(PathIds.ROUTE)
    @Operation(summary = "Metadata of a document the caller may view (404 otherwise); audited either way")
    DocumentView get(HttpRequest<?> request, Caller caller, String id) {
        return lookup.get(caller, PathIds.lastSegment(request), RequestIds.refOf(request), "get");
    }

    @Get(PathIds.ROUTE + "/access/explain")
    @Operation(
            summary = "Why the caller may view a document: the paths from the caller (and its agent) to it",
            description = "Each path is a chain of tuples, e.g. user:alice member group:eng, group:eng#member viewer"
                    + " folder:engineering, folder:engineering parent document:x. A caller who may not view the"
                    + " document gets the same 404 as for a document that does not exist; audited like a GET.")
    DocumentAccess.Explanation explain(HttpRequest<?> request, Caller caller, String id) {
        return access.explain(caller, PathIds.segmentBefore(request, "/access/explain"), RequestIds.refOf(request));
    }

    @Get(PathIds.ROUTE + "/access")
    @Operation(
            summary = "Who may view a document, each with its paths (scope audit:read)",
            description = "Users, agents, user:* and group sets, in subject order, at most 'limit' per page; pass"
                    + " 'next' as 'after' for the following page. Read from the access rules the service keeps;"
                    + " 'synced' says whether OpenFGA already holds them.")
    DocumentAccess.Viewers viewers(
            HttpRequest<?> request,
            Caller caller,
            String id,
            @Nullable @QueryValue @Size(max = 600) String after,
            @QueryValue(defaultValue = "500") @Min(1) @Max(1000) int limit) {
        return access.viewers(
                caller, PathIds.segmentBefore(request, "/access"), after, limit, RequestIds.refOf(request));
    }

    @Delete(PathIds.ROUTE)
    @Operation(summary = "Delete a document, its chunks and its access rules (scope documents:write)")
    HttpResponse<Void> delete(Caller caller, HttpRequest<?> request, String id) {
        ingest.delete(caller, PathIds.lastSegment(request));
        return HttpResponse.noContent();
    }
}
