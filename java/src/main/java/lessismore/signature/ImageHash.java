package lessismore.signature;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The perceptual hashes of imagehash 4.3 with their default parameters, on 8-bit grey images:
 * {@code dhash}, {@code average_hash}, {@code phash} and {@code whash}. Every resize is Pillow's
 * LANCZOS ({@link PilLanczos}, what imagehash calls ANTIALIAS), and the floating-point steps use
 * doubles where numpy, scipy and pywt do.
 *
 * <p>A hash is returned as {@code long[]} words holding the bits in imagehash's
 * {@code hash.flatten()} order (row-major over the hash grid): bit i is bit {@code 63 - i % 64} of
 * word {@code i / 64}, so the first bit is the most significant bit of word 0 and a 64-bit hash is
 * one word whose {@code %016x} is imagehash's {@code str(hash)}. Unused low bits of the last word
 * are zero.
 *
 * <p>Ties: imagehash sets a bit only when a value is strictly greater than the threshold (the mean
 * for ahash, the median for phash and whash, the left neighbour for dhash), so a value equal to it
 * gives 0; the same strict comparison is used here. Whether two values tie depends on the exact
 * doubles, which is why the mean and median are formed as numpy forms them and the Haar steps
 * repeat pywt's operations in pywt's order (see {@link #whash}). The DCT of phash is the exception;
 * see {@link #phash}.
 */
public final class ImageHash {
    /** pywt's Haar filter taps: 1/√2 rounded to double (0x3FE6A09E667F3BCD). */
    private static final double HAAR = 0.7071067811865476;
    /** Cosine tables of the DCT-II by transform length: cos(π k (2m + 1) / 2N) at [k * N + m]. */
    private static final ConcurrentHashMap<Integer, double[]> COSINES = new ConcurrentHashMap<>();

    private ImageHash() {
    }

    /**
     * {@code imagehash.dhash(image, hashSize)}: resize to (hashSize + 1) × hashSize, one bit per
     * horizontally adjacent pair, set when the right pixel is brighter.
     *
     * @param gray w × h unsigned bytes, row-major
     * @return hashSize² bits
     */
    public static long[] dhash(byte[] gray, int w, int h, int hashSize) {
        checkSize(hashSize);
        if (hashSize == 8) {
            // The reduce pipeline's proven, tuned 64-bit path.
            return new long[] {DHash.dhash64(gray, w, h)};
        }
        int n = hashSize;
        int[] px = PilLanczos.resize(gray, w, h, n + 1, n);
        long[] bits = words(n * n);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                if (px[y * (n + 1) + x + 1] > px[y * (n + 1) + x]) {
                    set(bits, y * n + x);
                }
            }
        }
        return bits;
    }

    /**
     * {@code imagehash.average_hash(image, hashSize)}: resize to hashSize × hashSize, bit set where
     * the pixel is greater than the mean pixel.
     *
     * <p>numpy.mean of a uint8 array sums in float64 and divides by the count; a sum of at most
     * 2<sup>53</sup> small integers is exact in any order, so {@code sum / count} with one rounding
     * is numpy's mean to the bit.
     *
     * @param gray w × h unsigned bytes, row-major
     * @return hashSize² bits
     */
    public static long[] ahash(byte[] gray, int w, int h, int hashSize) {
        checkSize(hashSize);
        int n = hashSize * hashSize;
        int[] px = PilLanczos.resize(gray, w, h, hashSize, hashSize);
        long sum = 0;
        for (int v : px) {
            sum += v;
        }
        double mean = (double) sum / n;
        long[] bits = words(n);
        for (int i = 0; i < n; i++) {
            if (px[i] > mean) {
                set(bits, i);
            }
        }
        return bits;
    }

    /**
     * {@code imagehash.phash(image, hashSize)} (highfreq_factor 4): resize to N × N with
     * N = 4 · hashSize, unnormalized DCT-II ({@code scipy.fftpack.dct}: y[k] = 2 Σ x[m]
     * cos(π k (2m + 1) / 2N)) along axis 0 and then axis 1, keep the top-left hashSize × hashSize
     * block, bit set where the coefficient is greater than the block's median.
     *
     * <p>Only the kept block is computed, by direct sums over a cosine table, where scipy runs an
     * FFT-based DCT over the whole image (pocketfft). The coefficients agree to about 1e-13 of their
     * magnitude, not to the bit, so a bit could differ only where a coefficient lies that close to
     * the median; on the shared CT slices and their crops the smallest gap is 9e-9 of the block's
     * largest coefficient (printed by scripts/golden/make_imagehash_golden.py), and every bit
     * matches. A blank slice (all zeros, what the published preprocessing makes of a constant one)
     * gives exact zeros on both sides and an all-zero hash.
     *
     * @param gray w × h unsigned bytes, row-major
     * @return hashSize² bits
     */
    public static long[] phash(byte[] gray, int w, int h, int hashSize) {
        checkSize(hashSize);
        int hs = hashSize;
        int big = 4 * hs;
        int[] px = PilLanczos.resize(gray, w, h, big, big);
        double[] cos = COSINES.computeIfAbsent(big, ImageHash::cosines);
        // cols[k * big + x]: DCT along axis 0 (down each column x), first hs frequencies k only.
        double[] cols = new double[hs * big];
        for (int k = 0; k < hs; k++) {
            for (int x = 0; x < big; x++) {
                double s = 0;
                for (int m = 0; m < big; m++) {
                    s += px[m * big + x] * cos[k * big + m];
                }
                cols[k * big + x] = 2 * s;
            }
        }
        // block[k * hs + j]: DCT of row k of cols along axis 1, first hs frequencies j only.
        double[] block = new double[hs * hs];
        for (int k = 0; k < hs; k++) {
            for (int j = 0; j < hs; j++) {
                double s = 0;
                for (int x = 0; x < big; x++) {
                    s += cols[k * big + x] * cos[j * big + x];
                }
                block[k * hs + j] = 2 * s;
            }
        }
        return aboveMedian(block);
    }

    /**
     * {@code imagehash.whash(image, hashSize)} with its defaults (mode 'haar',
     * remove_max_haar_ll=True, image_scale=None): S = the largest power of 2 ≤ min(w, h) (at least
     * hashSize); resize to S × S (Pillow returns an unchanged copy when the size is equal, as
     * {@link PilLanczos} does); divide by 255; full Haar wavedec2 (log2 S levels), zero the 1 × 1
     * approximation, waverec2; Haar wavedec2 again at level log2 S − log2 hashSize; bit set where
     * the approximation band is greater than its median.
     *
     * <p>Each Haar step is computed exactly as pywt computes it (even-length input, so no boundary
     * extension): the 2-D transform filters axis 0 and then axis 1, each output being
     * {@code f[0] * x[2i+1] + f[1] * x[2i]} with dec_lo = (h, h) and dec_hi = (−h, h); the inverse
     * runs axis 1 first, then axis 0, each output being the approximation term plus the detail term,
     * {@code h·a + h·d} and {@code h·a + (−h)·d}. Same doubles in the same order give the same
     * values, so equal coefficients (flat background) tie with the median exactly as in pywt; the
     * golden file's masked slices check this (h·(a + b) instead of h·a + h·b flips bits there).
     *
     * @param gray     w × h unsigned bytes, row-major
     * @param hashSize a power of 2, at least 2
     * @return hashSize² bits
     */
    public static long[] whash(byte[] gray, int w, int h, int hashSize) {
        checkSize(hashSize);
        if (Integer.bitCount(hashSize) != 1) {
            throw new IllegalArgumentException("whash: hash size must be a power of 2, not " + hashSize);
        }
        int scale = Math.max(Integer.highestOneBit(Math.min(w, h)), hashSize);
        int levels = Integer.numberOfTrailingZeros(scale);
        int[] px = PilLanczos.resize(gray, w, h, scale, scale);
        double[] a = new double[scale * scale];
        for (int i = 0; i < a.length; i++) {
            a[i] = px[i] / 255.;
        }
        // Full decomposition; details[l] = {da, ad, dd} of level l + 1, each (scale >> l + 1)² values.
        double[][][] details = new double[levels][][];
        for (int l = 0, side = scale; l < levels; l++, side /= 2) {
            int n = side / 2 * (side / 2);
            details[l] = new double[][] {new double[n], new double[n], new double[n]};
            a = haarForward(a, side, details[l]);
        }
        a[0] = 0; // remove_max_haar_ll: the 1 × 1 approximation set to zero
        for (int l = levels - 1; l >= 1; l--) {
            a = haarInverse(a, scale >> l + 1, details[l], false);
        }
        // The last inverse level gives the full-size reconstruction; when the second decomposition
        // has levels, its first one is taken block by block on the way (same values, no S × S array).
        boolean again = scale > hashSize;
        a = haarInverse(a, scale / 2, details[0], again);
        // Second decomposition: only its approximation is used, so its details are not formed.
        for (int side = scale / 2; again && side > hashSize; side /= 2) {
            a = haarForward(a, side, null);
        }
        return aboveMedian(a);
    }

    /**
     * One level of pywt's {@code dwt2(x, 'haar')} of the side × side image x: returns the
     * approximation aa, (side / 2)², and, unless {@code details} is null, writes the details
     * da (axis 0 detail, axis 1 approximation), ad and dd into details[0..2]. Each 2 × 2 block
     * gives one value of each band: axis 0 first (columns 2j and 2j + 1), then axis 1.
     */
    private static double[] haarForward(double[] x, int side, double[][] details) {
        int half = side / 2;
        double[] aa = new double[half * half];
        for (int i = 0; i < half; i++) {
            int even = 2 * i * side;
            int odd = even + side;
            for (int j = 0; j < half; j++) {
                double e0 = x[even + 2 * j];
                double e1 = x[even + 2 * j + 1];
                double o0 = x[odd + 2 * j];
                double o1 = x[odd + 2 * j + 1];
                double aL = HAAR * o0 + HAAR * e0;
                double aR = HAAR * o1 + HAAR * e1;
                int k = i * half + j;
                aa[k] = HAAR * aR + HAAR * aL;
                if (details != null) {
                    double dL = -HAAR * o0 + HAAR * e0;
                    double dR = -HAAR * o1 + HAAR * e1;
                    details[0][k] = HAAR * dR + HAAR * dL;
                    details[1][k] = -HAAR * aR + HAAR * aL;
                    details[2][k] = -HAAR * dR + HAAR * dL;
                }
            }
        }
        return aa;
    }

    /**
     * One level of pywt's {@code idwt2((aa, (da, ad, dd)), 'haar')}, the inverse of
     * {@link #haarForward} (rec_lo = (h, h), rec_hi = (h, −h)): the (2 · half)² image, or with
     * {@code thenApproximate} the approximation of that image's {@code dwt2} ({@link #haarForward}'s
     * aa, half²), computed from each reconstructed 2 × 2 block without storing the image. Each
     * block: axis 1 first (the aa/ad pair and the da/dd pair), then axis 0.
     */
    private static double[] haarInverse(double[] aa, int half, double[][] details, boolean thenApproximate) {
        int side = 2 * half;
        double[] x = new double[thenApproximate ? half * half : side * side];
        double[] da = details[0];
        double[] ad = details[1];
        double[] dd = details[2];
        for (int i = 0; i < half; i++) {
            int even = 2 * i * side;
            int odd = even + side;
            for (int j = 0; j < half; j++) {
                int k = i * half + j;
                double aL = HAAR * aa[k] + HAAR * ad[k];
                double aR = HAAR * aa[k] + -HAAR * ad[k];
                double dL = HAAR * da[k] + HAAR * dd[k];
                double dR = HAAR * da[k] + -HAAR * dd[k];
                double x00 = HAAR * aL + HAAR * dL;
                double x10 = HAAR * aL + -HAAR * dL;
                double x01 = HAAR * aR + HAAR * dR;
                double x11 = HAAR * aR + -HAAR * dR;
                if (thenApproximate) {
                    // haarForward's aa of this block: e0 = x00, o0 = x10, e1 = x01, o1 = x11.
                    x[k] = HAAR * (HAAR * x11 + HAAR * x01) + HAAR * (HAAR * x10 + HAAR * x00);
                } else {
                    x[even + 2 * j] = x00;
                    x[odd + 2 * j] = x10;
                    x[even + 2 * j + 1] = x01;
                    x[odd + 2 * j + 1] = x11;
                }
            }
        }
        return x;
    }

    /**
     * Bits of {@code values > numpy.median(values)}. numpy's median of an even count is the mean of
     * the two middle values, (a + b) / 2 in float64, and of an odd count the middle value.
     */
    private static long[] aboveMedian(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        long[] bits = words(n);
        for (int i = 0; i < n; i++) {
            if (values[i] > median) {
                set(bits, i);
            }
        }
        return bits;
    }

    /**
     * The cosine table {@link #phash} uses for a transform of length n (n = 4 · hashSize):
     * cos(π k (2m + 1) / 2n) at [k * n + m], a copy. Device code that must give phash's bits uploads
     * this table rather than computing its own cosines.
     */
    public static double[] dctCosines(int n) {
        return COSINES.computeIfAbsent(n, ImageHash::cosines).clone();
    }

    /** DCT-II cosines for length n, with StrictMath so every JVM gets the same table. */
    private static double[] cosines(int n) {
        double[] c = new double[n * n];
        for (int k = 0; k < n; k++) {
            for (int m = 0; m < n; m++) {
                c[k * n + m] = StrictMath.cos(Math.PI * k * (2 * m + 1) / (2.0 * n));
            }
        }
        return c;
    }

    /**
     * imagehash's {@code str(hash)}: the bits as one binary number, lower-case hex, zero-padded to
     * ceil(nbits / 4) digits (so a 9-bit hash is 3 digits, its first bit worth 0x100).
     *
     * @param bits  hash words as returned by this class
     * @param nbits number of bits in the hash
     */
    public static String hex(long[] bits, int nbits) {
        if (nbits < 1 || bits.length != (nbits + 63) / 64) {
            throw new IllegalArgumentException(nbits + " bits do not fit " + bits.length + " words");
        }
        int digits = (nbits + 3) / 4;
        int[] value = new int[digits];
        for (int i = 0; i < nbits; i++) {
            if ((bits[i >>> 6] << (i & 63)) < 0) { // bit i is set
                int p = nbits - 1 - i; // its place value in the binary number, 2^p
                value[digits - 1 - p / 4] |= 1 << (p % 4);
            }
        }
        char[] out = new char[digits];
        for (int d = 0; d < digits; d++) {
            out[d] = Character.forDigit(value[d], 16);
        }
        return new String(out);
    }

    /** Number of differing bits of two hashes of the same length (imagehash's {@code a - b}). */
    public static int hamming(long[] a, long[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "hashes of different lengths: " + a.length + " and " + b.length + " words");
        }
        int d = 0;
        for (int i = 0; i < a.length; i++) {
            d += Long.bitCount(a[i] ^ b[i]);
        }
        return d;
    }

    /** imagehash refuses hash sizes below 2 for every hash. */
    private static void checkSize(int hashSize) {
        if (hashSize < 2) {
            throw new IllegalArgumentException("hash size must be at least 2, not " + hashSize);
        }
    }

    private static long[] words(int nbits) {
        return new long[(nbits + 63) / 64];
    }

    private static void set(long[] words, int i) {
        words[i >>> 6] |= Long.MIN_VALUE >>> (i & 63);
    }
}
