package dev.clearance.access;

/**
 * Result of one authorization check. Three outcomes, never two: an error is not a denial (it must
 * fail the request) and never an allowance.
 */
public enum Outcome {
    ALLOWED,
    DENIED,
    ERROR;

    /** Combines the outcomes of several principals (user and agent): all must allow. */
    static Outcome intersect(Outcome a, Outcome b) {
        if (a == DENIED || b == DENIED) {
            return DENIED;
        }
        if (a == ERROR || b == ERROR) {
            return ERROR;
        }
        return ALLOWED;
    }
}
