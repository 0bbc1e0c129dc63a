package dev.clearance.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OutcomeTest {

    @Test
    void bothPrincipalsMustAllowAndAnErrorNeverBecomesAllowed() {
        assertEquals(Outcome.ALLOWED, Outcome.intersect(Outcome.ALLOWED, Outcome.ALLOWED));
        assertEquals(Outcome.DENIED, Outcome.intersect(Outcome.ALLOWED, Outcome.DENIED));
        assertEquals(Outcome.DENIED, Outcome.intersect(Outcome.ERROR, Outcome.DENIED));
        assertEquals(Outcome.ERROR, Outcome.intersect(Outcome.ALLOWED, Outcome.ERROR));
        assertEquals(Outcome.ERROR, Outcome.intersect(Outcome.ERROR, Outcome.ALLOWED));
    }

    @Test
    void anySubjectAllowingIsEnoughAndAnErrorIsNeverADenial() {
        assertEquals(Outcome.ALLOWED, Outcome.union(Outcome.DENIED, Outcome.ALLOWED));
        assertEquals(Outcome.ALLOWED, Outcome.union(Outcome.ERROR, Outcome.ALLOWED));
        assertEquals(Outcome.ERROR, Outcome.union(Outcome.DENIED, Outcome.ERROR));
        assertEquals(Outcome.DENIED, Outcome.union(Outcome.DENIED, Outcome.DENIED));
    }
}
