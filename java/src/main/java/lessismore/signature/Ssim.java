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
 * so results agree to about 1e-12.
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

    /** The two images as doubles, w × h each. */
    private double[] x = new double[0];
    private double[] y = new double[0];
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
        int n = w * h;
        if (a.length < n || b.length < n) {
            throw new IllegalArgumentException("images of " + a.length + " and " + b.length
                    + " bytes for " + w + "×" + h);
        }
        ensure(n, w);
        for (int i = 0; i < n; i++) {
            x[i] = a[i] & 0xFF;
            y[i] = b[i] & 0xFF;
        }
        int cols = w - 2 * RADIUS;
        double total = 0;
        for (int row = RADIUS; row < h - RADIUS; row++) {
            filterVertically(row - RADIUS, w);
            total += ssimRow(cols);
        }
        return total / ((double) cols * (h - 2 * RADIUS));
    }

    private void ensure(int n, int w) {
        if (x.length < n) {
            x = new double[n];
            y = new double[n];
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
        }
    }

    /**
     * v*[c] = Σ_k KERNEL[k] · q[(top + k)·w + c] for every column c, for the five quantities q:
     * one pass over the 11 input rows updates all five maps (the products are formed on the fly).
     */
    private void filterVertically(int top, int w) {
        double[] px = x;
        double[] py = y;
        double[] sx = vx;
        double[] sy = vy;
        double[] sxx = vxx;
        double[] syy = vyy;
        double[] sxy = vxy;
        double g = KERNEL[0];
        for (int c = 0, p = top * w; c < w; c++, p++) {
            double u = px[p];
            double v = py[p];
            sx[c] = g * u;
            sy[c] = g * v;
            sxx[c] = g * (u * u);
            syy[c] = g * (v * v);
            sxy[c] = g * (u * v);
        }
        for (int k = 1; k < WINDOW; k++) {
            g = KERNEL[k];
            int off = (top + k) * w;
            // Simple element-wise form so that C2 vectorizes it.
            for (int c = 0; c < w; c++) {
                double u = px[off + c];
                double v = py[off + c];
                sx[c] += g * u;
                sy[c] += g * v;
                sxx[c] += g * (u * u);
                syy[c] += g * (v * v);
                sxy[c] += g * (u * v);
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
        double sum = 0;
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
            sum += (a1 * a2) / (b1 * b2);
        }
        return sum;
    }

    /** out[c] = Σ_k KERNEL[k] · in[c + k] for c in [0, cols). */
    private static void horizontal(double[] in, double[] out, int cols) {
        double g = KERNEL[0];
        for (int c = 0; c < cols; c++) {
            out[c] = g * in[c];
        }
        for (int k = 1; k < WINDOW; k++) {
            g = KERNEL[k];
            for (int c = 0; c < cols; c++) {
                out[c] += g * in[c + k];
            }
        }
    }
}
