package lessismore.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import lessismore.cuda.GpuTest;
import lessismore.kernels.CudaPairwiseSimilarity.Precision;
import lessismore.kernels.CudaPairwiseSimilarity.Variant;
import lessismore.kernels.PairwiseSimilarity.Edges;
import lessismore.kernels.PairwiseSimilarity.MaxEarlier;
import lessismore.kernels.PairwiseSimilarity.TopK;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CudaPairwiseSimilarity} on a real GPU. Every device variant and precision must equal, bit
 * for bit, a Java emulation of the device's fp32 arithmetic (the fma chain over the padded row,
 * {@link Math#fma(float, float, float)} rounds exactly as CUDA's fmaf), and agree with the
 * double-precision reference {@link PairwiseSimilarity} within the documented tolerance. Sizes
 * include 1, 2 and non-multiples of the 128-row tile. Skips (saying why) without a GPU.
 */
class CudaPairwiseSimilarityTest extends GpuTest {
    private static CudaPairwiseSimilarity simple;
    private static CudaPairwiseSimilarity tiled;

    private static final int[][] SIZES = {{1, 16}, {2, 7}, {127, 32}, {129, 100}, {300, 64}, {777, 33}};

    /** Runs after {@link GpuTest}'s check, so a context is open. */
    @BeforeEach
    void openVariants() {
        if (simple == null) {
            simple = new CudaPairwiseSimilarity(ctx, Variant.SIMPLE);
            tiled = new CudaPairwiseSimilarity(ctx);
        }
    }

    @AfterAll
    static void closeVariants() {
        if (simple != null) {
            simple.close();
            tiled.close();
            simple = null;
            tiled = null;
        }
    }

    /** The device's fp32 cosine: fma chain over k = 0..ld-1 of the zero-padded rows. */
    private static float chain(float[] x, int d, int i, int j) {
        int ld = CudaPairwiseSimilarity.paddedWidth(d);
        float acc = 0f;
        for (int k = 0; k < ld; k++) {
            float a = k < d ? x[i * d + k] : 0f;
            float b = k < d ? x[j * d + k] : 0f;
            acc = Math.fma(a, b, acc);
        }
        return acc;
    }

    /** Precomputed chain cosines (n x n) for the emulated ops. */
    private static float[] chainMatrix(float[] x, int n, int d) {
        float[] c = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                c[i * n + j] = chain(x, d, i, j);
                c[j * n + i] = c[i * n + j];
            }
        }
        return c;
    }

    private static boolean same(int[] volume, int i, int j) {
        return volume == null || volume[i] == volume[j];
    }

    private static MaxEarlier emulatedMax(float[] c, int n, int[] volume) {
        float[] max = new float[n];
        int[] arg = new int[n];
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        Arrays.fill(arg, -1);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (same(volume, i, j) && (arg[i] < 0 || c[i * n + j] > max[i])) {
                    max[i] = c[i * n + j];
                    arg[i] = j;
                }
            }
        }
        return new MaxEarlier(max, arg);
    }

    private static Edges emulatedEdges(float[] c, int n, float tau, int[] volume) {
        List<int[]> e = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (same(volume, i, j) && c[i * n + j] >= tau) {
                    e.add(new int[] {i, j});
                }
            }
        }
        int[] r = new int[e.size()];
        int[] col = new int[e.size()];
        float[] s = new float[e.size()];
        for (int q = 0; q < r.length; q++) {
            r[q] = e.get(q)[0];
            col[q] = e.get(q)[1];
            s[q] = c[r[q] * n + col[q]];
        }
        return new Edges(r, col, s);
    }

    private static TopK emulatedTopK(float[] c, int n, int k, int[] volume) {
        int[] index = new int[n * k];
        float[] score = new float[n * k];
        for (int i = 0; i < n; i++) {
            final int row = i;
            Integer[] js = new Integer[n];
            for (int j = 0; j < n; j++) {
                js[j] = j;
            }
            Integer[] cand = Arrays.stream(js).filter(j -> j != row && same(volume, row, j)).sorted((a, b) -> {
                int cmp = Float.compare(c[row * n + b], c[row * n + a]);
                return cmp != 0 ? cmp : Integer.compare(a, b);
            }).toArray(Integer[]::new);
            for (int q = 0; q < k; q++) {
                index[i * k + q] = q < cand.length ? cand[q] : -1;
                score[i * k + q] = q < cand.length ? c[i * n + cand[q]] : Float.NEGATIVE_INFINITY;
            }
        }
        return new TopK(k, index, score);
    }

    private static void assertSame(MaxEarlier want, MaxEarlier got, String what) {
        assertArrayEquals(want.argmax(), got.argmax(), what + " argmax");
        assertArrayEquals(want.max(), got.max(), what + " max");
    }

    private static void assertSame(Edges want, Edges got, String what) {
        assertEquals(want.count(), got.count(), what + " count");
        assertArrayEquals(want.row(), got.row(), what + " row");
        assertArrayEquals(want.col(), got.col(), what + " col");
        assertArrayEquals(want.score(), got.score(), what + " score");
    }

    /** A threshold with a realistic share of pairs above it (top 2 %). */
    private static float tauFor(float[] c, int n) {
        if (n < 3) {
            return 0f;
        }
        float[] lower = new float[n * (n - 1) / 2];
        int q = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                lower[q++] = c[i * n + j];
            }
        }
        Arrays.sort(lower);
        return lower[lower.length * 98 / 100];
    }

    @Test
    void maxEarlierEqualsTheFp32ChainInEveryVariant() {
        for (int[] nd : SIZES) {
            int n = nd[0];
            int d = nd[1];
            float[] x = PairwiseSimilarityTest.embeddings(n, d, 100 + n);
            float[] c = chainMatrix(x, n, d);
            for (int[] volume : new int[][] {null, PairwiseSimilarityTest.volumes(n, n)}) {
                String what = "n=" + n + " d=" + d + (volume == null ? "" : " volumes");
                MaxEarlier want = emulatedMax(c, n, volume);
                assertSame(want, simple.maxEarlier(x, n, d, volume, Precision.FP32), what + " simple");
                assertSame(want, tiled.maxEarlier(x, n, d, volume, Precision.FP32), what + " tiled fp32");
                assertSame(want, tiled.maxEarlier(x, n, d, volume, Precision.BF16), what + " bf16");
                MaxEarlier ref = PairwiseSimilarity.maxEarlier(x, n, d, volume);
                for (int i = 0; i < n; i++) {
                    assertEquals(ref.max()[i], want.max()[i], d * 0x1p-24 + 1e-7, what + " row " + i + " vs reference");
                }
            }
        }
    }

    @Test
    void edgesEqualTheFp32ChainInEveryVariant() {
        for (int[] nd : SIZES) {
            int n = nd[0];
            int d = nd[1];
            float[] x = PairwiseSimilarityTest.embeddings(n, d, 200 + n);
            float[] c = chainMatrix(x, n, d);
            float tau = tauFor(c, n);
            for (int[] volume : new int[][] {null, PairwiseSimilarityTest.volumes(n, n + 1)}) {
                String what = "n=" + n + " d=" + d + " tau=" + tau + (volume == null ? "" : " volumes");
                Edges want = emulatedEdges(c, n, tau, volume);
                assertSame(want, simple.edgesAtLeast(x, n, d, tau, volume, Precision.FP32), what + " simple");
                assertSame(want, tiled.edgesAtLeast(x, n, d, tau, volume, Precision.FP32), what + " tiled fp32");
                assertSame(want, tiled.edgesAtLeast(x, n, d, tau, volume, Precision.BF16), what + " bf16");
            }
        }
    }

    @Test
    void topKEqualsTheFp32Chain() {
        for (int[] nd : SIZES) {
            int n = nd[0];
            int d = nd[1];
            float[] x = PairwiseSimilarityTest.embeddings(n, d, 300 + n);
            float[] c = chainMatrix(x, n, d);
            for (int k : new int[] {1, 5, 32}) {
                for (int[] volume : new int[][] {null, PairwiseSimilarityTest.volumes(n, k)}) {
                    TopK want = emulatedTopK(c, n, k, volume);
                    TopK got = tiled.topK(x, n, d, k, volume);
                    String what = "n=" + n + " d=" + d + " k=" + k + (volume == null ? "" : " volumes");
                    assertArrayEquals(want.index(), got.index(), what);
                    assertArrayEquals(want.score(), got.score(), what);
                }
            }
        }
    }

    /** Cosines exact in float: ties and tau hits must match the reference exactly. */
    @Test
    void exactCosinesMatchTheReferenceExactly() {
        int n = 400;
        int d = 32;
        float[] x = PairwiseSimilarityTest.exactVectors(n, d, 7);
        int[] volume = PairwiseSimilarityTest.volumes(n, 8);
        for (int[] vol : new int[][] {null, volume}) {
            MaxEarlier ref = PairwiseSimilarity.maxEarlier(x, n, d, vol);
            for (CudaPairwiseSimilarity s : new CudaPairwiseSimilarity[] {simple, tiled}) {
                for (Precision p : Precision.values()) {
                    String what = s.variant() + " " + p + (vol == null ? "" : " volumes");
                    assertSame(ref, s.maxEarlier(x, n, d, vol, p), what);
                    assertSame(PairwiseSimilarity.edgesAtLeast(x, n, d, 0.5f, vol),
                            s.edgesAtLeast(x, n, d, 0.5f, vol, p), what + " edges at 0.5");
                }
            }
            TopK ref8 = PairwiseSimilarity.topK(x, n, d, 8, vol);
            TopK got8 = tiled.topK(x, n, d, 8, vol);
            assertArrayEquals(ref8.index(), got8.index());
            assertArrayEquals(ref8.score(), got8.score());
        }
    }

    /**
     * Hundreds of near-identical rows: the bf16 candidate lists overflow (the restricted fp32 rescan of
     * those rows) and the edge count exceeds the first buffer (a second run with room for all).
     */
    @Test
    void nearDuplicatesOverflowListsAndEdgeBuffers() {
        int n = 1500;
        int d = 48;
        SplittableRandom r = new SplittableRandom(9);
        float[] base = PairwiseSimilarityTest.embeddings(1, d, 1);
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int k = 0; k < d; k++) {
                x[i * d + k] = base[k] + (float) (1e-3 * r.nextGaussian());
                norm += (double) x[i * d + k] * x[i * d + k];
            }
            for (int k = 0; k < d; k++) {
                x[i * d + k] /= (float) Math.sqrt(norm);
            }
        }
        float[] c = chainMatrix(x, n, d);
        MaxEarlier want = emulatedMax(c, n, null);
        assertSame(want, tiled.maxEarlier(x, n, d, null, Precision.BF16), "bf16 near duplicates");
        assertSame(want, tiled.maxEarlier(x, n, d, null, Precision.FP32), "fp32 near duplicates");
        float tau = 0.99f;
        Edges e = emulatedEdges(c, n, tau, null);
        assertTrue(e.count() > 1 << 16, "more edges than the first buffer holds: " + e.count());
        assertSame(e, tiled.edgesAtLeast(x, n, d, tau, null, Precision.FP32), "fp32 edges rerun");
        assertSame(e, tiled.edgesAtLeast(x, n, d, tau, null, Precision.BF16), "bf16 edges rerun");
        assertSame(e, simple.edgesAtLeast(x, n, d, tau, null, Precision.FP32), "simple edges rerun");

        // Mixed: every third row a near copy of one base (those lists overflow), the rest random.
        int m = 900;
        float[] y = PairwiseSimilarityTest.embeddings(m, d, 3);
        for (int i = 0; i < m; i += 3) {
            System.arraycopy(x, (i % n) * d, y, i * d, d);
        }
        float[] cy = chainMatrix(y, m, d);
        assertSame(emulatedMax(cy, m, null), tiled.maxEarlier(y, m, d, null, Precision.BF16), "bf16 mixed overflow");
    }

    @Test
    void hammingEqualsTheReference() {
        SplittableRandom r = new SplittableRandom(12);
        for (int n : new int[] {1, 2, 129, 1000}) {
            for (int words = 1; words <= 4; words++) {
                long[] h = new long[n * words];
                for (int i = 0; i < n; i++) {
                    for (int w = 0; w < words; w++) {
                        h[i * words + w] = i > 0 && r.nextInt(3) == 0
                                ? h[r.nextInt(i) * words + w] ^ (1L << r.nextInt(64)) ^ (1L << r.nextInt(64))
                                : r.nextLong();
                    }
                }
                int[] volume = PairwiseSimilarityTest.volumes(n, words);
                for (int[] vol : new int[][] {null, volume}) {
                    for (int t : new int[] {0, 4, 24 * words}) {
                        Edges want = PairwiseSimilarity.hammingAtMost(h, n, words, t, vol);
                        String what = "n=" + n + " words=" + words + " t=" + t + (vol == null ? "" : " volumes");
                        assertSame(want, simple.hammingAtMost(h, n, words, t, vol), what + " simple");
                        assertSame(want, tiled.hammingAtMost(h, n, words, t, vol), what + " tiled");
                    }
                }
            }
        }
    }
}
