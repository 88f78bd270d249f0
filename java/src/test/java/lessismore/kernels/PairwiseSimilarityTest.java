package lessismore.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link PairwiseSimilarity} against an independent brute force (the whole n x n matrix, dot
 * products summed in double from the last k down, every op derived by sorting the pairs) and on
 * inputs whose cosines are exact in float (components +-1/2 or +-1/4 of unit vectors), where ties
 * and thresholds hit exactly.
 */
class PairwiseSimilarityTest {
    /** Seeded unit vectors (n, d) with planted near duplicates of earlier rows. */
    static float[] embeddings(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            boolean copy = i > 0 && r.nextInt(4) == 0;
            int src = copy ? r.nextInt(i) : -1;
            double norm = 0;
            for (int k = 0; k < d; k++) {
                double v = copy ? x[src * d + k] + 0.05 * r.nextGaussian() : r.nextGaussian();
                x[i * d + k] = (float) v;
                norm += v * v;
            }
            float s = (float) (1 / Math.sqrt(norm));
            for (int k = 0; k < d; k++) {
                x[i * d + k] *= s;
            }
        }
        return x;
    }

    /** Volume ids: runs of random length, ids not sorted (so ranges of rows interleave ids). */
    static int[] volumes(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] v = new int[n];
        int id = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            if (r.nextInt(12) == 0) {
                id = r.nextInt(5);
            }
            v[i] = id;
        }
        return v;
    }

    /**
     * Unit vectors with four components +-1/2 (the rest 0) at random places, or sixteen +-1/4: every
     * product and partial sum is a multiple of 1/16 below 2, exact in float and double.
     */
    static float[] exactVectors(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            boolean quarters = d >= 16 && r.nextBoolean();
            int nonzero = quarters ? 16 : 4;
            float mag = quarters ? 0.25f : 0.5f;
            int placed = 0;
            while (placed < nonzero) {
                int k = r.nextInt(Math.min(d, 24));  // few places, so many pairs share them
                if (x[i * d + k] == 0) {
                    x[i * d + k] = r.nextBoolean() ? mag : -mag;
                    placed++;
                }
            }
        }
        return x;
    }

    private record Pair(int i, int j, float v) {
    }

    /** Every ordered pair (i, j), i != j, same volume, with a cos summed in double from k = d-1 down. */
    private static List<Pair> allPairs(float[] x, int n, int d, int[] volume) {
        List<Pair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j || (volume != null && volume[i] != volume[j])) {
                    continue;
                }
                double s = 0;
                for (int k = d - 1; k >= 0; k--) {
                    s += (double) x[j * d + k] * x[i * d + k];
                }
                out.add(new Pair(i, j, (float) s));
            }
        }
        return out;
    }

    private static final Comparator<Pair> BEST_FIRST =
            Comparator.comparingInt(Pair::i).thenComparing(Pair::v, Comparator.reverseOrder()).thenComparingInt(Pair::j);

    /** Checks all three float ops of one input against the brute force. */
    private static void checkAgainstBruteForce(float[] x, int n, int d, int[] volume, float tau, int k, float tol) {
        List<Pair> pairs = allPairs(x, n, d, volume);
        pairs.sort(BEST_FIRST);

        var me = PairwiseSimilarity.maxEarlier(x, n, d, volume);
        for (int i = 0; i < n; i++) {
            final int row = i;
            Pair best = pairs.stream().filter(p -> p.i() == row && p.j() < row).findFirst().orElse(null);
            if (best == null) {
                assertEquals(Float.NEGATIVE_INFINITY, me.max()[i], "row " + i);
                assertEquals(-1, me.argmax()[i], "row " + i);
            } else {
                assertEquals(best.v(), me.max()[i], tol, "row " + i);
                assertEquals(best.j(), me.argmax()[i], "row " + i);
            }
        }

        var edges = PairwiseSimilarity.edgesAtLeast(x, n, d, tau, volume);
        List<Pair> want = pairs.stream().filter(p -> p.j() < p.i() && p.v() >= tau)
                .sorted(Comparator.comparingInt(Pair::i).thenComparingInt(Pair::j)).toList();
        assertEquals(want.size(), edges.count());
        for (int e = 0; e < want.size(); e++) {
            assertEquals(want.get(e).i(), edges.row()[e]);
            assertEquals(want.get(e).j(), edges.col()[e]);
            assertEquals(want.get(e).v(), edges.score()[e], tol);
        }

        var top = PairwiseSimilarity.topK(x, n, d, k, volume);
        assertEquals(k, top.k());
        for (int i = 0; i < n; i++) {
            final int row = i;
            List<Pair> mine = pairs.stream().filter(p -> p.i() == row).limit(k).toList();
            for (int q = 0; q < k; q++) {
                if (q < mine.size()) {
                    assertEquals(mine.get(q).j(), top.index()[i * k + q], "row " + i + " rank " + q);
                    assertEquals(mine.get(q).v(), top.score()[i * k + q], tol);
                } else {
                    assertEquals(-1, top.index()[i * k + q]);
                    assertEquals(Float.NEGATIVE_INFINITY, top.score()[i * k + q]);
                }
            }
        }
    }

    /**
     * A threshold halfway in the widest gap between sorted scores near the top, so that summation
     * order (1 ulp) cannot move a pair across it.
     */
    private static float safeTau(float[] x, int n, int d) {
        List<Pair> pairs = allPairs(x, n, d, null);
        float[] v = new float[pairs.size()];
        for (int p = 0; p < v.length; p++) {
            v[p] = pairs.get(p).v();
        }
        java.util.Arrays.sort(v);
        int from = v.length * 9 / 10;
        float bestGap = -1;
        float tau = 0;
        for (int p = from; p + 1 < v.length; p++) {
            if (v[p + 1] - v[p] > bestGap) {
                bestGap = v[p + 1] - v[p];
                tau = (v[p] + v[p + 1]) / 2;
            }
        }
        return tau;
    }

    @Test
    void randomEmbeddingsMatchBruteForce() {
        for (int[] nd : new int[][] {{1, 8}, {2, 3}, {37, 16}, {90, 33}}) {
            int n = nd[0];
            int d = nd[1];
            float[] x = embeddings(n, d, 11 + n);
            float tau = n > 2 ? safeTau(x, n, d) : 0.1f;
            checkAgainstBruteForce(x, n, d, null, tau, 5, 1e-6f);
            checkAgainstBruteForce(x, n, d, volumes(n, 3 + n), tau, 3, 1e-6f);
        }
    }

    @Test
    void exactCosinesTieAndHitTheThreshold() {
        int n = 120;
        int d = 32;
        float[] x = exactVectors(n, d, 5);
        for (float tau : new float[] {0.5f, 0.25f, 1.0f}) {
            checkAgainstBruteForce(x, n, d, null, tau, 8, 0f);
            checkAgainstBruteForce(x, n, d, volumes(n, 9), tau, 32, 0f);
        }
        // Exactness of the fixture itself: scores are multiples of 1/16 and ties really occur.
        var me = PairwiseSimilarity.maxEarlier(x, n, d, null);
        int ties = 0;
        for (int i = 1; i < n; i++) {
            assertEquals(0f, me.max()[i] * 16 - Math.round(me.max()[i] * 16), "row " + i);
            for (int j = me.argmax()[i] + 1; j < i; j++) {
                if (PairwiseSimilarity.cos(x, d, i, j) == me.max()[i]) {
                    ties++;
                }
            }
        }
        assertTrue(ties > 10, "fixture has ties: " + ties);
        var edges = PairwiseSimilarity.edgesAtLeast(x, n, d, 0.5f, null);
        int onTau = 0;
        for (float s : edges.score()) {
            onTau += s == 0.5f ? 1 : 0;
        }
        assertTrue(onTau > 0, "some edges sit exactly on tau");
    }

    @Test
    void plantedDuplicatesAndVolumeBoundaries() {
        int d = 8;
        int n = 6;
        float[] x = embeddings(n, d, 1);
        System.arraycopy(x, 1 * d, x, 4 * d, d);  // row 4 = row 1 (cos 1)
        System.arraycopy(x, 1 * d, x, 5 * d, d);  // row 5 = row 1 = row 4
        var me = PairwiseSimilarity.maxEarlier(x, n, d, null);
        assertEquals(1, me.argmax()[4]);
        assertEquals(1, me.argmax()[5], "tie between rows 1 and 4 goes to the smaller");
        int[] volume = {0, 0, 0, 1, 1, 1};
        me = PairwiseSimilarity.maxEarlier(x, n, d, volume);
        assertEquals(-1, me.argmax()[0]);
        assertEquals(-1, me.argmax()[3], "first row of a volume has no earlier candidate");
        assertEquals(Float.NEGATIVE_INFINITY, me.max()[3]);
        assertEquals(3, me.argmax()[4], "row 1 is in another volume");
        assertEquals(4, me.argmax()[5]);
        var edges = PairwiseSimilarity.edgesAtLeast(x, n, d, 0.999f, null);
        assertArrayEquals(new int[] {4, 5, 5}, edges.row());
        assertArrayEquals(new int[] {1, 1, 4}, edges.col());
        edges = PairwiseSimilarity.edgesAtLeast(x, n, d, 0.999f, volume);
        assertArrayEquals(new int[] {5}, edges.row());
        assertArrayEquals(new int[] {4}, edges.col());
    }

    @Test
    void hammingMatchesBruteForce() {
        SplittableRandom r = new SplittableRandom(4);
        for (int words = 1; words <= 4; words++) {
            int n = 70;
            long[] h = new long[n * words];
            for (int i = 0; i < n; i++) {
                for (int w = 0; w < words; w++) {
                    // near copies of an earlier row: a few flipped bits
                    h[i * words + w] = i > 0 && r.nextInt(3) == 0
                            ? h[r.nextInt(i) * words + w] ^ (1L << r.nextInt(64)) : r.nextLong();
                }
            }
            int[] volume = volumes(n, words);
            for (int[] vol : new int[][] {null, volume}) {
                for (int t : new int[] {0, 3, 30 * words}) {
                    var edges = PairwiseSimilarity.hammingAtMost(h, n, words, t, vol);
                    int e = 0;
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < i; j++) {
                            if (vol != null && vol[i] != vol[j]) {
                                continue;
                            }
                            int dist = 0;
                            for (int w = 0; w < words; w++) {
                                dist += Long.toBinaryString(h[i * words + w] ^ h[j * words + w]).replace("0", "").length();
                            }
                            if (dist <= t) {
                                assertEquals(i, edges.row()[e]);
                                assertEquals(j, edges.col()[e]);
                                assertEquals(dist, edges.score()[e]);
                                e++;
                            }
                        }
                    }
                    assertEquals(e, edges.count(), "words " + words + " t " + t);
                }
            }
        }
    }

    @Test
    void rejectsBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> PairwiseSimilarity.maxEarlier(new float[5], 2, 3, null));
        assertThrows(IllegalArgumentException.class, () -> PairwiseSimilarity.topK(new float[6], 2, 3, 33, null));
        assertThrows(IllegalArgumentException.class,
                () -> PairwiseSimilarity.hammingAtMost(new long[10], 2, 5, 1, null));
        assertThrows(IllegalArgumentException.class,
                () -> PairwiseSimilarity.edgesAtLeast(new float[6], 2, 3, 0f, new int[1]));
    }
}
