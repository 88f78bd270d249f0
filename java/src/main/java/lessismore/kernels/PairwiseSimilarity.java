package lessismore.kernels;

import java.util.Arrays;
import java.util.Objects;

/**
 * Plain Java reference of the pairwise similarity kernels ({@code cuda-kernels/pairwise_similarity.cu},
 * bound by {@link CudaPairwiseSimilarity}): over embeddings {@code x} (n, d) row-major, assumed
 * L2-normalised, {@code cos(i, j) = x_i . x_j} for all pairs without an n x n matrix, and the same
 * pair search over packed 64-bit hashes with the Hamming distance.
 *
 * <p>Every dot product is accumulated in double over k = 0..d-1 and then rounded to float; all
 * comparisons (maximum, threshold, order) are made on that float. {@code volume} (n ids, or null)
 * restricts every op to pairs of rows with the same id. Ties in score go to the smaller column j.
 */
public final class PairwiseSimilarity {
    private PairwiseSimilarity() {
    }

    /**
     * Per row the best earlier row: {@code max[i] = max over j < i of cos(i, j)} and its argmax
     * (smallest j among ties); -Infinity and -1 for a row with no candidate.
     */
    public record MaxEarlier(float[] max, int[] argmax) {
    }

    /**
     * Pairs (row, col) with col < row and their score, sorted by (row, col).
     */
    public record Edges(int[] row, int[] col, float[] score) {
        /** Number of edges. */
        public int count() {
            return row.length;
        }
    }

    /**
     * Per row the k best other rows: {@code index} and {@code score} are (n, k) row-major, scores
     * descending, ties by smaller index, padded with -1 / -Infinity when fewer than k candidates.
     */
    public record TopK(int k, int[] index, float[] score) {
    }

    /**
     * {@link MaxEarlier} over j < i.
     *
     * @param x      (n, d) row-major
     * @param volume (n) volume ids, or null for no restriction
     */
    public static MaxEarlier maxEarlier(float[] x, int n, int d, int[] volume) {
        check(x, n, d, volume);
        float[] max = new float[n];
        int[] argmax = new int[n];
        for (int i = 0; i < n; i++) {
            float best = Float.NEGATIVE_INFINITY;
            int at = -1;
            for (int j = 0; j < i; j++) {
                if (volume != null && volume[i] != volume[j]) {
                    continue;
                }
                float v = cos(x, d, i, j);
                if (at < 0 || v > best) {  // strict: the first (smallest) j keeps a tie
                    best = v;
                    at = j;
                }
            }
            max[i] = best;
            argmax[i] = at;
        }
        return new MaxEarlier(max, argmax);
    }

    /**
     * All pairs j < i (same volume when {@code volume} is given) with {@code cos(i, j) >= tau},
     * sorted by (row, col).
     */
    public static Edges edgesAtLeast(float[] x, int n, int d, float tau, int[] volume) {
        check(x, n, d, volume);
        EdgeList out = new EdgeList();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (volume != null && volume[i] != volume[j]) {
                    continue;
                }
                float v = cos(x, d, i, j);
                if (v >= tau) {
                    out.add(i, j, v);
                }
            }
        }
        return out.edges();
    }

    /**
     * Per row the k (1..32) largest {@code cos(i, j)} over j != i (same volume when given).
     */
    public static TopK topK(float[] x, int n, int d, int k, int[] volume) {
        check(x, n, d, volume);
        if (k < 1 || k > 32) {
            throw new IllegalArgumentException("k must be in 1..32, got " + k);
        }
        int[] index = new int[n * k];
        float[] score = new float[n * k];
        Arrays.fill(index, -1);
        Arrays.fill(score, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            int held = 0;  // entries i*k .. i*k+held-1 are sorted best first
            for (int j = 0; j < n; j++) {
                if (j == i || (volume != null && volume[i] != volume[j])) {
                    continue;
                }
                float v = cos(x, d, i, j);
                // j ascends, so an equal score never displaces an earlier j: insert behind ties.
                int pos = held;
                while (pos > 0 && score[i * k + pos - 1] < v) {
                    pos--;
                }
                if (pos >= k) {
                    continue;
                }
                int last = Math.min(held, k - 1);
                for (int q = last; q > pos; q--) {
                    score[i * k + q] = score[i * k + q - 1];
                    index[i * k + q] = index[i * k + q - 1];
                }
                score[i * k + pos] = v;
                index[i * k + pos] = j;
                held = Math.min(held + 1, k);
            }
        }
        return new TopK(k, index, score);
    }

    /**
     * All pairs j < i (same volume when given) whose packed hashes differ in at most {@code t}
     * bits; score = the distance.
     *
     * @param hashes (n, words) row-major, words 1..4
     */
    public static Edges hammingAtMost(long[] hashes, int n, int words, int t, int[] volume) {
        Objects.requireNonNull(hashes, "hashes");
        if (words < 1 || words > 4 || n < 0 || hashes.length < (long) n * words) {
            throw new IllegalArgumentException("hashes must hold n x words (words 1..4), got n=" + n + " words="
                    + words + " length=" + hashes.length);
        }
        checkVolume(n, volume);
        EdgeList out = new EdgeList();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (volume != null && volume[i] != volume[j]) {
                    continue;
                }
                int dist = 0;
                for (int w = 0; w < words; w++) {
                    dist += Long.bitCount(hashes[i * words + w] ^ hashes[j * words + w]);
                }
                if (dist <= t) {
                    out.add(i, j, dist);
                }
            }
        }
        return out.edges();
    }

    /** {@code cos(i, j)}: dot product accumulated in double over k = 0..d-1, rounded to float. */
    public static float cos(float[] x, int d, int i, int j) {
        double s = 0;
        int a = i * d;
        int b = j * d;
        for (int k = 0; k < d; k++) {
            s += (double) x[a + k] * x[b + k];
        }
        return (float) s;
    }

    static void check(float[] x, int n, int d, int[] volume) {
        Objects.requireNonNull(x, "x");
        if (n < 0 || d < 1 || x.length < (long) n * d) {
            throw new IllegalArgumentException("x must hold n x d floats, got n=" + n + " d=" + d + " length="
                    + x.length);
        }
        checkVolume(n, volume);
    }

    static void checkVolume(int n, int[] volume) {
        if (volume != null && volume.length < n) {
            throw new IllegalArgumentException("volume must hold n ids, got " + volume.length + " for n=" + n);
        }
    }

    /** Growable (row, col, score) list; rows are appended in ascending (row, col) order. */
    private static final class EdgeList {
        private int[] row = new int[16];
        private int[] col = new int[16];
        private float[] score = new float[16];
        private int size;

        void add(int r, int c, float v) {
            if (size == row.length) {
                row = Arrays.copyOf(row, size * 2);
                col = Arrays.copyOf(col, size * 2);
                score = Arrays.copyOf(score, size * 2);
            }
            row[size] = r;
            col[size] = c;
            score[size] = v;
            size++;
        }

        Edges edges() {
            return new Edges(Arrays.copyOf(row, size), Arrays.copyOf(col, size), Arrays.copyOf(score, size));
        }
    }
}
