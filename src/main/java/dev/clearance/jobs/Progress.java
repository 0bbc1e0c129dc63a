package dev.clearance.jobs;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Progress on stderr: a bar redrawn in place when stderr is a terminal, otherwise a plain line every
 * few seconds (for logs and CI). The rate is taken over the last twenty seconds, so documents skipped
 * locally at the start of a resumed run do not make the ETA look better than it is.
 */
final class Progress implements AutoCloseable {

    /** How progress is shown; AUTO picks BAR or PLAIN from whether stderr is a terminal. */
    enum Mode {
        AUTO,
        BAR,
        PLAIN,
        NONE
    }

    private static final long BAR_TICK_MS = 200;
    private static final long PLAIN_TICK_MS = 5_000;
    private static final long WINDOW_NANOS = 20_000_000_000L;
    private static final int BAR_WIDTH = 30;

    private record Sample(long nanos, int done) {}

    private final PrintStream out;
    private final Mode mode;
    private final int total;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Deque<Sample> window = new ArrayDeque<>();
    private final long started = System.nanoTime();
    private final Thread ticker;

    Progress(PrintStream out, Mode mode, int total) {
        this.out = out;
        this.mode = mode == Mode.AUTO ? (stderrIsTerminal() ? Mode.BAR : Mode.PLAIN) : mode;
        this.total = total;
        this.ticker = Thread.ofPlatform().daemon().name("progress").unstarted(this::tick);
        if (this.mode != Mode.NONE && total > 0) {
            ticker.start();
        }
    }

    void advance(boolean failure) {
        done.incrementAndGet();
        if (failure) {
            failed.incrementAndGet();
        }
    }

    @Override
    public void close() {
        ticker.interrupt();
        try {
            ticker.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (mode != Mode.NONE && total > 0) {
            String text = line(System.nanoTime());
            out.println(mode == Mode.BAR ? "\r" + text + "\u001b[K" : text);
            out.flush();
        }
    }

    private void tick() {
        long period = mode == Mode.BAR ? BAR_TICK_MS : PLAIN_TICK_MS;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(period);
                String text = line(System.nanoTime());
                out.print(mode == Mode.BAR ? "\r" + text + "\u001b[K" : text + "\n");
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String line(long now) {
        int d = done.get();
        double rate = rate(now, d);
        String eta = rate > 0 && d < total ? duration((long) ((total - d) / rate)) : d >= total ? "0:00" : "--:--";
        String counts = String.format("%d/%d  %3d%%  %.1f docs/s  ETA %s", d, total, d * 100 / total, rate, eta)
                + (failed.get() > 0 ? "  failed " + failed.get() : "");
        if (mode != Mode.BAR) {
            return "progress: " + counts;
        }
        int filled = d * BAR_WIDTH / total;
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " + counts;
    }

    private synchronized double rate(long now, int d) {
        window.addLast(new Sample(now, d));
        while (window.size() > 2 && now - window.peekFirst().nanos() > WINDOW_NANOS) {
            window.removeFirst();
        }
        Sample first = window.peekFirst();
        long span = now - first.nanos();
        if (span < 1_000_000_000L) {
            span = now - started;
            return span <= 0 ? 0 : d * 1e9 / span;
        }
        return (d - first.done()) * 1e9 / span;
    }

    static String duration(long seconds) {
        return seconds >= 3600
                ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%d:%02d", seconds / 60, seconds % 60);
    }

    // Java 21 has no isatty for stderr; on Linux the descriptor's link names the terminal device.
    static boolean stderrIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return System.console() != null;
        }
    }
}
