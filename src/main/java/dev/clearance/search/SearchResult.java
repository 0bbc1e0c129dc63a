package dev.clearance.search;

import dev.clearance.access.AccessPaths;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** One authorized chunk with what a citation needs. */
@Serdeable
public record SearchResult(
        String documentId,
        String chunkId,
        int position,
        String title,
        String text,
        double score,
        int tokens,
        String source,
        boolean truncated,
        @Nullable List<AccessReason> access) {

    /**
     * Why the caller may see the result, when the search asked for {@code explain}: for the user (and
     * the agent acting for it) the shortest path from the desired state to the document, which OpenFGA
     * had just allowed. An empty path means the rules changed after the decision (ADR 0012).
     */
    @Serdeable
    public record AccessReason(String principal, List<AccessPaths.Step> path) {}

    SearchResult withAccess(List<AccessReason> reasons) {
        return new SearchResult(documentId, chunkId, position, title, text, score, tokens, source, truncated, reasons);
    }
}
