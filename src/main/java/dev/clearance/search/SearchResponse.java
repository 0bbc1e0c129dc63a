package dev.clearance.search;

import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** Body returned by {@code POST /v1/search}. */
@Serdeable
public record SearchResponse(List<SearchResult> results, SearchStats stats) {}
