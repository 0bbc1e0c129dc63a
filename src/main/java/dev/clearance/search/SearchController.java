package dev.clearance.search;

import dev.clearance.identity.Caller;
import dev.clearance.platform.RequestIds;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

/** Permission-aware search: only chunks the caller (and its agent) may view. */
@Controller("/v1/search")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "search")
class SearchController {

    private final SearchService search;

    SearchController(SearchService search) {
        this.search = search;
    }

    @Post
    @Operation(
            summary = "The top-k chunks the caller may view; 503 when authorization cannot be decided",
            description = "stats: returned, complete, ms. How the results were found (candidates, checked, "
                    + "allowed, denied, rounds, strategy, vectorSearch) counts documents the caller may not "
                    + "read: it is audited, and returned as diagnostics only to tokens with scope audit:read.")
    SearchResponse search(HttpRequest<?> request, Caller caller, @Valid @Body SearchRequest body) {
        return search.search(caller, body, RequestIds.refOf(request), "search");
    }
}
