package dev.clearance.embed;

import dev.clearance.chunk.EmbeddingWindow;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
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
 * In-process bge-small-en-v1.5 (quantized ONNX) through LangChain4j: no network, no GPU; chosen by
 * measurement (docs/adr/0007). The model reads at most 512 word pieces (including its two special
 * tokens); this class also serves as the {@link EmbeddingWindow} so the chunker never produces text
 * the model would have to split. Queries get bge's retrieval instruction; passages do not.
 */
@Singleton
@Requires(property = "clearance.embedding.provider", value = "onnx", defaultValue = "onnx")
final class OnnxEmbedder implements Embedder, EmbeddingWindow {

    private static final int MODEL_WINDOW = 512;
    static final String QUERY_INSTRUCTION = "Represent this sentence for searching relevant passages: ";
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
        this.model = new BgeSmallEnV15QuantizedEmbeddingModel(executor);
        this.wordPieces = new HuggingFaceTokenCountEstimator();
        this.timer = Timer.builder("clearance.embedding.duration")
                .description("Time to embed one batch of passages")
                .register(meters);
    }

    @Override
    public String modelName() {
        return "bge-small-en-v1.5-q";
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
    public float[] embedQuery(String query) {
        return embed(QUERY_INSTRUCTION + query);
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
