package dev.clearance.answer;

import dev.clearance.platform.Problem;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** One event of a streamed answer; {@link #name()} is the SSE event name. */
public sealed interface AskEvent {

    String name();

    /** First event: the sources the model was given, before it starts writing. */
    @Serdeable
    record Sources(String requestId, List<Citation> citations) implements AskEvent {
        @Override
        public String name() {
            return "sources";
        }
    }

    /** A piece of the answer as the model produces it. */
    @Serdeable
    record Token(String text) implements AskEvent {
        @Override
        public String name() {
            return "token";
        }
    }

    /** Last event on success: the whole answer, as {@code POST /v1/ask} returns it. */
    @Serdeable
    record Done(AskResponse response) implements AskEvent {
        @Override
        public String name() {
            return "done";
        }
    }

    /** Last event on failure after the stream started: a problem document. */
    @Serdeable
    record Failed(Problem problem) implements AskEvent {
        @Override
        public String name() {
            return "error";
        }
    }
}
