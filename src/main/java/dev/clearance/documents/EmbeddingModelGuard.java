package dev.clearance.documents;

import dev.clearance.embed.Embedder;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses to start when the configured embedding model differs from the one that produced the
 * stored vectors: mixing two models' vectors in one index silently ruins ranking. The fix is the
 * re-embed job, which rewrites every vector and then records the new model.
 */
@Context
@Requires(property = "clearance.reembed", notEquals = "true")
final class EmbeddingModelGuard {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingModelGuard.class);

    private final Embedder embedder;
    private final EmbeddingModels models;

    EmbeddingModelGuard(Embedder embedder, EmbeddingModels models) {
        this.embedder = embedder;
        this.models = models;
    }

    @PostConstruct
    void check() {
        EmbeddingModels.Model configured = new EmbeddingModels.Model(embedder.modelName(), embedder.dimension());
        EmbeddingModels.Model stored = models.registerIfAbsent(configured);
        if (!stored.equals(configured)) {
            throw new IllegalStateException(
                    "The stored vectors were made by " + stored + " but the service is configured with " + configured
                            + ". Run the re-embed job (see README) or configure the stored model.");
        }
        LOG.info("Embedding model {} ({} dimensions)", configured.name(), configured.dimension());
    }
}
