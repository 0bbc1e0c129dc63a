package dev.clearance.answer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clearance.platform.Problem;
import org.junit.jupiter.api.Test;

/** Model failures carry a type slug like every other problem, so their type URI is not doubled. */
class LanguageModelProblemTest {

    @Test
    void aModelFailureHasTheSameTypeUriAsEveryOtherProblem() {
        Problem failed = Problem.of(new LanguageModelException("down", null), "/v1/ask", "r1");
        assertEquals("https://clearance.dev/problems/llm-unavailable", failed.type());
        assertEquals(502, failed.status());
        Problem missing = Problem.of(new LanguageModelNotConfiguredException(), null, null);
        assertEquals("https://clearance.dev/problems/llm-not-configured", missing.type());
    }
}
