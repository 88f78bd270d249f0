package lessismore.signature;

/**
 * Mean structural similarity (SSIM, Wang et al. 2004) of two 8-bit greyscale images of equal size,
 * computed as scikit-image 0.19 does it with
 * {@code structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
 * data_range=255)}:
 * <ul>
 *   <li>local means, variances and covariance are weighted by a normalized Gaussian of σ = 1.5
 *       truncated at 3.5σ (scipy.ndimage's radius {@code int(3.5 * 1.5 + 0.5)} = 5: an 11 × 11
 *       window), applied separably;</li>
 *   <li>population (co)variances: {@code E[xy] - E[x]E[y]};</li>
 *   <li>C1 = (0.01 · 255)², C2 = (0.03 · 255)²;</li>
 *   <li>the result is the mean of the SSIM map less a 5-pixel strip at every edge.</li>
 * </ul>
 * skimage filters with scipy's {@code mode='reflect'}, but every pixel that survives its crop lies
 * at least one radius from the edge, so its window never reaches reflected samples; this class
 * therefore filters only the interior ("valid" positions) and needs no boundary handling.
 *
 * <p>Arithmetic is in {@code double} like skimage's float64; only the order of additions differs,
 * so results agree to about 1e-14.
 *
 * <p>An instance holds scratch buffers that grow to the largest image seen and are reused, so
 * comparing pairs allocates nothing; it is not thread-safe (keep one per thread).
 */
public final class Ssim {
    /** Standard deviation of the Gaussian window in pixels. */
    public static final double SIGMA = 1.5;
    /** Window radius: scipy's {@code int(truncate * sigma + 0.5)} with skimage's truncate 3.5. */
    public static final int RADIUS = (int) (3.5 * SIGMA + 0.5);
    /** Window side (11), also the smallest image side SSIM accepts. */
    public static final int WINDOW = 2 * RADIUS + 1;
    /** Value range of 8-bit images (skimage's data_range). */
    public static final double DATA_RANGE = 255.0;
    /** Stabilizing constants (K1 · L)² and (K2 · L)² with K1 = 0.01, K2 = 0.03. */
    static final double C1 = (0.01 * DATA_RANGE) * (0.01 * DATA_RANGE);
    static final double C2 = (0.03 * DATA_RANGE) * (0.03 * DATA_RANGE);
    /** scipy's {@code _gaussian_kernel1d(1.5, 0, 5)}: exp(-x²/(2σ²)) for x in [-5, 5], normalized. */
    static final double[] KERNEL = kernel();

    private static double[] kernel() {
        double[] k = new double[WINDOW];
        double sum = 0;
        for (int i = 0; i < WINDOW; i++) {
            int x = i - RADIUS;
            k[i] = Math.exp(-0.5 / (SIGMA * SIGMA) * (x * x));
            sum += k[i];
        }
        for (int i = 0; i < WINDOW; i++) {
            k[i] /= sum;
        }
        return k;
    }

    /** The two images as doubles, row by row (h rows of at least w). */
    private double[][] x = new double[0][];
    private double[][] y = new double[0][];
    /** One row of the five vertically filtered maps (x, y, x², y², xy), w each. */
    private double[] vx = new double[0];
    private double[] vy = new double[0];
    private double[] vxx = new double[0];
    private double[] vyy = new double[0];
    private double[] vxy = new double[0];
    /** The same row filtered horizontally too, at the w - 2·RADIUS interior columns. */
    private double[] mx = new double[0];
    private double[] my = new double[0];
    private double[] mxx = new double[0];
    private double[] myy = new double[0];
    private double[] mxy = new double[0];
    /** SSIM of the interior pixels of one row. */
    private double[] s = new double[0];

    /** A workspace for one thread. */
    public Ssim() {
    }

    /**
     * Mean SSIM of two images.
     *
     * @param a first image, w × h unsigned bytes, row-major (only the first w·h are read)
     * @param b second image, same layout
     * @return the mean SSIM over the image less a {@link #RADIUS}-pixel border, in [-1, 1]
     * @throws IllegalArgumentException when a side is smaller than {@link #WINDOW} (skimage refuses
     *                                  those too) or an array is shorter than w·h
     */
    public double mean(byte[] a, byte[] b, int w, int h) {
        if (w < WINDOW || h < WINDOW) {
            throw new IllegalArgumentException("SSIM needs images of at least " + WINDOW + "×" + WINDOW
                    + " pixels (its Gaussian window), got " + w + "×" + h);
        }
        if (a.length < w * h || b.length < w * h) {
            throw new IllegalArgumentException("images of " + a.length + " and " + b.length
                    + " bytes for " + w + "×" + h);
        }
        ensure(w, h);
        for (int r = 0; r < h; r++) {
            double[] xr = x[r];
            double[] yr = y[r];
            for (int c = 0, i = r * w; c < w; c++, i++) {
                xr[c] = a[i] & 0xFF;
                yr[c] = b[i] & 0xFF;
            }
        }
        int cols = w - 2 * RADIUS;
        double total = 0;
        for (int row = RADIUS; row < h - RADIUS; row++) {
            filterVertically(row - RADIUS, w);
            total += ssimRow(cols);
        }
        return total / ((double) cols * (h - 2 * RADIUS));
    }

    private void ensure(int w, int h) {
        if (x.length < h || x[0].length < w) {
            int rows = Math.max(h, x.length);
            int width = Math.max(w, x.length == 0 ? 0 : x[0].length);
            x = new double[rows][width];
            y = new double[rows][width];
        }
        if (vx.length < w) {
            vx = new double[w];
            vy = new double[w];
            vxx = new double[w];
            vyy = new double[w];
            vxy = new double[w];
            mx = new double[w];
            my = new double[w];
            mxx = new double[w];
            myy = new double[w];
            mxy = new double[w];
            s = new double[w];
        }
    }

    /*
     * Loop shapes: HotSpot's C2 vectorizes (AVX) only loops with small bodies whose arrays it can
     * tell apart at a fixed distance: one tiny loop per map over separate row arrays does, a single
     * loop that updates all five maps at once does not (too large to unroll), nor do loads at a
     * variable row offset of one flat image array (the store might alias them). These shapes run
     * SSIM about twice as fast as the fused scalar form.
     */

    /**
     * v*[c] = Σ_k KERNEL[k] · q[top + k][c] for every column c and the five quantities q (x, y and
     * the products x², y², xy formed on the fly), pairing rows k and 10 - k, whose weights are equal.
     */
    private void filterVertically(int top, int w) {
        double[] sx = vx;
        double[] sy = vy;
        double[] sxx = vxx;
        double[] syy = vyy;
        double[] sxy = vxy;
        double g = KERNEL[RADIUS];
        double[] xa = x[top + RADIUS];
        double[] ya = y[top + RADIUS];
        for (int c = 0; c < w; c++) {
            sx[c] = g * xa[c];
        }
        for (int c = 0; c < w; c++) {
            sy[c] = g * ya[c];
        }
        for (int c = 0; c < w; c++) {
            sxx[c] = g * (xa[c] * xa[c]);
        }
        for (int c = 0; c < w; c++) {
            syy[c] = g * (ya[c] * ya[c]);
        }
        for (int c = 0; c < w; c++) {
            sxy[c] = g * (xa[c] * ya[c]);
        }
        for (int k = 0; k < RADIUS; k++) {
            g = KERNEL[k];
            xa = x[top + k];
            ya = y[top + k];
            double[] xb = x[top + WINDOW - 1 - k];
            double[] yb = y[top + WINDOW - 1 - k];
            for (int c = 0; c < w; c++) {
                sx[c] += g * (xa[c] + xb[c]);
            }
            for (int c = 0; c < w; c++) {
                sy[c] += g * (ya[c] + yb[c]);
            }
            for (int c = 0; c < w; c++) {
                sxx[c] += g * (xa[c] * xa[c] + xb[c] * xb[c]);
            }
            for (int c = 0; c < w; c++) {
                syy[c] += g * (ya[c] * ya[c] + yb[c] * yb[c]);
            }
            for (int c = 0; c < w; c++) {
                sxy[c] += g * (xa[c] * ya[c] + xb[c] * yb[c]);
            }
        }
    }

    /** Filters the current vertical row horizontally at the interior columns; returns Σ SSIM. */
    private double ssimRow(int cols) {
        horizontal(vx, mx, cols);
        horizontal(vy, my, cols);
        horizontal(vxx, mxx, cols);
        horizontal(vyy, myy, cols);
        horizontal(vxy, mxy, cols);
        double[] out = s;
        for (int c = 0; c < cols; c++) {
            double ux = mx[c];
            double uy = my[c];
            double varX = mxx[c] - ux * ux;
            double varY = myy[c] - uy * uy;
            double cov = mxy[c] - ux * uy;
            double a1 = 2 * ux * uy + C1;
            double a2 = 2 * cov + C2;
            double b1 = ux * ux + uy * uy + C1;
            double b2 = varX + varY + C2;
            out[c] = (a1 * a2) / (b1 * b2);
        }
        double sum = 0;
        for (int c = 0; c < cols; c++) {
            sum += out[c];
        }
        return sum;
    }

    /**
     * out[c] = Σ_k KERNEL[k] · in[c + k] for c in [0, cols), symmetric taps paired, written with
     * constant offsets in two short loops so that both vectorize.
     */
    private static void horizontal(double[] in, double[] out, int cols) {
        double g0 = KERNEL[0];
        double g1 = KERNEL[1];
        double g2 = KERNEL[2];
        double g3 = KERNEL[3];
        double g4 = KERNEL[4];
        double g5 = KERNEL[5];
        for (int c = 0; c < cols; c++) {
            out[c] = g0 * (in[c] + in[c + 10]) + g1 * (in[c + 1] + in[c + 9]) + g2 * (in[c + 2] + in[c + 8]);
        }
        for (int c = 0; c < cols; c++) {
            out[c] += g3 * (in[c + 3] + in[c + 7]) + g4 * (in[c + 4] + in[c + 6]) + g5 * in[c + 5];
        }
    }
}
