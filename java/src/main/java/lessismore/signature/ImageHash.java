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
        int[] px = PilLanczos.resize(gray, w, h, scale, scale);
        // buf is scale × scale; after k forward steps it holds pywt's coefficients in Mallat layout:
        // the approximation top-left, each level's (da, ad, dd) details in the quadrants beside it.
        double[] buf = new double[scale * scale];
        for (int i = 0; i < buf.length; i++) {
            buf[i] = px[i] / 255.;
        }
        double[] tmp = new double[scale * scale];
        for (int s = scale; s >= 2; s /= 2) {
            haarForward(buf, tmp, scale, s);
        }
        buf[0] = 0; // remove_max_haar_ll: the 1 × 1 approximation of the full decomposition
        for (int s = 2; s <= scale; s *= 2) {
            haarInverse(buf, tmp, scale, s);
        }
        for (int s = scale; s > hashSize; s /= 2) {
            haarForward(buf, tmp, scale, s);
        }
        double[] low = new double[hashSize * hashSize];
        for (int y = 0; y < hashSize; y++) {
            System.arraycopy(buf, y * scale, low, y * hashSize, hashSize);
        }
        return aboveMedian(low);
    }

    /**
     * One level of pywt's {@code dwt2(., 'haar')} on the top-left s × s of {@code buf} (row stride
     * {@code stride}), in place: afterwards its quadrants hold aa (approximation), ad, da, dd.
     */
    private static void haarForward(double[] buf, double[] tmp, int stride, int s) {
        int half = s / 2;
        // Axis 0: rows [0, half) of tmp get the approximation, rows [half, s) the detail.
        for (int i = 0; i < half; i++) {
            int even = 2 * i * stride;
            int odd = even + stride;
            int a = i * stride;
            int d = (half + i) * stride;
            for (int x = 0; x < s; x++) {
                double e = buf[even + x];
                double o = buf[odd + x];
                tmp[a + x] = HAAR * o + HAAR * e;
                tmp[d + x] = -HAAR * o + HAAR * e;
            }
        }
        // Axis 1 on every row: columns [0, half) approximation, [half, s) detail.
        for (int r = 0; r < s; r++) {
            int row = r * stride;
            for (int j = 0; j < half; j++) {
                double e = tmp[row + 2 * j];
                double o = tmp[row + 2 * j + 1];
                buf[row + j] = HAAR * o + HAAR * e;
                buf[row + half + j] = -HAAR * o + HAAR * e;
            }
        }
    }

    /**
     * One level of pywt's {@code idwt2(., 'haar')} on the top-left s × s of {@code buf}, in place:
     * the inverse of {@link #haarForward} (rec_lo = (h, h), rec_hi = (h, −h)).
     */
    private static void haarInverse(double[] buf, double[] tmp, int stride, int s) {
        int half = s / 2;
        // Axis 1 on every row: (approximation, detail) columns back to 2 · half columns.
        for (int r = 0; r < s; r++) {
            int row = r * stride;
            for (int j = 0; j < half; j++) {
                double a = buf[row + j];
                double d = buf[row + half + j];
                tmp[row + 2 * j] = HAAR * a + HAAR * d;
                tmp[row + 2 * j + 1] = HAAR * a + -HAAR * d;
            }
        }
        // Axis 0: (approximation, detail) rows back to 2 · half rows.
        for (int i = 0; i < half; i++) {
            int a = i * stride;
            int d = (half + i) * stride;
            int even = 2 * i * stride;
            int odd = even + stride;
            for (int x = 0; x < s; x++) {
                buf[even + x] = HAAR * tmp[a + x] + HAAR * tmp[d + x];
                buf[odd + x] = HAAR * tmp[a + x] + -HAAR * tmp[d + x];
            }
        }
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
