package dev.clearance.search;

import dev.clearance.platform.Problem;
import dev.clearance.platform.ValidationProblem;
import java.util.List;
import java.util.Locale;

/**
 * How candidates meet authorization. {@code ADAPTIVE} (default) post-filters with refill rounds and
 * switches to the pre-filter when the first round shows the caller can see little, or starts there
 * when the caller's recently observed share is below {@code prefilterBelow} ({@link CallerShares}).
 */
public enum Strategy {
    ADAPTIVE,
    POSTFILTER,
    PREFILTER;

    /** Parses the API's lower-case names; anything else is a 400 naming the field. */
    public static Strategy parse(String value) {
        if (value == null) {
            return ADAPTIVE;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ValidationProblem(
                    List.of(new Problem.FieldError("strategy", "must be one of adaptive, postfilter, prefilter")));
        }
    }
}
