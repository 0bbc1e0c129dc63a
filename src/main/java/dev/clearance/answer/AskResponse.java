package dev.clearance.answer;

import dev.clearance.search.SearchStats;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** Body returned by {@code POST /v1/ask}, and the final event of the streamed variant. */
@Serdeable
public record AskResponse(String answer, List<Citation> citations, String requestId, String model, SearchStats stats) {}
