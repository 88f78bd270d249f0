package lessismore.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Single-precision matrix multiply on row-major arrays, the one hot loop of CPU training:
 * {@code C = alpha · op(A) · op(B) + beta · C} with op(A) m × k, op(B) k × n and C m × n.
 *
 * <p>Row-major with leading dimensions: element (i, j) of a matrix X stored at offset xOff with
 * leading dimension ldx is {@code x[xOff + i * ldx + j]}. With transA, A is stored k × m (lda ≥ m);
 * with transB, B is stored n × k (ldb ≥ k). When beta is 0, C is not read (it may hold NaN).
 *
 * <p>How it is fast (the GotoBLAS/BLIS scheme): C is cut into blocks; for each block, a
 * {@link #KC}-deep slice of op(B) up to {@link #NC} columns wide is packed into contiguous slivers
 * of the micro-kernel's width, then each {@link #MC}-row block of op(A) is packed into slivers of
 * {@link MicroKernel#MR} rows, and the micro-kernel multiplies one A sliver by one B sliver into a
 * tile of C held in registers. Packing makes all four transpose cases one case for the kernel and
 * makes its memory access unit-stride. The kernel uses the Vector API when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (the launcher, surefire and the benchmarks do), and a
 * plain-loop kernel otherwise.
 *
 * <p>Threads: problems of at least {@link #PARALLEL_MIN_FLOPS} are split into a grid of blocks of
 * C (the grid that repacks the least, see {@link #grid}) that the calling thread and up to
 * {@link #threads()} − 1 pooled daemon threads take from a shared counter. Blocks start at
 * multiples of the tile width, so two threads meet at most in one cache line per row of C, and
 * every thread packs into its own buffers. Concurrent calls from several threads are safe.
 */
public final class Gemm {
    /**
     * Depth of a packed slice: the B sliver (KC × 32 floats = 32 KiB with AVX-512) stays in the
     * 48 KiB L1d of this machine's cores while six A rows stream past it.
     */
    static final int KC = 256;
    /**
     * Rows of a packed A block (a multiple of MR): MC × KC floats = 240 KiB, well inside the 2 MiB
     * L2 per core together with the B slivers that pass through.
     */
    static final int MC = 240;
    /** Columns of a packed B slice (a multiple of every kernel width): KC × NC floats = 4 MiB, for L3. */
    static final int NC = 4096;
    /** Below 2·m·n·k of this (~40 µs on one core) handing blocks to other threads costs more than it saves. */
    static final long PARALLEL_MIN_FLOPS = 1L << 22;
    /** At most this many blocks per thread when splitting C (more blocks, more repacking). */
    private static final int MAX_BLOCKS_PER_THREAD = 4;
    /** Smallest block height and width worth splitting to: each block repacks its A and B slices. */
    private static final int MIN_BLOCK_ROWS = 8 * MicroKernel.MR;
    private static final int MIN_BLOCK_COLS = 128;

    private static final MicroKernel KERNEL = chooseKernel();
    private static final AtomicInteger WORKER_IDS = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lessismore-gemm-" + WORKER_IDS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);
    private static volatile int threads = Runtime.getRuntime().availableProcessors();

    private Gemm() {
    }

    /**
     * Sets how many threads one call may use (the caller plus pooled helpers); the default is the
     * number of available processors. 1 runs every call on the caller's thread.
     */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1: " + n);
        }
        threads = n;
    }

    /** The number of threads one call may use (see {@link #setThreads}). */
    public static int threads() {
        return threads;
    }

    /**
     * C = alpha · op(A) · op(B) + beta · C (see the class comment for layouts).
     *
     * @throws IllegalArgumentException if a size is negative or a leading dimension is smaller than
     *                                  its row's width
     * @throws IndexOutOfBoundsException if a matrix does not fit in its array from its offset
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        sgemm(KERNEL, threads, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** {@link #sgemm} with a given kernel and thread count, so tests can check both kernels. */
    static void sgemm(MicroKernel kernel, int threadCount, boolean transA, boolean transB,
                      int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative size: m=" + m + " n=" + n + " k=" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        checkMatrix("C", c, cOff, m, n, ldc);
        if (k == 0) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        checkMatrix("A", a, aOff, transA ? k : m, transA ? m : k, lda);
        checkMatrix("B", b, bOff, transB ? n : k, transB ? k : n, ldb);
        // Strides of op(A) along i and along the shared dimension p, and of op(B) along j and p.
        Call call = new Call(kernel, k, alpha, beta, a, aOff, transA ? 1 : lda, transA ? lda : 1,
                b, bOff, transB ? ldb : 1, transB ? 1 : ldb, c, cOff, ldc);

        int blockRows = m;
        int blockCols = n;
        if (threadCount > 1 && 2L * m * n * k >= PARALLEL_MIN_FLOPS) {
            int[] grid = grid(m, n, threadCount);
            blockRows = roundUp(ceilDiv(m, grid[0]), MicroKernel.MR);
            blockCols = roundUp(ceilDiv(n, grid[1]), kernel.nr());
        }
        int gridCols = ceilDiv(n, blockCols);
        int blocks = ceilDiv(m, blockRows) * gridCols;
        if (blocks == 1) {
            call.block(0, m, 0, n, WORKSPACE.get());
            return;
        }
        int rows = blockRows;
        int cols = blockCols;
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            Workspace ws = WORKSPACE.get();
            for (int t; (t = next.getAndIncrement()) < blocks; ) {
                int i0 = t / gridCols * rows;
                int j0 = t % gridCols * cols;
                call.block(i0, Math.min(rows, m - i0), j0, Math.min(cols, n - j0), ws);
            }
        };
        List<Future<?>> helpers = new ArrayList<>();
        for (int h = 1; h < Math.min(threadCount, blocks); h++) {
            helpers.add(POOL.submit(worker));
        }
        worker.run();
        awaitAll(helpers);
    }

    /**
     * Rows × columns of the grid of blocks for threadCount threads. Every block packs its own
     * slices, so op(B) is packed once per block row and op(A) once per block column: the grid with
     * at least threadCount blocks (at most {@link #MAX_BLOCKS_PER_THREAD} per thread, none thinner
     * than the minimum sizes) that packs the fewest elements, gridRows·n + gridCols·m per step of k.
     * Ties go to more blocks, which let a thread that is not slowed by other load take more of them.
     * E.g. 2 threads: 64 × 65536 splits the columns, 512 × 256 the rows.
     */
    static int[] grid(int m, int n, int threadCount) {
        int maxRows = Math.max(1, m / MIN_BLOCK_ROWS);
        int maxCols = Math.max(1, n / MIN_BLOCK_COLS);
        int maxBlocks = MAX_BLOCKS_PER_THREAD * threadCount;
        int[] best = {1, 1};
        long bestCost = Long.MAX_VALUE;
        for (int rows = 1; rows <= Math.min(maxRows, maxBlocks); rows++) {
            for (int cols = 1; cols <= Math.min(maxCols, maxBlocks / rows); cols++) {
                long cost = (long) rows * n + (long) cols * m;
                boolean enough = rows * cols >= threadCount;
                if (enough && (cost < bestCost || cost == bestCost && rows * cols > best[0] * best[1])) {
                    bestCost = cost;
                    best = new int[] {rows, cols};
                }
            }
        }
        return best;
    }

    /** Waits for every helper even if interrupted (they write into C), then rethrows a helper's failure. */
    private static void awaitAll(List<Future<?>> helpers) {
        boolean interrupted = false;
        Throwable failure = null;
        for (Future<?> f : helpers) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    failure = e.getCause();
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /** The arguments of one call, with op(A) and op(B) as strides, and the blocked loops over them. */
    private record Call(MicroKernel kernel, int k, float alpha, float beta,
                        float[] a, int aOff, int aRow, int aDepth,
                        float[] b, int bOff, int bCol, int bDepth,
                        float[] c, int cOff, int ldc) {

        /** Rows i0 … i0+mb−1 and columns j0 … j0+nb−1 of C, all of k, in ws's buffers. */
        void block(int i0, int mb, int j0, int nb, Workspace ws) {
            int nr = kernel.nr();
            int mr = MicroKernel.MR;
            float[] packA = ws.a(roundUp(Math.min(MC, mb), mr) * Math.min(KC, k));
            float[] packB = ws.b(roundUp(Math.min(NC, nb), nr) * Math.min(KC, k));
            float[] tile = ws.tile(mr * nr);
            // Equal depth slices of at most KC (576 = 3 × 192, not 256 + 256 + 64): each slice
            // costs a merge of every tile into C, so a short last slice would be the least efficient.
            int kStep = ceilDiv(k, ceilDiv(k, KC));
            for (int jc = 0; jc < nb; jc += NC) {
                int ncb = Math.min(NC, nb - jc);
                for (int pc = 0; pc < k; pc += kStep) {
                    int kb = Math.min(kStep, k - pc);
                    // Later depth slices add to what the first one wrote.
                    float betaNow = pc == 0 ? beta : 1f;
                    pack(kernel, b, bOff + (j0 + jc) * bCol + pc * bDepth, bCol, bDepth, ncb, kb, nr, packB);
                    for (int ic = 0; ic < mb; ic += MC) {
                        int mcb = Math.min(MC, mb - ic);
                        pack(kernel, a, aOff + (i0 + ic) * aRow + pc * aDepth, aRow, aDepth, mcb, kb, mr, packA);
                        multiplyPacked(mcb, ncb, kb, packA, packB, betaNow, cOff + (i0 + ic) * ldc + j0 + jc, tile);
                    }
                }
            }
        }

        /**
         * The mcb × ncb block of C at cIdx from packed A (mcb × kb) and B (kb × ncb): tile by tile,
         * columns outer so one B sliver stays in L1 while the A slivers pass. The kernel writes each
         * tile to the scratch buffer, then merges it into C with alpha and beta, clipped to C at
         * the edges.
         */
        private void multiplyPacked(int mcb, int ncb, int kb, float[] packA, float[] packB,
                                    float betaNow, int cIdx, float[] tile) {
            int nr = kernel.nr();
            int mr = MicroKernel.MR;
            for (int jr = 0; jr < ncb; jr += nr) {
                int cols = Math.min(nr, ncb - jr);
                for (int ir = 0; ir < mcb; ir += mr) {
                    kernel.multiply(kb, packA, ir * kb, packB, jr * kb, tile);
                    kernel.merge(tile, Math.min(mr, mcb - ir), cols, alpha, betaNow, c, cIdx + ir * ldc + jr, ldc);
                }
            }
        }
    }

    /**
     * Packs an xb × kb block of a strided matrix (element (x, p) at src[off + x·sx + p·sp]) into
     * slivers of r rows: dst[(x / r)·r·kb + p·r + x % r], zero-padded up to a multiple of r rows.
     * Used for op(A) (x = i, r = MR) and op(B) (x = j, r = nr): the loop order follows whichever
     * stride is 1, so the source is read sequentially in all four transpose cases. The transposing
     * case (A not transposed, B transposed) goes row by row through the kernel's packRow.
     */
    static void pack(MicroKernel kernel, float[] src, int off, int sx, int sp, int xb, int kb, int r, float[] dst) {
        for (int x0 = 0, d = 0; x0 < xb; x0 += r, d += r * kb) {
            int rows = Math.min(r, xb - x0);
            if (sx == 1) {
                for (int p = 0; p < kb; p++) {
                    int t = d + p * r;
                    System.arraycopy(src, off + x0 + p * sp, dst, t, rows);
                    Arrays.fill(dst, t + rows, t + r, 0f);
                }
            } else {
                for (int x = 0; x < rows; x++) {
                    kernel.packRow(src, off + (x0 + x) * sx, sp, kb, dst, d + x, r);
                }
                for (int x = rows; x < r; x++) {
                    for (int p = 0; p < kb; p++) {
                        dst[d + p * r + x] = 0f;
                    }
                }
            }
        }
    }

    /** C = beta · C (k = 0: the product is empty); C is not read when beta is 0. */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = cOff + i * ldc, end = j + n; j < end; j++) {
                c[j] = beta == 0f ? 0f : beta * c[j];
            }
        }
    }

    private static void checkMatrix(String name, float[] x, int off, int rows, int cols, int ld) {
        if (ld < cols) {
            throw new IllegalArgumentException(name + ": leading dimension " + ld + " < width " + cols);
        }
        long last = off + (long) (rows - 1) * ld + cols;
        if (off < 0 || last > x.length) {
            throw new IndexOutOfBoundsException(name + ": " + rows + " × " + cols + " with leading dimension "
                    + ld + " from offset " + off + " does not fit in " + x.length + " floats");
        }
    }

    private static MicroKernel chooseKernel() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            return new VectorKernel();
        }
        System.getLogger(Gemm.class.getName()).log(System.Logger.Level.WARNING,
                "jdk.incubator.vector is not enabled (java --add-modules jdk.incubator.vector):"
                        + " matrix multiplies run some 30 times slower");
        return new ScalarKernel();
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int multiple) {
        return ceilDiv(x, multiple) * multiple;
    }

    /**
     * One thread's packing buffers, grown on demand and kept for the thread's next calls (at most
     * MC·KC + KC·NC floats, about 4.2 MiB, per thread that ever called or helped).
     */
    private static final class Workspace {
        private float[] a = new float[0];
        private float[] b = new float[0];
        private float[] tile = new float[0];

        float[] a(int size) {
            return a = atLeast(a, size);
        }

        float[] b(int size) {
            return b = atLeast(b, size);
        }

        float[] tile(int size) {
            return tile = atLeast(tile, size);
        }

        private static float[] atLeast(float[] x, int size) {
            return x.length >= size ? x : new float[size];
        }
    }
}
