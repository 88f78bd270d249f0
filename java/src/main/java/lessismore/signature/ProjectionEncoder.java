package lessismore.signature;

import java.util.Random;

/**
 * The default slice encoder of the {@code embedding} strategy: training-free, so the strategy runs
 * without a model file.
 *
 * <p>Construction of the embedding of a w × h 8-bit image:
 * <ol>
 *   <li>Area averages on a 32 × 32 grid: cell (i, j) is the mean of rows
 *       [i·h/32, (i+1)·h/32) and columns [j·w/32, (j+1)·w/32) (integer division; a cell narrower
 *       than one pixel takes the pixel at its start). 16 × 16 and 8 × 8 grids are the means of
 *       2 × 2 and 4 × 4 blocks of the 32 × 32 grid (exact area averages when w and h are multiples
 *       of 32, as for 512 × 512 CT).</li>
 *   <li>Each grid is standardized on its own: mean subtracted, divided by its L2 norm. Coarse
 *       grids thus weigh as much as the fine one, and the comparison ignores brightness and
 *       contrast (the 8-bit images are min–max windowed per slice anyway). A flat grid has no
 *       pattern; it becomes the unit vector along (1, …, 1), the one direction every standardized
 *       grid is orthogonal to: flat slices are identical to each other and unlike any other.</li>
 *   <li>The three grids concatenated, 1024 + 256 + 64 = {@value #FEATURES} values, are multiplied
 *       by a fixed D × {@value #FEATURES} matrix of independent standard normal entries (D =
 *       {@value #DEFAULT_DIMENSION} by default) and the result is L2-normalized.</li>
 * </ol>
 *
 * <p>Why the cosine of two embeddings is a reasonable slice similarity: before projection it is
 * the mean of the three grids' Pearson correlations, a classic template-matching similarity that
 * near-duplicate neighbouring slices score close to 1. A Gaussian random projection approximately
 * preserves distances (Johnson–Lindenstrauss): the squared distance of two unit vectors,
 * 2 (1 − cos), keeps its value up to a relative error of about √(2/D), independently of the
 * input dimension (one standard deviation; ≈ 9% at D = 256, 11% RMS measured on pairs of real CT
 * slices). So 1 − cos of nearly alike slices, the pairs that decide redundancy, is only rescaled
 * by a factor near 1, and the cosine of unrelated slices moves by about 1/√D ≈ 0.06. The projection keeps signatures small (D floats)
 * and gives the strategy the same shape as a learned encoder's.
 *
 * <p>Determinism: the matrix comes from {@code java.util.Random(seed).nextGaussian()}, filled row
 * by row; that generator's algorithm is fixed by its specification (a linear congruential
 * generator and the polar method with {@code StrictMath}), and Java floating point is strict, so
 * embeddings are bit-identical on every JVM and machine. Default seed {@value #DEFAULT_SEED}.
 * Instances are immutable and thread-safe.
 */
public final class ProjectionEncoder {
    /** Default embedding dimension D. */
    public static final int DEFAULT_DIMENSION = 256;
    /** Default seed of the projection matrix. */
    public static final long DEFAULT_SEED = 20240601L;
    /** Side lengths of the averaging grids, finest first; each divides the previous one. */
    static final int[] GRIDS = {32, 16, 8};
    /** Length of the concatenated grids: 32² + 16² + 8², a multiple of 4. */
    static final int FEATURES = 32 * 32 + 16 * 16 + 8 * 8;

    private final int dimension;
    private final long seed;
    /** (dimension, FEATURES), row-major, standard normal entries. */
    private final float[] projection;

    /** The default encoder: D = {@value #DEFAULT_DIMENSION}, seed {@value #DEFAULT_SEED}. */
    public ProjectionEncoder() {
        this(DEFAULT_DIMENSION, DEFAULT_SEED);
    }

    /**
     * An encoder with its own dimension and seed.
     *
     * @param dimension D ≥ 1
     * @param seed      seed of the projection matrix
     */
    public ProjectionEncoder(int dimension, long seed) {
        if (dimension < 1) {
            throw new IllegalArgumentException("embedding dimension must be at least 1, not " + dimension);
        }
        this.dimension = dimension;
        this.seed = seed;
        this.projection = new float[dimension * FEATURES];
        Random random = new Random(seed);
        for (int i = 0; i < projection.length; i++) {
            projection[i] = (float) random.nextGaussian();
        }
    }

    /** Embedding dimension D. */
    public int dimension() {
        return dimension;
    }

    /** Seed of the projection matrix. */
    public long seed() {
        return seed;
    }

    /**
     * The unit-norm embedding of an 8-bit image.
     *
     * @param gray  at least width × height unsigned bytes, row-major
     * @param width image width ≥ 1
     * @param height image height ≥ 1
     * @return D floats with L2 norm 1
     */
    public float[] embed(byte[] gray, int width, int height) {
        double[] f = features(gray, width, height);
        float[] out = new float[dimension];
        for (int d = 0, row = 0; d < dimension; d++, row += FEATURES) {
            // Four partial sums (j mod 4) instead of one chain of dependent additions: about twice
            // as fast, and still one fixed order of operations, so results stay bit-reproducible.
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int j = 0, p = row; j < FEATURES; j += 4, p += 4) {
                s0 += projection[p] * f[j];
                s1 += projection[p + 1] * f[j + 1];
                s2 += projection[p + 2] * f[j + 2];
                s3 += projection[p + 3] * f[j + 3];
            }
            out[d] = (float) ((s0 + s1) + (s2 + s3));
        }
        return EmbeddingMethod.normalize(out);
    }

    /** The standardized 32², 16², 8² grids of the image, concatenated. */
    static double[] features(byte[] gray, int width, int height) {
        double[] f = new double[FEATURES];
        int fine = GRIDS[0];
        for (int i = 0; i < fine; i++) {
            int y0 = Math.min(i * height / fine, height - 1);
            int y1 = Math.max((i + 1) * height / fine, y0 + 1);
            for (int j = 0; j < fine; j++) {
                int x0 = Math.min(j * width / fine, width - 1);
                int x1 = Math.max((j + 1) * width / fine, x0 + 1);
                long sum = 0;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0, p = y * width + x0; x < x1; x++, p++) {
                        sum += gray[p] & 0xFF;
                    }
                }
                f[i * fine + j] = (double) sum / ((long) (y1 - y0) * (x1 - x0));
            }
        }
        // Coarser grids: means of (fine / n)² blocks of the fine grid, before it is standardized.
        int offset = fine * fine;
        for (int g = 1; g < GRIDS.length; g++) {
            int n = GRIDS[g];
            int k = fine / n;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int a = 0; a < k; a++) {
                        for (int b = 0; b < k; b++) {
                            s += f[(i * k + a) * fine + j * k + b];
                        }
                    }
                    f[offset + i * n + j] = s / (k * k);
                }
            }
            offset += n * n;
        }
        offset = 0;
        for (int n : GRIDS) {
            standardize(f, offset, n * n);
            offset += n * n;
        }
        return f;
    }

    /** f[off, off + len) to zero mean and unit L2 norm; a flat run to (1, …, 1) / √len. */
    private static void standardize(double[] f, int off, int len) {
        double mean = 0;
        for (int i = off; i < off + len; i++) {
            mean += f[i];
        }
        mean /= len;
        double norm = 0;
        for (int i = off; i < off + len; i++) {
            f[i] -= mean;
            norm += f[i] * f[i];
        }
        norm = Math.sqrt(norm);
        // Cell means of a flat region are computed exactly alike (a correctly rounded quotient of
        // the same real number), so a flat grid has norm exactly 0.
        boolean flat = norm == 0;
        for (int i = off; i < off + len; i++) {
            f[i] = flat ? 1 / Math.sqrt(len) : f[i] / norm;
        }
    }
}
