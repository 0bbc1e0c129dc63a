package dev.clearance.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RankingTest {

    private static Candidate c(long id, double similarity, double lexical) {
        return new Candidate(id, "d" + id, 1, 0, "t", 1, "title", null, similarity, lexical);
    }

    @Test
    void vectorOnlyRanksBySimilarity() {
        List<Ranking.Scored> ranked = Ranking.rank(List.of(c(1, 0.2, 0), c(2, 0.9, 0), c(3, 0.5, 0)), false);
        assertEquals(
                List.of(2L, 3L, 1L),
                ranked.stream().map(s -> s.candidate().chunkId()).toList());
    }

    @Test
    void hybridFusesVectorAndLexicalRanks() {
        // 1 is second by vector and first by words; 3 is last by vector but matches words, which
        // under RRF outweighs 2's lone first place by vector.
        List<Ranking.Scored> ranked = Ranking.rank(List.of(c(1, 0.8, 0.5), c(2, 0.9, 0), c(3, 0.1, 0.1)), true);
        assertEquals(
                List.of(1L, 3L, 2L),
                ranked.stream().map(s -> s.candidate().chunkId()).toList());
    }
}
