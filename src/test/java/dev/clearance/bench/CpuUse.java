package dev.clearance.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time spent on the machine, read from Linux's {@code /proc}: all cores together, this JVM (the
 * service under test and its load clients), and the processes named {@code postgres} and {@code
 * openfga}. A benchmark takes one reading before a phase and one after, and divides the difference
 * by the searches: how much CPU one search costs all the programs that answer it. That figure bounds
 * what any scheduling can do with a closed loop on this many cores (Little's law), which is why the
 * throughput benchmark prints it. Elsewhere than Linux every figure is absent ({@link #available}).
 *
 * @param wallNanos {@link System#nanoTime} at the reading
 * @param busyTicks clock ticks of all cores not idle (user, nice, system, irq, softirq, steal)
 * @param totalTicks clock ticks of all cores, idle and I/O wait included
 * @param cpus the cores {@code /proc/stat} counts (all of the machine's, which may be more than
 *     this JVM is allowed to use)
 * @param jvmNanos CPU time of this JVM
 * @param ticksByCommand clock ticks of the named processes, with those of their children that ended
 *     (PostgreSQL's backends are children of its postmaster)
 */
record CpuUse(
        long wallNanos, long busyTicks, long totalTicks, int cpus, long jvmNanos, Map<String, Long> ticksByCommand) {

    /** The processes whose CPU the benchmark reports apart. */
    static final List<String> COMMANDS = List.of("postgres", "openfga");

    private static final Path PROC = Path.of("/proc");

    static CpuUse now() {
        long wall = System.nanoTime();
        long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        try {
            List<String> stat = Files.readAllLines(PROC.resolve("stat"));
            String[] cpu = stat.get(0).trim().split("\\s+");
            // The first line sums every core; the lines "cpu0", "cpu1", ... are the cores themselves.
            int cpus = (int) stat.stream()
                    .filter(l -> l.startsWith("cpu") && l.length() > 3 && Character.isDigit(l.charAt(3)))
                    .count();
            long total = 0;
            for (int i = 1; i < cpu.length && i <= 8; i++) {
                total += Long.parseLong(cpu[i]);
            }
            // Fields: user nice system idle iowait irq softirq steal; idle and iowait are not busy.
            long busy = total - Long.parseLong(cpu[4]) - Long.parseLong(cpu[5]);
            return new CpuUse(wall, busy, total, cpus, jvm, processTicks());
        } catch (IOException | RuntimeException e) {
            return new CpuUse(wall, -1, -1, 0, jvm, Map.of());
        }
    }

    boolean available() {
        return totalTicks >= 0;
    }

    /** CPU seconds between {@code before} and this reading. */
    Spent since(CpuUse before) {
        double wall = (wallNanos - before.wallNanos) / 1e9;
        double jvm = (jvmNanos - before.jvmNanos) / 1e9;
        if (!available() || !before.available() || totalTicks == before.totalTicks) {
            return new Spent(wall, Double.NaN, jvm, Map.of());
        }
        // Ticks per second of one core, measured rather than assumed: every core adds its ticks,
        // idle or not, so the total grows by cores x ticks-per-second.
        double ticksPerSecond = (totalTicks - before.totalTicks) / (cpus * wall);
        Map<String, Double> byCommand = new HashMap<>();
        for (String command : COMMANDS) {
            long delta = ticksByCommand.getOrDefault(command, 0L) - before.ticksByCommand.getOrDefault(command, 0L);
            byCommand.put(command, Math.max(0, delta) / ticksPerSecond);
        }
        return new Spent(wall, (busyTicks - before.busyTicks) / ticksPerSecond, jvm, byCommand);
    }

    /**
     * CPU seconds spent over {@code wall} seconds.
     *
     * @param machine all cores (NaN where {@code /proc} cannot be read)
     * @param jvm this JVM
     * @param byCommand per name in {@link #COMMANDS}
     */
    record Spent(double wall, double machine, double jvm, Map<String, Double> byCommand) {

        /** What the machine spent outside this JVM and the named processes. */
        double other() {
            return machine
                    - jvm
                    - byCommand.values().stream()
                            .mapToDouble(Double::doubleValue)
                            .sum();
        }
    }

    private static Map<String, Long> processTicks() throws IOException {
        Map<String, Long> ticks = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(
                PROC, p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path dir : dirs) {
                String stat;
                try {
                    stat = Files.readString(dir.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the process ended between the listing and the read
                }
                // "pid (comm) state ppid ...": the name may hold spaces and parentheses.
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                String command = stat.substring(open + 1, close);
                if (!COMMANDS.contains(command)) {
                    continue;
                }
                String[] f = stat.substring(close + 2).split(" ");
                // After the name: state(0) ... utime(11) stime(12) cutime(13) cstime(14).
                long t = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
                ticks.merge(command, t, Long::sum);
            }
        }
        return ticks;
    }
}
