package dev.clearance.answer;

import dev.clearance.platform.ProblemException;
import io.micronaut.http.HttpStatus;

/** The configured model failed or timed out; nothing partial is returned. */
public final class LanguageModelException extends ProblemException {

    public LanguageModelException(String detail, Throwable cause) {
        super(
                HttpStatus.BAD_GATEWAY,
                "llm-unavailable",
                "Language model unavailable",
                detail,
                java.util.List.of(),
                cause);
    }
}
