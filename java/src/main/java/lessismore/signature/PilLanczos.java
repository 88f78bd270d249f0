package lessismore.signature;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Pillow's {@code Image.resize(size, Image.LANCZOS)} on 8-bit greyscale ("L") images, reproduced
 * exactly: separable convolution with a 3-lobe Lanczos kernel whose support grows with the
 * downscale factor, double-precision weights normalized per output pixel and then converted to
 * fixed point with 22 fractional bits, integer accumulation with a rounding offset, clamping to
 * [0, 255] after each pass, horizontal pass first.
 *
 * <p>Coefficient tables depend only on (input size, output size) and are cached.
 */
public final class PilLanczos {
    /** Pillow's PRECISION_BITS for 8-bit images: 32 - 8 - 2. */
    public static final int PRECISION_BITS = 22;
    private static final double SUPPORT = 3.0;
    private static final ConcurrentHashMap<Long, Coefficients> CACHE = new ConcurrentHashMap<>();

    private PilLanczos() {
    }

    /**
     * Fixed-point weights for one axis (shared, cached arrays: read them, never write them). Output
     * i is {@code clip8((1 << (PRECISION_BITS - 1)) + sum over j < count[i] of in[first[i] + j] *
     * weights[i * ksize + j])}; the device kernels of lessismore.kernels.CudaPerceptualHash upload
     * these tables so that their integer sums are Pillow's.
     *
     * @param ksize  stride between output pixels in {@code weights}
     * @param first  first input index used by output i: first[i]
     * @param count  number of inputs used by output i: count[i]
     * @param weights weights[i * ksize + j] multiplies input first[i] + j
     */
    public record Coefficients(int ksize, int[] first, int[] count, int[] weights) {
    }

    /**
     * The (cached) weights of Pillow's LANCZOS resize of one axis from inSize to outSize pixels. Pillow
     * skips an axis whose size does not change; these tables are for a changing axis.
     */
    public static Coefficients coefficients(int inSize, int outSize) {
        return CACHE.computeIfAbsent((long) inSize << 32 | outSize, k -> compute(inSize, outSize));
    }

    private static Coefficients compute(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = SUPPORT * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * ksize];
        double[] w = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.max(0, (int) (center - support + 0.5));
            int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                w[x] = lanczos(((x + xmin) - center + 0.5) * ss);
                ww += w[x];
            }
            for (int x = 0; x < xmax; x++) {
                double k = ww != 0.0 ? w[x] / ww : w[x];
                double fixed = k * (1 << PRECISION_BITS);
                weights[xx * ksize + x] = (int) (k < 0 ? -0.5 + fixed : 0.5 + fixed);
            }
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new Coefficients(ksize, first, count, weights);
    }

    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        x = x * Math.PI;
        return StrictMath.sin(x) / x;
    }

    private static double lanczos(double x) {
        return (-3.0 <= x && x < 3.0) ? sinc(x) * sinc(x / 3) : 0.0;
    }

    /** Pillow's clip8: the accumulator shifted down and clamped to a byte. */
    static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Supplies row y of an 8-bit image as ints (0..255), so sources need not be byte images. */
    @FunctionalInterface
    public interface Rows {
        /** Writes the {@code width} pixels of row {@code y} into {@code dst[0, width)}. */
        void row(int y, int[] dst);
    }

    /**
     * Resizes {@code src} (w × h, row-major, unsigned bytes) to outW × outH.
     *
     * @return the resized image, row-major, values 0..255
     */
    public static int[] resize(byte[] src, int w, int h, int outW, int outH) {
        return resize((y, dst) -> {
            for (int x = 0, p = y * w; x < w; x++) {
                dst[x] = src[p + x] & 0xFF;
            }
        }, w, h, outW, outH);
    }

    /**
     * Resizes the w × h image whose rows {@code src} supplies to outW × outH.
     *
     * @return the resized image, row-major, values 0..255
     */
    public static int[] resize(Rows src, int w, int h, int outW, int outH) {
        boolean horizontal = outW != w;
        boolean vertical = outH != h;
        Coefficients cv = vertical ? coefficients(h, outH) : null;
        // Rows the vertical pass reads; the horizontal pass only needs to produce those.
        int rowFirst = vertical ? cv.first()[0] : 0;
        int rowEnd = vertical ? cv.first()[outH - 1] + cv.count()[outH - 1] : h;
        int midW = horizontal ? outW : w;
        // mid is (rowEnd - rowFirst) x midW: the horizontally resized rows the vertical pass needs.
        int[] mid = new int[(rowEnd - rowFirst) * midW];
        int[] row = new int[w];
        Coefficients ch = horizontal ? coefficients(w, outW) : null;
        for (int y = rowFirst; y < rowEnd; y++) {
            src.row(y, row);
            int midRow = (y - rowFirst) * midW;
            if (horizontal) {
                horizontalRow(row, ch, outW, mid, midRow);
            } else {
                System.arraycopy(row, 0, mid, midRow, w);
            }
        }
        if (!vertical) {
            return mid;
        }
        int[] out = new int[outH * midW];
        verticalPass(mid, midW, rowFirst, cv, outH, out);
        return out;
    }

    /** mid[midRow + xx] for xx in [0, outW): one row of the horizontal pass. */
    private static void horizontalRow(int[] row, Coefficients c, int outW, int[] mid, int midRow) {
        int ksize = c.ksize();
        int[] first = c.first();
        int[] count = c.count();
        int[] k = c.weights();
        for (int xx = 0; xx < outW; xx++) {
            int base = first[xx];
            int kb = xx * ksize;
            int n = count[xx];
            // A plain int dot product: C2 vectorizes this form (do not unroll by hand).
            int acc = 1 << (PRECISION_BITS - 1);
            for (int x = 0; x < n; x++) {
                acc += row[base + x] * k[kb + x];
            }
            mid[midRow + xx] = clip8(acc);
        }
    }

    /**
     * out[yy * width + x]: vertical pass over the horizontally resized rows. Each output row
     * accumulates whole input rows (contiguous, so C2 vectorizes the loop) instead of walking down
     * columns; int sums are exact whatever their order, so the result is Pillow's.
     */
    private static void verticalPass(int[] mid, int width, int rowFirst, Coefficients c, int outH, int[] out) {
        int ksize = c.ksize();
        int[] k = c.weights();
        int[] acc = new int[width];
        for (int yy = 0; yy < outH; yy++) {
            int y0 = c.first()[yy] - rowFirst;
            int n = c.count()[yy];
            int kb = yy * ksize;
            java.util.Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            for (int y = 0; y < n; y++) {
                int w = k[kb + y];
                int m = (y0 + y) * width;
                for (int x = 0; x < width; x++) {
                    acc[x] += mid[m + x] * w;
                }
            }
            int o = yy * width;
            for (int x = 0; x < width; x++) {
                out[o + x] = clip8(acc[x]);
            }
        }
    }
}
