package dev.clearance.answer;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * The chat model behind {@code /v1/ask}: any OpenAI-compatible endpoint. Without a base URL the
 * endpoint answers with a problem that says how to configure one; search is unaffected.
 *
 * @param baseUrl e.g. {@code https://api.example.com/v1}; empty means no model
 * @param model model name sent to the endpoint
 * @param apiKey bearer key, if the endpoint needs one
 * @param contextTokens prompt budget (system text, question and sources), counted with cl100k
 * @param answerTokens most tokens the model may generate
 * @param timeout for one model call, including a whole streamed answer
 * @param maxRetries retries of a failed (non-streaming) call
 */
@ConfigurationProperties("clearance.llm")
public record ChatProperties(
        @Nullable String baseUrl,
        @Bindable(defaultValue = "gpt-4o-mini") String model,
        @Nullable String apiKey,
        @Bindable(defaultValue = "3000") int contextTokens,
        @Bindable(defaultValue = "600") int answerTokens,
        @Bindable(defaultValue = "60s") Duration timeout,
        @Bindable(defaultValue = "1") int maxRetries) {

    public boolean configured() {
        return baseUrl != null && !baseUrl.isBlank();
    }
}
