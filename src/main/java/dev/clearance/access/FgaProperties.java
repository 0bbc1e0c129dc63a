package dev.clearance.access;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;

/**
 * OpenFGA connection and behaviour. Store and model ids are optional: when absent the service uses
 * the store recorded in PostgreSQL, else the one store named {@code storeName} (it refuses to guess
 * when several have that name), else a new one, and writes {@code modelFile} unless the store's
 * latest model equals it (see ADR 0002).
 *
 * @param relation the relation checked for search hits
 * @param batchSize checks per BatchCheck request; OpenFGA's server default maximum is 50
 * @param checkTimeout how long one authorization decision may take before the request fails closed
 * @param maxParallelBatches BatchCheck requests of one decision in flight at once; the rest are sent
 *     as earlier ones answer, so a decision that gives up at its timeout leaves at most this many
 *     requests for OpenFGA to finish, instead of all of them
 */
@ConfigurationProperties("clearance.fga")
public record FgaProperties(
        @NotBlank String apiUrl,
        @Nullable String storeId,
        @Nullable String modelId,
        @Bindable(defaultValue = "clearance") @NotBlank String storeName,

        @Bindable(defaultValue = "classpath:fga/model.fga") @NotBlank
        String modelFile,

        @Bindable(defaultValue = "can_view") @NotBlank String relation,
        @Bindable(defaultValue = "50") @Min(1) @Max(50) int batchSize,
        @Bindable(defaultValue = "3s") Duration checkTimeout,
        @Bindable(defaultValue = "2s") Duration requestTimeout,
        @Bindable(defaultValue = "2") @Min(0) @Max(10) int maxRetries,
        @Bindable(defaultValue = "8") @Min(1) @Max(100) int maxParallelBatches,
        @Nullable String clientId,
        @Nullable String clientSecret,
        @Nullable String tokenIssuer,
        @Nullable String apiAudience) {

    /**
     * The longest one OpenFGA call may take with the SDK's own retries: every request timeout plus
     * one for the backoff between them.
     */
    public Duration callTimeout() {
        return requestTimeout().multipliedBy(maxRetries() + 2L);
    }
}
