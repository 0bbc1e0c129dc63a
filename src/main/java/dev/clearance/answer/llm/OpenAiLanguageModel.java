package dev.clearance.answer.llm;

import dev.clearance.answer.ChatProperties;
import dev.clearance.answer.LanguageModel;
import dev.clearance.answer.LanguageModelException;
import dev.clearance.answer.Prompt;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.function.Consumer;

/**
 * Any OpenAI-compatible chat endpoint through LangChain4j. Present only when a base URL is
 * configured, so without one {@code /v1/ask} explains how to configure it.
 */
@Singleton
@Requires(property = "clearance.llm.base-url", pattern = ".+")
final class OpenAiLanguageModel implements LanguageModel {

    private final ChatModel chat;
    private final StreamingChatModel streaming;
    private final String name;

    OpenAiLanguageModel(ChatProperties properties) {
        this.name = properties.model();
        // Temperature 0: answers from sources should be repeatable, not creative.
        this.chat = OpenAiChatModel.builder()
                .baseUrl(properties.baseUrl())
                .apiKey(key(properties))
                .modelName(properties.model())
                .temperature(0.0)
                .maxTokens(properties.answerTokens())
                .timeout(properties.timeout())
                .maxRetries(properties.maxRetries())
                .build();
        this.streaming = OpenAiStreamingChatModel.builder()
                .baseUrl(properties.baseUrl())
                .apiKey(key(properties))
                .modelName(properties.model())
                .temperature(0.0)
                .maxTokens(properties.answerTokens())
                .timeout(properties.timeout())
                .build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String answer(Prompt prompt) {
        try {
            ChatResponse response = chat.chat(request(prompt));
            String text =
                    response.aiMessage() == null ? null : response.aiMessage().text();
            if (text == null) {
                throw new LanguageModelException("The language model returned no text.", null);
            }
            return text;
        } catch (LanguageModelException e) {
            throw e;
        } catch (RuntimeException e) {
            // The provider's message can echo the request; keep it in the log, not in the response.
            throw new LanguageModelException("The language model failed or timed out.", e);
        }
    }

    @Override
    public void stream(Prompt prompt, Consumer<String> onToken, Consumer<String> onDone, Consumer<Throwable> onError) {
        streaming.chat(request(prompt), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String token) {
                onToken.accept(token);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                String text = response.aiMessage() == null
                        ? null
                        : response.aiMessage().text();
                if (text == null) {
                    onError.accept(new LanguageModelException("The language model returned no text.", null));
                } else {
                    onDone.accept(text);
                }
            }

            @Override
            public void onError(Throwable error) {
                onError.accept(new LanguageModelException("The language model failed or timed out.", error));
            }
        });
    }

    private static ChatRequest request(Prompt prompt) {
        return ChatRequest.builder()
                .messages(SystemMessage.from(prompt.system()), UserMessage.from(prompt.user()))
                .build();
    }

    /** Local OpenAI-compatible servers often need no key; the client still wants a value. */
    private static String key(ChatProperties properties) {
        return properties.apiKey() == null || properties.apiKey().isBlank() ? "unused" : properties.apiKey();
    }
}
