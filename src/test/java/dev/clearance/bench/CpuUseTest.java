package dev.clearance.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.junit.jupiter.api.Test;

class CpuUseTest {

    @Test
    void aThreadThatSpinsForAQuarterSecondOfCpuShowsInTheJvmAndTheMachine() {
        CpuUse before = CpuUse.now();
        assumeTrue(before.available(), "needs Linux's /proc");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        long spins = 0;
        // Spin until this thread has had 250 ms of a core, however long the scheduler makes that take.
        while (threads.getCurrentThreadCpuTime() - start < 250_000_000L) {
            spins++;
        }
        CpuUse.Spent spent = CpuUse.now().since(before);

        assertTrue(spins > 0);
        assertTrue(spent.jvm() >= 0.25, "JVM CPU " + spent.jvm());
        // The machine's ticks are coarser (10 ms) than the JVM's clock, hence the margin.
        assertTrue(spent.machine() >= 0.2, "machine CPU " + spent.machine());
        assertTrue(
                spent.machine() <= spent.wall() * Runtime.getRuntime().availableProcessors() * 1.05,
                "no more CPU than the cores had: " + spent);
        assertEquals(CpuUse.COMMANDS.size(), spent.byCommand().size());
    }
}
