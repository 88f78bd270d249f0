package lessismore.kernels;

import java.util.Objects;
import lessismore.signature.ImageHash;

/**
 * Batch perceptual hashing, the CPU reference of {@link CudaPerceptualHash}: the dHash, aHash or
 * pHash of imagehash 4.3 ({@link ImageHash}, Pillow's LANCZOS resize in fixed point) of each of
 * {@code count} images of equal size w × h, stored one after another, row-major.
 *
 * <p>Output: {@link #words(int)} = hashSize² / 64 longs per image, image i at {@code [i * words,
 * (i + 1) * words)}, each image's words exactly what {@link ImageHash} returns (first hash bit in
 * the most significant bit of the first word).
 *
 * <p>Two inputs: 8-bit images ({@link #hash}), and int16 pixels with one 8-bit lookup table per
 * image ({@link #hashInt16}), the form {@link lessismore.reduce.SliceDecoder} keeps a slice in:
 * pixel v of image i has grey value {@code luts[lutOffset[i] + v - lutMin[i]] & 0xFF}, the table
 * {@link lessismore.preprocess.Preprocessing#lut} fills (stored as bytes), so hashing the int16
 * form gives the bits of hashing the slice after {@code SliceDecoder.to8Bit()}.
 *
 * <p>Hash sizes 8 and 16 (the sizes the device kernels support). wHash has no batch form.
 */
public final class PerceptualHash {
    /** The hashes of the batch form; the ordinal is the kernels' kind code. */
    public enum Kind {
        /** {@link ImageHash#dhash}: resize to (n + 1) × n, right neighbour brighter. */
        DHASH,
        /** {@link ImageHash#ahash}: resize to n × n, above the mean. */
        AHASH,
        /** {@link ImageHash#phash}: resize to 4n × 4n, DCT, above the median of the n × n block. */
        PHASH;

        /** Width of the resized image for hash size n. */
        public int resizedWidth(int n) {
            return switch (this) {
                case DHASH -> n + 1;
                case AHASH -> n;
                case PHASH -> 4 * n;
            };
        }

        /** Height of the resized image for hash size n. */
        public int resizedHeight(int n) {
            return this == PHASH ? 4 * n : n;
        }
    }

    private PerceptualHash() {
    }

    /** Longs per image hash: hashSize² / 64. */
    public static int words(int hashSize) {
        checkHashSize(hashSize);
        return hashSize * hashSize / 64;
    }

    /** The hash of one 8-bit w × h image, as {@link ImageHash} computes it. */
    public static long[] hashOne(Kind kind, int hashSize, byte[] gray, int w, int h) {
        checkHashSize(hashSize);
        return switch (kind) {
            case DHASH -> ImageHash.dhash(gray, w, h, hashSize);
            case AHASH -> ImageHash.ahash(gray, w, h, hashSize);
            case PHASH -> ImageHash.phash(gray, w, h, hashSize);
        };
    }

    /**
     * Hashes of {@code count} 8-bit images.
     *
     * @param images count × h × w unsigned bytes (more is allowed and ignored)
     * @return count × {@link #words(int)} longs
     */
    public static long[] hash(Kind kind, int hashSize, byte[] images, int count, int w, int h) {
        checkBatch(kind, hashSize, images.length, count, w, h);
        int words = words(hashSize);
        int n = w * h;
        long[] out = new long[count * words];
        byte[] gray = new byte[n];
        for (int i = 0; i < count; i++) {
            System.arraycopy(images, i * n, gray, 0, n);
            System.arraycopy(hashOne(kind, hashSize, gray, w, h), 0, out, i * words, words);
        }
        return out;
    }

    /**
     * Hashes of {@code count} int16 images mapped to 8 bits through their lookup tables.
     *
     * @param pixels    count × h × w int16 values
     * @param luts      the tables of all images, packed: image i's starts at lutOffset[i]
     * @param lutMin    per image, the int16 value of its table's first entry
     * @param lutOffset per image, where its table starts in {@code luts}
     * @return count × {@link #words(int)} longs
     * @throws IllegalArgumentException if a pixel falls outside its image's table
     */
    public static long[] hashInt16(Kind kind, int hashSize, short[] pixels, int count, int w, int h, byte[] luts,
            int[] lutMin, int[] lutOffset) {
        checkBatch(kind, hashSize, pixels.length, count, w, h);
        checkLuts(count, luts, lutMin, lutOffset);
        int words = words(hashSize);
        int n = w * h;
        long[] out = new long[count * words];
        byte[] gray = new byte[n];
        for (int i = 0; i < count; i++) {
            int min = lutMin[i];
            int off = lutOffset[i];
            for (int p = 0; p < n; p++) {
                int at = off + pixels[i * n + p] - min;
                if (pixels[i * n + p] < min || at >= luts.length) {
                    throw new IllegalArgumentException("image " + i + ": pixel " + pixels[i * n + p]
                            + " outside its lookup table (min " + min + ", offset " + off + ")");
                }
                gray[p] = luts[at];
            }
            System.arraycopy(hashOne(kind, hashSize, gray, w, h), 0, out, i * words, words);
        }
        return out;
    }

    /** The hash sizes of the batch form: 8 and 16. */
    static void checkHashSize(int hashSize) {
        if (hashSize != 8 && hashSize != 16) {
            throw new IllegalArgumentException("batch hash size must be 8 or 16, not " + hashSize);
        }
    }

    /** Arguments common to every batch call; {@code elements} is the input array's length. */
    static void checkBatch(Kind kind, int hashSize, long elements, int count, int w, int h) {
        Objects.requireNonNull(kind, "kind");
        checkHashSize(hashSize);
        if (count < 0 || w < 1 || h < 1) {
            throw new IllegalArgumentException("bad batch shape: count " + count + ", " + w + " x " + h);
        }
        if ((long) count * w * h > elements) {
            throw new IllegalArgumentException(count + " images of " + w + " x " + h + " need "
                    + (long) count * w * h + " pixels, the input holds " + elements);
        }
        if ((long) w * h > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("image too large: " + w + " x " + h);
        }
    }

    /** One table start and minimum per image, starts inside {@code luts}. */
    static void checkLuts(int count, byte[] luts, int[] lutMin, int[] lutOffset) {
        if (lutMin.length < count || lutOffset.length < count) {
            throw new IllegalArgumentException("need a lutMin and a lutOffset per image: " + count + " images, "
                    + lutMin.length + " and " + lutOffset.length + " given");
        }
        for (int i = 0; i < count; i++) {
            if (lutOffset[i] < 0 || lutOffset[i] >= luts.length) {
                throw new IllegalArgumentException("image " + i + ": lutOffset " + lutOffset[i]
                        + " outside luts (" + luts.length + " bytes)");
            }
        }
    }
}
