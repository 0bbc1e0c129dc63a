package dev.clearance.answer;

import java.util.function.Consumer;

/**
 * A chat model that answers from given sources. The only implementation talks to an
 * OpenAI-compatible endpoint through LangChain4j; the port keeps that SDK in one package.
 */
public interface LanguageModel {

    /** Name of the model, reported with every answer. */
    String name();

    /** The whole answer; throws {@link LanguageModelException} when the model fails. */
    String answer(Prompt prompt);

    /**
     * Streams the answer: {@code onToken} for each piece, then exactly one of {@code onDone} (with
     * the whole text) or {@code onError}.
     */
    void stream(Prompt prompt, Consumer<String> onToken, Consumer<String> onDone, Consumer<Throwable> onError);
}
