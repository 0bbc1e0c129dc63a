package dev.clearance.documents;

import dev.clearance.chunk.Chunker;
import dev.clearance.embed.Embedder;
import jakarta.inject.Singleton;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites every stored vector with the configured embedding model, then records that model. Run
 * it after changing the model (the service refuses to start on a mismatch): {@code java -jar
 * clearance.jar reembed}. Chunk text is stored, so no source documents are needed. It can be
 * interrupted and rerun; the model is recorded only after the last chunk.
 */
@Singleton
public final class ReembedJob {

    private static final Logger LOG = LoggerFactory.getLogger(ReembedJob.class);
    private static final int PAGE = 256;

    private final ReembedRepository chunks;
    private final EmbeddingModels models;
    private final Embedder embedder;

    private final Chunker chunker;

    ReembedJob(ReembedRepository chunks, EmbeddingModels models, Embedder embedder, Chunker chunker) {
        this.chunker = chunker;
        this.chunks = chunks;
        this.models = models;
        this.embedder = embedder;
    }

    /** Returns the number of chunks rewritten. */
    public long run() {
        long done = 0;
        long after = 0;
        List<ReembedRepository.ChunkText> page;
        while (!(page = chunks.page(after, PAGE)).isEmpty()) {
            List<float[]> vectors = embedder.embedAll(page.stream()
                    .map(c -> chunker.embeddingText(c.title(), c.text()))
                    .toList());
            chunks.update(page, vectors, embedder.modelName());
            after = page.get(page.size() - 1).id();
            done += page.size();
            LOG.info("Re-embedded {} chunks", done);
        }
        models.replace(new EmbeddingModels.Model(embedder.modelName(), embedder.dimension()));
        LOG.info("Re-embedding finished: {} chunks now use {}", done, embedder.modelName());
        return done;
    }
}
