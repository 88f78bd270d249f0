package lessismore.nn;

import java.util.stream.IntStream;

/**
 * Splits the element-wise work of the layers (batch norm over channels, ReLU over elements, pooling
 * over planes, …) across the common fork-join pool. Every index is handled by exactly one task and
 * the arithmetic per index does not depend on the split, so results are bit-identical to a serial
 * loop whatever the number of threads.
 */
final class Parallel {
    /** Elements per chunk below which handing work to another thread costs more than it saves. */
    static final int GRAIN = 1 << 15;

    /** A half-open range of indices [lo, hi). */
    @FunctionalInterface
    interface Range {
        void run(int lo, int hi);
    }

    private Parallel() {
    }

    /**
     * Runs body over [0, n) cut into contiguous ranges of at least {@code grain} indices (a few per
     * thread, so that a thread slowed by other load can leave its share to the others).
     */
    static void ranges(int n, int grain, Range body) {
        int threads = Runtime.getRuntime().availableProcessors();
        int chunks = (int) Math.min(4L * threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        IntStream.range(0, chunks).parallel()
                .forEach(t -> body.run((int) ((long) t * n / chunks), (int) ((long) (t + 1) * n / chunks)));
    }

    /** {@link #ranges} for element-wise loops over arrays, with the default grain. */
    static void ranges(int n, Range body) {
        ranges(n, GRAIN, body);
    }
}
