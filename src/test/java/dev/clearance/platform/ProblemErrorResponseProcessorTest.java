package dev.clearance.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How parser messages, which quote Java types, become field names and positions for callers. */
class ProblemErrorResponseProcessorTest {

    private static final String NAMED = "Failed to convert argument [body] for value [null] due to: Error decoding "
            + "property [Integer topK] of type [class dev.clearance.search.SearchRequest]: Numeric value out of range"
            + "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 41]";
    private static final String UNNAMED =
            "Failed to convert argument [body] for value [null] due to: Cannot deserialize"
                    + " value of type `java.lang.Integer` due to: Unable to coerce string to integer"
                    + "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 3, column: 24]";

    @Test
    void thePropertyIsTakenWhenTheParserNamesIt() {
        assertEquals("topK", ProblemErrorResponseProcessor.property(NAMED));
        assertEquals("body", ProblemErrorResponseProcessor.property(UNNAMED));
    }

    @Test
    void thePositionIsKeptAndNothingElse() {
        assertEquals(" (line 1, column 41)", ProblemErrorResponseProcessor.location(NAMED));
        assertEquals(" (line 3, column 24)", ProblemErrorResponseProcessor.location(UNNAMED));
        assertEquals("", ProblemErrorResponseProcessor.location("Required Body [body] not specified"));
    }

    @Test
    void parserMessagesAreRecognisedSoTheirWordingNeverReachesCallers() {
        assertTrue(ProblemErrorResponseProcessor.isUnreadable(NAMED));
        assertTrue(ProblemErrorResponseProcessor.isUnreadable(UNNAMED));
        assertFalse(ProblemErrorResponseProcessor.isUnreadable("must be less than or equal to 50"));
        assertFalse(ProblemErrorResponseProcessor.isUnreadable(null));
    }
}
