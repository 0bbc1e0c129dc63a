package dev.clearance.embed;

import java.util.List;

/** Turns text into vectors. One implementation per process; its name is stored with the vectors. */
public interface Embedder {

    /** A stable name of the model; vectors of different names are never mixed in one index. */
    String modelName();

    int dimension();

    /** Vectors for passages, in input order. */
    List<float[]> embedAll(List<String> texts);

    default float[] embed(String text) {
        return embedAll(List.of(text)).get(0);
    }

    /** The vector of a search query; models trained with a query instruction add it here. */
    default float[] embedQuery(String query) {
        return embed(query);
    }
}
