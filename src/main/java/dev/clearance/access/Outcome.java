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

    /** Combines the subjects a principal holds access through: any one allowing is enough. */
    static Outcome union(Outcome a, Outcome b) {
        if (a == ALLOWED || b == ALLOWED) {
            return ALLOWED;
        }
        if (a == ERROR || b == ERROR) {
            return ERROR;
        }
        return DENIED;
    }
}
