package lessismore.cli;

import java.io.PrintStream;
import java.util.Locale;
import lessismore.reduce.Reducer;

/**
 * A one-line progress bar on stderr: files done, slices per second and ETA. It draws only when
 * stderr is a terminal, so logs and pipes stay clean, and at most every 100 ms.
 */
final class ProgressBar implements Reducer.Progress, AutoCloseable {
    private final PrintStream err;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastDraw;
    private String lastPhase = "";
    private boolean drawn;

    private ProgressBar(PrintStream err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /** A bar that draws when not quiet and a terminal is attached. */
    static ProgressBar create(boolean quiet) {
        java.io.Console c = System.console();
        return new ProgressBar(System.err, !quiet && c != null && c.isTerminal());
    }

    @Override
    public synchronized void update(String phase, int done, int total) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L && phase.equals(lastPhase)) {
            return;
        }
        lastDraw = now;
        lastPhase = phase;
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? done / secs : 0;
        long eta = rate > 0 ? Math.round((total - done) / rate) : 0;
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) width * done / total);
        String bar = "#".repeat(filled) + " ".repeat(width - filled);
        err.printf(Locale.ROOT, "\r%-6s [%s] %d/%d files  %.0f/s  ETA %d:%02d ", phase, bar, done, total, rate,
                eta / 60, eta % 60);
        err.flush();
        drawn = true;
    }

    @Override
    public synchronized void close() {
        if (enabled && drawn) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
