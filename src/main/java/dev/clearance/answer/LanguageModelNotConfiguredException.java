package dev.clearance.answer;

import dev.clearance.platform.ProblemException;
import io.micronaut.http.HttpStatus;

/** No chat model is configured; tells the operator how to configure one. */
public final class LanguageModelNotConfiguredException extends ProblemException {

    public LanguageModelNotConfiguredException() {
        super(
                HttpStatus.SERVICE_UNAVAILABLE,
                "llm-not-configured",
                "No language model configured",
                "Answers need an OpenAI-compatible chat endpoint: set CLEARANCE_LLM_BASE_URL (for example"
                        + " https://api.openai.com/v1), CLEARANCE_LLM_MODEL and, if the endpoint needs one,"
                        + " CLEARANCE_LLM_API_KEY. POST /v1/search works without a model.");
    }
}
