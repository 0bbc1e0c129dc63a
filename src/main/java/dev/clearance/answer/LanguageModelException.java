package dev.clearance.answer;

import dev.clearance.platform.Problem;
import dev.clearance.platform.ProblemException;
import io.micronaut.http.HttpStatus;

/** The configured model failed or timed out; nothing partial is returned. */
public final class LanguageModelException extends ProblemException {

    public LanguageModelException(String detail, Throwable cause) {
        super(
                HttpStatus.BAD_GATEWAY,
                Problem.TYPE_BASE + "llm-unavailable",
                "Language model unavailable",
                detail,
                java.util.List.of(),
                cause);
    }
}
