package dev.clearance.documents;

import dev.clearance.chunk.Chunk;
import dev.clearance.chunk.Chunker;
import dev.clearance.embed.Embedder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/** Chunk → embed for one document's text, with the ingestion metrics of both steps. */
@Singleton
final class DocumentEmbedding {

    private final Chunker chunker;
    private final Embedder embedder;
    private final MeterRegistry meters;

    DocumentEmbedding(Chunker chunker, Embedder embedder, MeterRegistry meters) {
        this.chunker = chunker;
        this.embedder = embedder;
        this.meters = meters;
    }

    String modelName() {
        return embedder.modelName();
    }

    List<NewChunk> chunks(String text, String title) {
        // Chunking counts cl100k tokens and word pieces many times per chunk; timed on its own so its
        // share of ingestion is visible next to clearance.embedding.duration.
        Timer.Sample chunking = Timer.start(meters);
        List<Chunk> chunks = chunker.chunk(text, title);
        // The title gives short chunks their context; it is embedded, not stored in the chunk text.
        List<String> texts =
                chunks.stream().map(c -> chunker.embeddingText(title, c.text())).toList();
        chunking.stop(Timer.builder("clearance.ingest.chunking.duration")
                .description("Time to cut one document into chunks (token and word-piece counting)")
                .register(meters));
        List<float[]> vectors = embedder.embedAll(texts);
        List<NewChunk> out = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            Chunk chunk = chunks.get(i);
            out.add(new NewChunk(chunk.ordinal(), chunk.text(), chunk.tokens(), vectors.get(i)));
        }
        meters.counter("clearance.ingest.chunks").increment(out.size());
        meters.counter("clearance.ingest.tokens")
                .increment(out.stream().mapToInt(NewChunk::tokens).sum());
        return out;
    }
}
