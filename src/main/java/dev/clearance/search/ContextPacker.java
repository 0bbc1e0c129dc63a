package dev.clearance.search;

import dev.clearance.chunk.TokenCounter;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs ranked results into an LLM token budget. Whole chunks only, in rank order; a chunk is cut
 * only when it is the first and alone exceeds the budget.
 */
@Singleton
public final class ContextPacker {

    private final TokenCounter tokens;

    public ContextPacker(TokenCounter tokens) {
        this.tokens = tokens;
    }

    public List<SearchResult> pack(List<SearchResult> ranked, Integer maxTokens) {
        if (maxTokens == null) {
            return ranked;
        }
        List<SearchResult> packed = new ArrayList<>();
        int used = 0;
        for (SearchResult result : ranked) {
            if (used + result.tokens() <= maxTokens) {
                packed.add(result);
                used += result.tokens();
            } else if (packed.isEmpty()) {
                String cut = tokens.truncate(result.text(), maxTokens);
                packed.add(new SearchResult(
                        result.documentId(),
                        result.chunkId(),
                        result.position(),
                        result.title(),
                        cut,
                        result.score(),
                        tokens.count(cut),
                        result.source(),
                        true,
                        result.access()));
                break;
            } else {
                break;
            }
        }
        return packed;
    }
}
