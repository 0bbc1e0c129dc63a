package dev.clearance.answer;

import dev.clearance.identity.Caller;
import dev.clearance.platform.RequestIds;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.sse.Event;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.util.Collection;
import org.reactivestreams.Publisher;

/**
 * Answers with citations from what the caller may read. {@code Accept: text/event-stream} streams
 * the answer as server-sent events: {@code sources}, {@code token}..., then {@code done} or {@code
 * error}.
 */
@Controller("/v1/ask")
@Secured(SecurityRule.IS_AUTHENTICATED)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "ask")
class AskController {

    private final AskService asks;

    AskController(AskService asks) {
        this.asks = asks;
    }

    /**
     * One route for both forms: with two routes differing only in {@code produces}, a client that
     * accepts anything would match both.
     */
    @Post(produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
    @Operation(
            summary = "An answer from the configured chat model, citing only chunks the caller may view;"
                    + " streamed as server-sent events when the client accepts only text/event-stream")
    HttpResponse<?> ask(HttpRequest<?> request, Caller caller, @Valid @Body AskRequest body) {
        if (!wantsStream(request)) {
            return HttpResponse.ok(asks.ask(caller, body, RequestIds.refOf(request)))
                    .contentType(MediaType.APPLICATION_JSON_TYPE);
        }
        // Retrieval runs here, before the stream opens, so refusals are ordinary problem responses.
        AskService.Prepared prepared = asks.prepare(caller, body, RequestIds.refOf(request), "ask.stream");
        Publisher<Event<AskEvent>> events =
                asks.stream(prepared).map(e -> Event.of(e).name(e.name()));
        return HttpResponse.ok(events).contentType(MediaType.TEXT_EVENT_STREAM_TYPE);
    }

    private static boolean wantsStream(HttpRequest<?> request) {
        Collection<MediaType> accepted = request.accept();
        return accepted.stream().anyMatch(t -> t.matches(MediaType.TEXT_EVENT_STREAM_TYPE))
                && accepted.stream().noneMatch(t -> t.matches(MediaType.APPLICATION_JSON_TYPE));
    }
}
