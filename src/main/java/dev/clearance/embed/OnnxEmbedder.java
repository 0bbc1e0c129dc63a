package dev.clearance.embed;

import dev.clearance.chunk.EmbeddingWindow;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * In-process all-MiniLM-L6-v2 (quantized ONNX) through LangChain4j: no network, no GPU. The model
 * reads at most 128 word pieces (including its two special tokens); this class also serves as the
 * {@link EmbeddingWindow} so the chunker never produces text the model would silently truncate.
 */
@Singleton
@Requires(property = "clearance.embedding.provider", value = "onnx", defaultValue = "onnx")
final class OnnxEmbedder implements Embedder, EmbeddingWindow {

    private static final int MODEL_WINDOW = 128;
    private static final int SPECIAL_TOKENS = 2;

    private final ExecutorService executor;
    private final EmbeddingModel model;
    private final HuggingFaceTokenCountEstimator wordPieces;
    private final EmbeddingProperties properties;
    private final Timer timer;

    OnnxEmbedder(EmbeddingProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.executor = Executors.newFixedThreadPool(properties.threads(), r -> {
            Thread thread = new Thread(r, "embedding");
            thread.setDaemon(true);
            return thread;
        });
        this.model = new AllMiniLmL6V2QuantizedEmbeddingModel(executor);
        this.wordPieces = new HuggingFaceTokenCountEstimator();
        this.timer = Timer.builder("clearance.embedding.duration")
                .description("Time to embed one batch of passages")
                .register(meters);
    }

    @Override
    public String modelName() {
        return "all-minilm-l6-v2-q";
    }

    @Override
    public int dimension() {
        return 384;
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += properties.batchSize()) {
            List<TextSegment> batch =
                    texts.subList(from, Math.min(texts.size(), from + properties.batchSize())).stream()
                            .map(TextSegment::from)
                            .toList();
            List<Embedding> embeddings =
                    timer.record(() -> model.embedAll(batch).content());
            embeddings.forEach(e -> vectors.add(e.vector()));
        }
        return vectors;
    }

    @Override
    public int count(String text) {
        return wordPieces.estimateTokenCountInText(text);
    }

    @Override
    public int maxTokens() {
        return MODEL_WINDOW - SPECIAL_TOKENS;
    }

    @PreDestroy
    void close() {
        executor.shutdownNow();
    }
}
