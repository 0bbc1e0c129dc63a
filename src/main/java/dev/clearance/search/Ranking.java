package dev.clearance.search;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Orders authorized candidates. With the hybrid leg on, reciprocal rank fusion of the vector rank
 * and the full-text rank (k = 60, as in the RRF paper); otherwise cosine similarity. Ranks are
 * computed over all authorized candidates together, so results of different refill rounds compare.
 */
final class Ranking {

    private static final int RRF_K = 60;

    private Ranking() {}

    record Scored(Candidate candidate, double score) {}

    static List<Scored> rank(Collection<Candidate> allowed, boolean hybrid) {
        List<Candidate> bySimilarity = new ArrayList<>(allowed);
        bySimilarity.sort(
                Comparator.comparingDouble(Candidate::similarity).reversed().thenComparing(Candidate::chunkId));
        if (!hybrid) {
            return bySimilarity.stream().map(c -> new Scored(c, c.similarity())).toList();
        }
        Map<Long, Double> score = new HashMap<>();
        for (int i = 0; i < bySimilarity.size(); i++) {
            score.put(bySimilarity.get(i).chunkId(), 1.0 / (RRF_K + i + 1));
        }
        List<Candidate> byLexical = bySimilarity.stream()
                .filter(c -> c.lexical() > 0)
                .sorted(Comparator.comparingDouble(Candidate::lexical)
                        .reversed()
                        .thenComparing(Candidate::chunkId))
                .toList();
        for (int i = 0; i < byLexical.size(); i++) {
            score.merge(byLexical.get(i).chunkId(), 1.0 / (RRF_K + i + 1), Double::sum);
        }
        return bySimilarity.stream()
                .map(c -> new Scored(c, score.get(c.chunkId())))
                .sorted(Comparator.comparingDouble(Scored::score)
                        .reversed()
                        .thenComparing(s -> s.candidate().chunkId()))
                .toList();
    }
}
