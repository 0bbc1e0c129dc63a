package dev.clearance.platform;

import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.json.JsonSyntaxException;
import io.micronaut.web.router.exceptions.UnsatisfiedBodyRouteException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request the framework could not bind, recognised by the types of its exceptions: a missing body,
 * or an argument that could not be read. What the caller is told never depends on the exceptions'
 * messages (they quote Java types and parser internals). The JSON property and the position are
 * hints read from the parser's message, because Micronaut Serde does not expose them as values for
 * every failure (a string where a number belongs carries neither a path nor a Jackson location): if
 * an upgrade changes the wording, the field falls back to {@code body} and the position is left out,
 * and nothing else changes.
 *
 * @param argument the route argument that failed ({@code body} for the request body)
 * @param property the JSON property the parser stopped in, when it says
 * @param line where the parser stopped (0: unknown)
 */
record BindingFailure(boolean missingBody, String argument, Optional<String> property, int line, int column) {

    /** "... Error decoding property [Integer topK] ..." */
    private static final Pattern PROPERTY = Pattern.compile("decoding property \\[(?:\\S+ )?([A-Za-z0-9_]{1,64})]");

    /** "... line: 1, column: 41]" */
    private static final Pattern LOCATION = Pattern.compile("line: (\\d{1,9}), column: (\\d{1,9})");

    static Optional<BindingFailure> of(Throwable root, String bodyArgument) {
        if (root instanceof UnsatisfiedBodyRouteException) {
            return Optional.of(new BindingFailure(true, bodyArgument, Optional.empty(), 0, 0));
        }
        String argument;
        if (root instanceof ConversionErrorException conversion) {
            argument = conversion.getArgument().getName();
        } else if (root instanceof JsonSyntaxException) {
            argument = bodyArgument;
        } else {
            return Optional.empty();
        }
        String message = root.getMessage() == null ? "" : root.getMessage();
        Matcher property = PROPERTY.matcher(message);
        Matcher location = LOCATION.matcher(message);
        boolean located = location.find();
        return Optional.of(new BindingFailure(
                false,
                argument,
                property.find() ? Optional.of(property.group(1)) : Optional.empty(),
                located ? Integer.parseInt(location.group(1)) : 0,
                located ? Integer.parseInt(location.group(2)) : 0));
    }

    /** Where in the body the parser stopped, which a client can use without knowing our types. */
    String where() {
        return line > 0 ? " (line " + line + ", column " + column + ")" : "";
    }
}
