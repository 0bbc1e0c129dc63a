package dev.clearance.embed;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * @param threads threads the in-process model may use; bounded so ingestion cannot starve search
 * @param batchSize passages per model call
 */
@ConfigurationProperties("clearance.embedding")
public record EmbeddingProperties(
        @Bindable(defaultValue = "2") @Min(1) @Max(64) int threads,
        @Bindable(defaultValue = "32") @Min(1) @Max(1024) int batchSize) {}
