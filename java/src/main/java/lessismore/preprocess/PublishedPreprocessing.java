package lessismore.preprocess;

/**
 * The preprocessing of the published Hash-6 scripts (Wolf et al. 2024), step by step, so that our
 * 8-bit images and hashes equal theirs bit for bit:
 * <ol>
 *   <li>stored values as int16;</li>
 *   <li>values equal to -2000 (a common padding value) set to 0;</li>
 *   <li>if RescaleSlope ≠ 1: multiply in float64 and truncate back to int16;</li>
 *   <li>add RescaleIntercept (-1024 when absent) in int16 arithmetic (wrapping like numpy);</li>
 *   <li>min–max map to [0, 255] in float64, rounded to nearest with ties to even (what OpenCV does
 *       when it writes that float image to an 8-bit PNG). A constant image maps to 0.</li>
 * </ol>
 */
public final class PublishedPreprocessing {
    /** Intercept used by the published scripts when the file has none. */
    public static final double DEFAULT_INTERCEPT = -1024;

    private PublishedPreprocessing() {
    }

    /**
     * Steps 2–4 in place on {@code px[0, n)}.
     *
     * @param slope     RescaleSlope, or NaN when absent (treated as 1)
     * @param intercept RescaleIntercept, or NaN when absent (treated as -1024)
     */
    public static void toInt16Hounsfield(short[] px, int n, double slope, double intercept) {
        double s = Double.isNaN(slope) ? 1.0 : slope;
        // np.int16(intercept) truncates toward zero, then wraps to 16 bits.
        short icpt = (short) (long) (Double.isNaN(intercept) ? DEFAULT_INTERCEPT : intercept);
        if (s != 1.0) {
            for (int i = 0; i < n; i++) {
                short v = px[i] == -2000 ? 0 : px[i];
                px[i] = (short) ((short) (long) (s * v) + icpt);
            }
        } else {
            for (int i = 0; i < n; i++) {
                short v = px[i] == -2000 ? 0 : px[i];
                px[i] = (short) (v + icpt);
            }
        }
    }

    /**
     * Step 5, first half: finds min and max of {@code px[0, n)} and fills {@code lut} so that
     * {@code lut[v - min]} is the 8-bit value of v, computed once per distinct value with exactly
     * the float64 expression {@code rint((v - min) / (max - min) * 255)}. A constant image maps to 0.
     *
     * @param lut at least {@link #LUT_SIZE} entries
     * @return min, to subtract before looking up
     */
    public static int minMaxLut(short[] px, int n, int[] lut) {
        int min = Short.MAX_VALUE;
        int max = Short.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            int v = px[i];
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (n == 0 || max == min) {
            lut[0] = 0;
            return n == 0 ? 0 : min;
        }
        int range = max - min;
        double dmin = min;
        double drange = (double) max - dmin;
        for (int v = 0; v <= range; v++) {
            lut[v] = (int) Math.rint(((min + v) - dmin) / drange * 255.0);
        }
        return min;
    }

    /** Step 5, second half: {@code out[i] = lut[px[i] - min]} for i in [0, n). */
    public static void to8Bit(short[] px, int n, int min, int[] lut, byte[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = (byte) lut[px[i] - min];
        }
    }

    /** Size of the lookup table {@link #minMaxLut} needs: one entry per int16 value. */
    public static final int LUT_SIZE = 65536;
}
