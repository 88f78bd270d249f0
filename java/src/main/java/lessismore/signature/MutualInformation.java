package lessismore.signature;

import java.util.Arrays;

/**
 * Mutual information of two 8-bit images of equal size, from the joint histogram of their pixel
 * values binned into {@code bins} bins (value v falls into bin {@code v * bins / 256}), in nats.
 * Pixel i of one image is paired with pixel i of the other, so this is exactly scikit-learn 1.2's
 * {@code mutual_info_score(binsA, binsB)} and {@code normalized_mutual_info_score(binsA, binsB)}
 * (arithmetic mean of the two entropies) on the flattened bin labels, including their special
 * cases:
 * <ul>
 *   <li>MI is 0 when either image falls into a single bin (zero entropy);</li>
 *   <li>NMI is 1 when both images fall into a single bin each, 0 when MI is 0 otherwise;</li>
 *   <li>MI terms of magnitude below the double epsilon are dropped and a negative sum is clipped to 0,
 *       as sklearn does.</li>
 * </ul>
 * With N pixels, joint counts n_ij and marginals a_i, b_j, sklearn sums over non-empty cells
 * {@code p (ln n_ij - ln N) + p (2 ln N - ln(a_i b_j))} with p = n_ij / N; this class sums the same
 * terms, with ln(a_i b_j) taken as ln a_i + ln b_j (equal to within an ulp), so results agree to
 * about 1e-14.
 *
 * <p>An instance holds the histograms and is reused from pair to pair: one pass over the pixels
 * builds the joint counts and lists the non-empty cells; the marginals, the sum and the clearing
 * for the next pair visit only those cells, so the cost follows the pixel count, not bins². It is
 * not thread-safe (keep one per thread).
 */
public final class MutualInformation {
    /** Default number of bins: one per 8-bit value. */
    public static final int DEFAULT_BINS = 256;
    /** Natural logs of small counts, which are most of the cells' counts. */
    private static final double[] LOG = new double[4096];

    static {
        for (int i = 1; i < LOG.length; i++) {
            LOG[i] = Math.log(i);
        }
    }

    /** sklearn drops terms smaller than this ({@code np.finfo(float64).eps}). */
    private static final double EPS = Math.ulp(1.0);

    private final int bins;
    /** binRow[v] = bin(v) << 8 and bin[v] = bin(v): joint cell of (va, vb) is binRow[va] | bin[vb]. */
    private final int[] binRow = new int[256];
    private final int[] bin = new int[256];
    /** Joint counts, 256 × 256 whatever the bin count, so a cell's bins are its high and low bytes. */
    private final int[] joint = new int[256 * 256];
    /** Indices of the non-empty cells of {@link #joint}, [0, cellCount). */
    private int[] cells = new int[256];
    private int cellCount;
    private final int[] countA;
    private final int[] countB;
    /** ln of the marginal counts (valid where the count is non-zero). */
    private final double[] logA;
    private final double[] logB;
    /** Pixel count of the last pair. */
    private int n;

    /**
     * A workspace for one thread.
     *
     * @param bins number of histogram bins per image, 2 to 256
     */
    public MutualInformation(int bins) {
        this.bins = checkBins(bins);
        for (int v = 0; v < 256; v++) {
            bin[v] = v * bins / 256;
            binRow[v] = bin[v] << 8;
        }
        countA = new int[bins];
        countB = new int[bins];
        logA = new double[bins];
        logB = new double[bins];
    }

    /**
     * Checks a bin count.
     *
     * @return {@code bins}
     * @throws IllegalArgumentException unless 2 ≤ bins ≤ 256
     */
    static int checkBins(int bins) {
        if (bins < 2 || bins > 256) {
            throw new IllegalArgumentException("bins must be between 2 and 256, got " + bins);
        }
        return bins;
    }

    /** The number of bins per image. */
    public int bins() {
        return bins;
    }

    /**
     * Mutual information in nats of the first {@code n} pixels of two images.
     *
     * @param a unsigned bytes
     * @param b unsigned bytes, paired with {@code a} index by index
     */
    public double mutualInformation(byte[] a, byte[] b, int n) {
        count(a, b, n);
        return mi();
    }

    /**
     * Normalized mutual information MI / ((H(a) + H(b)) / 2) of the first {@code n} pixels, in [0, 1].
     *
     * @param a unsigned bytes
     * @param b unsigned bytes, paired with {@code a} index by index
     */
    public double normalizedMutualInformation(byte[] a, byte[] b, int n) {
        count(a, b, n);
        int distinctA = distinct(countA);
        int distinctB = distinct(countB);
        if (distinctA == distinctB && distinctA <= 1) {
            // Neither image is split (or both are empty): sklearn calls that a perfect match.
            return 1.0;
        }
        double mi = mi();
        if (mi == 0) {
            return 0.0;
        }
        return mi / ((entropy(countA, logA) + entropy(countB, logB)) / 2);
    }

    /** Builds the joint histogram of the first n pixels, its marginals and their logs. */
    private void count(byte[] a, byte[] b, int n) {
        if (a.length < n || b.length < n) {
            throw new IllegalArgumentException("images of " + a.length + " and " + b.length + " bytes for " + n + " pixels");
        }
        for (int i = 0; i < cellCount; i++) {
            joint[cells[i]] = 0;
        }
        if (cells.length < Math.min(n, joint.length)) {
            cells = new int[Math.min(n, joint.length)];
        }
        Arrays.fill(countA, 0);
        Arrays.fill(countB, 0);
        int[] hist = joint;
        int[] list = cells;
        int listed = 0;
        for (int i = 0; i < n; i++) {
            int va = a[i] & 0xFF;
            int vb = b[i] & 0xFF;
            int cell = binRow[va] | bin[vb];
            if (hist[cell]++ == 0) {
                list[listed++] = cell;
            }
        }
        cellCount = listed;
        for (int i = 0; i < listed; i++) {
            int cell = list[i];
            int c = hist[cell];
            countA[cell >>> 8] += c;
            countB[cell & 0xFF] += c;
        }
        for (int i = 0; i < bins; i++) {
            logA[i] = log(countA[i]);
            logB[i] = log(countB[i]);
        }
        this.n = n;
    }

    /** sklearn's mutual_info_score over the current histograms. */
    private double mi() {
        if (distinct(countA) == 1 || distinct(countB) == 1) {
            return 0.0;
        }
        double total = n;
        double logN = Math.log(total);
        double sum = 0;
        for (int i = 0; i < cellCount; i++) {
            int cell = cells[i];
            int c = joint[cell];
            double p = c / total;
            double logOuter = -(logA[cell >>> 8] + logB[cell & 0xFF]) + logN + logN;
            double term = p * (log(c) - logN) + p * logOuter;
            if (Math.abs(term) >= EPS) {
                sum += term;
            }
        }
        return Math.max(sum, 0.0);
    }

    /** sklearn's entropy of one labelling: -Σ (c/N)(ln c - ln N) over non-empty bins, 0 for one bin. */
    private double entropy(int[] counts, double[] logs) {
        if (distinct(counts) == 1) {
            return 0.0;
        }
        double total = n;
        double logN = Math.log(total);
        double sum = 0;
        for (int i = 0; i < bins; i++) {
            if (counts[i] > 0) {
                sum += counts[i] / total * (logs[i] - logN);
            }
        }
        return -sum;
    }

    private int distinct(int[] counts) {
        int d = 0;
        for (int i = 0; i < bins; i++) {
            if (counts[i] > 0) {
                d++;
            }
        }
        return d;
    }

    private static double log(int c) {
        return c < LOG.length ? LOG[c] : Math.log(c);
    }
}
