package dev.clearance.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clearance.search.SearchRequest;
import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.core.type.Argument;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.serde.exceptions.SerdeException;
import io.micronaut.web.router.exceptions.UnsatisfiedBodyRouteException;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the framework's binding exceptions, from a real parser, become field names and positions. */
class BindingFailureTest {

    private static final Argument<SearchRequest> BODY = Argument.of(SearchRequest.class, "body");

    private static Exception parse(String json) {
        try {
            ObjectMapper.getDefault().readValue(json, SearchRequest.class);
        } catch (IOException e) {
            return e;
        }
        throw new AssertionError("parsed: " + json);
    }

    private static BindingFailure failure(Throwable root) {
        return BindingFailure.of(root, "body").orElseThrow();
    }

    /** The wording Micronaut Serde 2.16 uses (BadInputIT checks it against the running service). */
    @Test
    void thePropertyAndPositionAreTakenWhenTheParserGivesThem() {
        BindingFailure f = failure(new ConversionErrorException(
                BODY,
                new SerdeException("Error decoding property [Integer topK] of type [class x.SearchRequest]: Numeric"
                        + " value out of range\n at [Source: REDACTED; line: 2, column: 9]")));
        assertEquals("body", f.argument());
        assertEquals(Optional.of("topK"), f.property());
        assertEquals(" (line 2, column 9)", f.where());
    }

    @Test
    void unknownWordingLeavesOnlyTheHintsOut() {
        BindingFailure f = failure(new ConversionErrorException(BODY, new IllegalStateException("reworded")));
        assertEquals("body", f.argument());
        assertEquals(Optional.empty(), f.property());
        assertEquals("", f.where());
    }

    @Test
    void brokenJsonHasAPositionButNoProperty() {
        BindingFailure f = failure(new ConversionErrorException(BODY, parse("{\"query\": ")));
        assertEquals(Optional.empty(), f.property());
        assertFalse(f.missingBody());
    }

    @Test
    void aParameterIsNamedAsTheCallerWroteIt() {
        BindingFailure f = failure(
                new ConversionErrorException(Argument.of(Integer.class, "limit"), new NumberFormatException("x")));
        assertEquals("limit", f.argument());
        assertEquals("", f.where());
    }

    @Test
    void aMissingBodyIsItsOwnCaseAndOtherFailuresAreNotBindingFailures() {
        assertTrue(failure(new UnsatisfiedBodyRouteException("body", BODY)).missingBody());
        assertEquals(Optional.empty(), BindingFailure.of(new IllegalStateException("Source: x"), "body"));
    }
}
