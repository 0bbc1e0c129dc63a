package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.chunk.TokenCounter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContextPackerTest {

    private final TokenCounter tokens = new TokenCounter();
    private final ContextPacker packer = new ContextPacker(tokens);

    private SearchResult result(String id, String text) {
        return new SearchResult(id, id, 0, "t", text, 1.0, tokens.count(text), null, false, null);
    }

    @Test
    void packsWholeChunksInRankOrderWithinTheBudget() {
        List<SearchResult> ranked =
                List.of(result("a", "one two three"), result("b", "four five six"), result("c", "seven"));
        List<SearchResult> packed = packer.pack(ranked, tokens.count("one two three") + tokens.count("four five six"));
        assertEquals(
                List.of("a", "b"), packed.stream().map(SearchResult::documentId).toList());
        assertTrue(packed.stream().noneMatch(SearchResult::truncated));
    }

    @Test
    void cutsOnlyAFirstChunkThatAloneExceedsTheBudget() {
        List<SearchResult> packed = packer.pack(List.of(result("a", "word ".repeat(100)), result("b", "x")), 10);
        assertEquals(1, packed.size());
        assertTrue(packed.get(0).truncated());
        assertTrue(packed.get(0).tokens() <= 10);
    }

    @Test
    void noBudgetMeansEverything() {
        List<SearchResult> ranked = List.of(result("a", "x"), result("b", "y"));
        assertEquals(ranked, packer.pack(ranked, null));
    }
}
