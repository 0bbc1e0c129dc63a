package dev.clearance.answer;

import dev.clearance.identity.Caller;
import dev.clearance.platform.Problem;
import dev.clearance.platform.ProblemException;
import dev.clearance.platform.RequestRef;
import dev.clearance.platform.ValidationProblem;
import dev.clearance.search.SearchRequest;
import dev.clearance.search.SearchResponse;
import dev.clearance.search.SearchResult;
import dev.clearance.search.SearchService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;

/**
 * Answers a question from what the caller may read: search with the caller's rights (user and
 * agent), pack the allowed chunks into the model's token budget, ask the model, cite. The chunks
 * in the prompt are exactly the chunks search returned and audited for this request, so the audit
 * log says which text reached the model, for whom and as which agent.
 */
@Singleton
public final class AskService {

    private static final Pattern MARKER = Pattern.compile("\\[(\\d{1,3})]");

    private final SearchService search;
    private final PromptBuilder prompts;
    private final ChatProperties properties;
    private final LanguageModel model;
    private final MeterRegistry meters;

    AskService(
            SearchService search,
            PromptBuilder prompts,
            ChatProperties properties,
            @Nullable LanguageModel model,
            MeterRegistry meters) {
        this.search = search;
        this.prompts = prompts;
        this.properties = properties;
        this.model = model;
        this.meters = meters;
    }

    /** Retrieval done, prompt built: everything before the model is called. */
    public record Prepared(String requestId, Prompt prompt, List<Citation> citations, SearchResponse search) {}

    public AskResponse ask(Caller caller, AskRequest request, RequestRef requestId) {
        Prepared prepared = prepare(caller, request, requestId, "ask");
        long started = System.nanoTime();
        try {
            String answer = model.answer(prepared.prompt());
            record("ok", started);
            return finish(prepared, answer);
        } catch (RuntimeException e) {
            record("error", started);
            throw e;
        }
    }

    /**
     * Searches and builds the prompt before any byte is streamed, so a refusal (bad input, 503 from
     * authorization) is a plain problem response rather than an event in a half-open stream.
     */
    public Prepared prepare(Caller caller, AskRequest request, RequestRef requestId, String action) {
        if (model == null) {
            throw new LanguageModelNotConfiguredException();
        }
        if (request.query() == null || request.query().isBlank()) {
            throw new ValidationProblem(List.of(new Problem.FieldError("query", "must not be blank")));
        }
        int topK = request.topKOrDefault();
        int budget = prompts.sourceBudget(request.query(), topK, properties.contextTokens());
        if (budget < 1) {
            throw new ValidationProblem(List.of(new Problem.FieldError(
                    "query", "leaves no room for sources within " + properties.contextTokens() + " prompt tokens")));
        }
        SearchResponse found =
                search.search(caller, new SearchRequest(request.query(), topK, budget, null), requestId, action);
        List<SearchResult> sources = found.results();
        List<Citation> citations = new ArrayList<>(sources.size());
        for (int i = 0; i < sources.size(); i++) {
            SearchResult s = sources.get(i);
            citations.add(new Citation(i + 1, s.documentId(), s.chunkId(), s.title(), s.source(), s.position(), false));
        }
        return new Prepared(requestId.id(), prompts.build(request.query(), sources), List.copyOf(citations), found);
    }

    /** The streamed variant: sources, tokens, then done, or an error event if the model fails midway. */
    public Flux<AskEvent> stream(Prepared prepared) {
        return Flux.<AskEvent>create(sink -> {
            long started = System.nanoTime();
            sink.next(new AskEvent.Sources(prepared.requestId(), prepared.citations()));
            model.stream(
                    prepared.prompt(),
                    token -> sink.next(new AskEvent.Token(token)),
                    answer -> {
                        record("ok", started);
                        sink.next(new AskEvent.Done(finish(prepared, answer)));
                        sink.complete();
                    },
                    error -> {
                        record("error", started);
                        sink.next(new AskEvent.Failed(problemOf(error, prepared.requestId())));
                        sink.complete();
                    });
        });
    }

    AskResponse finish(Prepared prepared, String answer) {
        List<Integer> cited = new ArrayList<>();
        Matcher m = MARKER.matcher(answer);
        while (m.find()) {
            cited.add(Integer.parseInt(m.group(1)));
        }
        List<Citation> citations = prepared.citations().stream()
                .map(c -> new Citation(
                        c.number(),
                        c.documentId(),
                        c.chunkId(),
                        c.title(),
                        c.source(),
                        c.position(),
                        cited.contains(c.number())))
                .toList();
        return new AskResponse(
                answer,
                citations,
                prepared.requestId(),
                model.name(),
                prepared.search().stats(),
                prepared.search().diagnostics());
    }

    private void record(String outcome, long started) {
        meters.timer("clearance.ask.model.duration", "outcome", outcome)
                .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private static Problem problemOf(Throwable error, String requestId) {
        ProblemException p = error instanceof ProblemException pe
                ? pe
                : new LanguageModelException("The language model failed while answering.", error);
        return Problem.of(p, null, requestId);
    }
}
