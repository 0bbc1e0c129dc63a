package dev.clearance.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoadTestCallersTest {

    @Test
    void aRangeNamesEveryCallerInItZeroPadded() {
        List<String> callers = LoadTest.callers("u0000..u1023");
        assertEquals(1024, callers.size());
        assertEquals("u0000", callers.getFirst());
        assertEquals("u0042", callers.get(42));
        assertEquals("u1023", callers.getLast());
    }

    @Test
    void namesAndAgentsStayAsTheyAreNextToRanges() {
        assertEquals(
                List.of("alice", "alice/helpdesk-bot", "b8", "b9", "b10"),
                LoadTest.callers("alice, alice/helpdesk-bot,b8..b10"));
    }
}
