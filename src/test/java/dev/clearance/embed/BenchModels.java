package dev.clearance.embed;

import dev.clearance.chunk.Chunker;
import dev.clearance.chunk.ChunkingProperties;
import dev.clearance.chunk.TokenCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The service's own model and chunker outside an application context, for programs that only embed
 * text (the benchmark corpus builder) and should not need a database to do it.
 */
public final class BenchModels {

    private BenchModels() {}

    /** The in-process model the service uses by default, with its default batch size. */
    public static Embedder onnx(int threads) {
        return new OnnxEmbedder(new EmbeddingProperties(threads, 32), new SimpleMeterRegistry());
    }

    /** The chunker with the service's default sizes, over the given model's window. */
    public static Chunker chunker(Embedder onnx) {
        return new Chunker(new TokenCounter(), (OnnxEmbedder) onnx, new ChunkingProperties(100, 16));
    }
}
