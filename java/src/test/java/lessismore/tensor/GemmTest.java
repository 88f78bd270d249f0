package lessismore.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Gemm#sgemm} against {@link GemmReference} on fresh random inputs (the seed is in every
 * failure message), for both micro-kernels, all four transpose cases, alpha/beta, offsets and
 * leading dimensions wider than the matrices, one and several threads.
 *
 * <p>Tolerance: both results are float sums of the same k products in different orders (ours in
 * blocks of KC with fused multiply-adds, the reference left to right). Each is within
 * γ_k·(|A|·|B|)_ij of the exact value, γ_k = k·u/(1 − k·u) with u = 2⁻²⁴ (Higham, Accuracy and
 * Stability of Numerical Algorithms, §3.1), so they differ by at most 2·γ_k·(|A|·|B|)_ij, plus a
 * few roundings for alpha and beta. We allow (2k + 4)·u·(|alpha|·(|A|·|B|)_ij + |beta·C_ij|) per
 * element: a rigorous bound (so no flaky failures), yet a misplaced or missing product is off by
 * about |a_ip·b_pj|, orders of magnitude more for the k ≤ 600 used here.
 */
class GemmTest {
    private static final double U = 0x1p-24;
    private static final long SEED = System.nanoTime();

    /** Shapes (m, n, k): 1, primes, exact and off-by-one multiples of MR=6, NR=16/32/8, KC=256, MC=240. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 7, 3}, {5, 1, 2}, {2, 3, 1}, {6, 32, 8}, {7, 33, 17}, {12, 64, 256},
        {13, 31, 257}, {37, 97, 29}, {241, 19, 5}, {3, 130, 513}, {61, 67, 71}, {240, 96, 40},
    };

    @Test
    void matchesReferenceForAllTransposesAndKernels() {
        Random rnd = new Random(SEED);
        MicroKernel[] kernels = {new VectorKernel(), new ScalarKernel()};
        for (MicroKernel kernel : kernels) {
            for (int[] s : SHAPES) {
                for (int t = 0; t < 4; t++) {
                    check(kernel, 1, t >= 2, (t & 1) == 1, s[0], s[1], s[2], rnd);
                }
            }
        }
    }

    @Test
    void matchesReferenceWithSeveralThreads() {
        Random rnd = new Random(SEED + 1);
        // Large enough to be split: by columns, by rows, both, and an odd thread count.
        int[][] shapes = {{64, 700, 150}, {400, 40, 300}, {203, 517, 300}, {131, 263, 601}};
        for (int[] s : shapes) {
            for (int threads : new int[] {2, 3}) {
                for (int t = 0; t < 4; t++) {
                    check(new VectorKernel(), threads, t >= 2, (t & 1) == 1, s[0], s[1], s[2], rnd);
                }
            }
        }
    }

    @Test
    void widerThanOnePackedSliceOfB() {
        // n > NC = 4096: the column loop over packed B slices.
        Random rnd = new Random(SEED + 2);
        check(new VectorKernel(), 1, false, true, 7, Gemm.NC + 37, 11, rnd);
        check(new VectorKernel(), 2, true, false, 13, 2 * Gemm.NC + 5, 300, rnd);
    }

    @Test
    void publicEntryPointUsesTheThreadSetting() {
        Random rnd = new Random(SEED + 3);
        int m = 97;
        int n = 301;
        int k = 203;
        float[] a = randoms(m * k, rnd);
        float[] b = randoms(k * n, rnd);
        float[] expected = new float[m * n];
        GemmReference.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, expected, 0, n);
        int before = Gemm.threads();
        try {
            for (int threads : new int[] {1, 2}) {
                Gemm.setThreads(threads);
                assertEquals(threads, Gemm.threads());
                float[] c = new float[m * n];
                Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
                for (int i = 0; i < c.length; i++) {
                    assertEquals(expected[i], c[i], 2 * k * U * 1.5 * k, "seed " + SEED + " element " + i);
                }
            }
        } finally {
            Gemm.setThreads(before);
        }
        assertThrows(IllegalArgumentException.class, () -> Gemm.setThreads(0));
    }

    @Test
    void concurrentCallersShareThePool() throws Exception {
        // Several threads (e.g. data-parallel workers) each calling a multi-threaded sgemm at once.
        Random rnd = new Random(SEED + 4);
        int callers = 4;
        Thread[] threads = new Thread[callers];
        Throwable[] failures = new Throwable[callers];
        long[] seeds = new long[callers];
        for (int t = 0; t < callers; t++) {
            seeds[t] = rnd.nextLong();
            int id = t;
            threads[t] = new Thread(() -> {
                try {
                    Random own = new Random(seeds[id]);
                    for (int rep = 0; rep < 3; rep++) {
                        check(new VectorKernel(), 2, id % 2 == 1, id >= 2, 150 + id, 300 - id, 200, own);
                    }
                } catch (Throwable e) {
                    failures[id] = e;
                }
            });
            threads[t].start();
        }
        for (int t = 0; t < callers; t++) {
            threads[t].join();
            if (failures[t] != null) {
                throw new AssertionError("caller " + t, failures[t]);
            }
        }
    }

    @Test
    void gridPacksTheLeastForTheThreads() {
        // Wide and short (conv1): split the columns, A (64 rows) is cheap to pack twice.
        assertArrayEquals(new int[] {1, 2}, Gemm.grid(64, 65536, 2));
        // Tall and narrow (layer4): split the rows, B (256 columns) is packed twice.
        assertArrayEquals(new int[] {2, 1}, Gemm.grid(512, 256, 2));
        // Too small to split along either side.
        assertArrayEquals(new int[] {1, 1}, Gemm.grid(40, 100, 2));
        assertArrayEquals(new int[] {1, 3}, Gemm.grid(48, 4096, 3));
    }

    @Test
    void emptyProductScalesC() {
        float[] c = {1f, 2f, 3f, 4f, 5f};
        Gemm.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 0, new float[0], 0, 2, 0.5f, c, 1, 2);
        assertEquals(1f, c[0]);
        assertEquals(1f, c[1]);
        assertEquals(2.5f, c[4]);
        float[] nan = {Float.NaN, Float.NaN};
        Gemm.sgemm(true, true, 1, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 0, 0f, nan, 0, 2);
        assertEquals(0f, nan[0]);
        assertEquals(0f, nan[1]);
        Gemm.sgemm(false, false, 0, 5, 3, 1f, new float[0], 0, 3, new float[15], 0, 5, 0f, new float[0], 0, 5);
    }

    @Test
    void rejectsBadLayouts() {
        float[] x = new float[12];
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, -1, 2, 2, 1f, x, 0, 2, x, 0, 2, 0f, x, 0, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, x, 0, 2, x, 0, 2, 0f, x, 0, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(true, false, 3, 2, 2, 1f, x, 0, 2, x, 0, 2, 0f, x, 0, 2));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Gemm.sgemm(false, false, 3, 3, 3, 1f, x, 4, 3, x, 0, 3, 0f, x, 0, 3));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Gemm.sgemm(false, true, 2, 2, 2, 1f, x, 0, 2, x, 0, 2, 0f, x, -1, 2));
    }

    /**
     * One random case: random alpha (sometimes 1), beta (0, 1 or other), offsets and padded leading
     * dimensions; C starts random (NaN when beta is 0, which must not leak), and everything outside
     * the m × n window of C must stay as it was.
     */
    private static void check(MicroKernel kernel, int threads, boolean transA, boolean transB,
                              int m, int n, int k, Random rnd) {
        float alpha = rnd.nextBoolean() ? 1f : (float) (rnd.nextDouble() * 4 - 2);
        float beta = switch (rnd.nextInt(3)) {
            case 0 -> 0f;
            case 1 -> 1f;
            default -> (float) (rnd.nextDouble() * 4 - 2);
        };
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        int lda = aCols + rnd.nextInt(3) * rnd.nextInt(9);
        int ldb = bCols + rnd.nextInt(3) * rnd.nextInt(9);
        int ldc = n + rnd.nextInt(3) * rnd.nextInt(9);
        int aOff = rnd.nextInt(5);
        int bOff = rnd.nextInt(5);
        int cOff = rnd.nextInt(5);
        float[] a = randoms(aOff + (aRows - 1) * lda + aCols + rnd.nextInt(3), rnd);
        float[] b = randoms(bOff + (bRows - 1) * ldb + bCols + rnd.nextInt(3), rnd);
        float[] c0 = randoms(cOff + (m - 1) * ldc + n + rnd.nextInt(3), rnd);
        if (beta == 0f) {
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(c0, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
            }
        }
        float[] expected = c0.clone();
        GemmReference.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, expected, cOff, ldc);
        float[] bound = new float[m * n];
        GemmReference.sgemm(transA, transB, m, n, k, 1f, abs(a), aOff, lda, abs(b), bOff, ldb, 0f, bound, 0, n);
        float[] c = c0.clone();
        Gemm.sgemm(kernel, threads, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);

        String what = String.format("seed %d, %s kernel, %d threads, transA=%b transB=%b m=%d n=%d k=%d"
                        + " alpha=%s beta=%s offsets %d/%d/%d ld %d/%d/%d", SEED, kernel.getClass().getSimpleName(),
                threads, transA, transB, m, n, k, alpha, beta, aOff, bOff, cOff, lda, ldb, ldc);
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - cOff;
            int i = Math.floorDiv(rel, ldc);
            int j = rel - i * ldc;
            boolean inside = rel >= 0 && i < m && j < n;
            if (!inside) {
                if (Float.floatToRawIntBits(c[idx]) != Float.floatToRawIntBits(c0[idx])) {
                    fail(what + ": wrote outside C at index " + idx);
                }
                continue;
            }
            double cBefore = beta == 0f ? 0 : Math.abs(beta * c0[idx]);
            double tol = (2.0 * k + 4) * U * (Math.abs(alpha) * bound[i * n + j] + cBefore);
            if (!(Math.abs(c[idx] - expected[idx]) <= tol)) {
                fail(what + ": C[" + i + "][" + j + "] = " + c[idx] + ", reference " + expected[idx]
                        + ", tolerance " + tol);
            }
        }
    }

    private static float[] randoms(int size, Random rnd) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }

    private static float[] abs(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.abs(x[i]);
        }
        return y;
    }
}
