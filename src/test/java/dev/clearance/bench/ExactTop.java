package dev.clearance.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The exact top k of one query for one user, the oracle of the recall measurements: brute force by
 * cosine (dot product of unit vectors) over the in-memory vectors of a {@link BenchRows.Corpus},
 * among the chunks of the documents a plain-Java grant rule lets the user view; independent of
 * OpenFGA and of the service.
 *
 * @param top chunks as {@code document#ordinal} keys
 * @param kth the similarity of the k-th best chunk
 */
record ExactTop(Set<String> top, double kth, int k) {

    /** Similarities of pgvector (float) and of the oracle (double) differ in the last digits. */
    static final double TIE = 1e-5;

    static ExactTop of(BenchRows.Corpus corpus, IntPredicate mayViewDocument, float[] query, int k) {
        int per = corpus.chunksPerDocument();
        int dim = corpus.dimension();
        float[] all = corpus.vectors();
        double[] bestScore = new double[k];
        int[] bestChunk = new int[k];
        Arrays.fill(bestScore, Double.NEGATIVE_INFINITY);
        Arrays.fill(bestChunk, -1);
        for (int d = 0; d < corpus.documents(); d++) {
            if (!mayViewDocument.test(d)) {
                continue;
            }
            for (int j = 0; j < per; j++) {
                int chunk = d * per + j;
                double score = dot(query, all, chunk * dim, dim);
                if (score > bestScore[k - 1]) {
                    int i = k - 1;
                    while (i > 0 && bestScore[i - 1] < score) {
                        bestScore[i] = bestScore[i - 1];
                        bestChunk[i] = bestChunk[i - 1];
                        i--;
                    }
                    bestScore[i] = score;
                    bestChunk[i] = chunk;
                }
            }
        }
        Set<String> top = new HashSet<>();
        for (int c : bestChunk) {
            if (c >= 0) {
                top.add(key(c / per, c % per));
            }
        }
        return new ExactTop(top, bestScore[k - 1], k);
    }

    /**
     * Share of the oracle's top k the service returned ({@code results}: its {@code documentId} and
     * {@code position} per hit; document ids as {@link BenchData#id}). A returned chunk that is not
     * in the oracle's set but ties with its k-th similarity (within {@link #TIE}) also counts; a chunk
     * the user may not view never does. When the user may view fewer than k chunks, the share is of
     * those.
     */
    double recall(BenchRows.Corpus corpus, IntPredicate mayViewDocument, float[] query, JsonNode results) {
        if (top.isEmpty()) {
            return 1.0;
        }
        int per = corpus.chunksPerDocument();
        int hits = 0;
        int n = 0;
        for (JsonNode r : results) {
            if (n++ >= k) {
                break;
            }
            int document = BenchData.documentIndex(r.path("documentId").asText());
            int ordinal = r.path("position").asInt();
            if (top.contains(key(document, ordinal))) {
                hits++;
                continue;
            }
            if (document >= 0
                    && document < corpus.documents()
                    && mayViewDocument.test(document)
                    && dot(query, corpus.vectors(), (document * per + ordinal) * corpus.dimension(), corpus.dimension())
                            >= kth - TIE) {
                hits++;
            }
        }
        return Math.min(top.size(), hits) / (double) top.size();
    }

    private static String key(int document, int ordinal) {
        return document + "#" + ordinal;
    }

    static double dot(float[] q, float[] all, int offset, int dim) {
        double sum = 0;
        for (int i = 0; i < dim; i++) {
            sum += q[i] * all[offset + i];
        }
        return sum;
    }
}
