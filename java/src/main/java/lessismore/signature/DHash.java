package lessismore.signature;

/**
 * The difference hash of imagehash 4.3 ({@code imagehash.dhash(image, hash_size)}): the 8-bit image
 * resized to (hashSize + 1) × hashSize with Pillow's LANCZOS filter, one bit per horizontally
 * adjacent pair, set when the right pixel is brighter than the left, row-major, first bit most
 * significant.
 */
public final class DHash {
    private DHash() {
    }

    /**
     * 64-bit dHash (hash size 8) of a w × h 8-bit image.
     *
     * @param gray w * h unsigned bytes, row-major
     */
    public static long dhash64(byte[] gray, int w, int h) {
        return bits(PilLanczos.resize(gray, w, h, 9, 8));
    }

    /**
     * 64-bit dHash of a w × h 8-bit image given row by row (the reduce pipeline maps int16 rows to
     * 8 bits on the fly instead of materializing the byte image).
     */
    public static long dhash64(PilLanczos.Rows rows, int w, int h) {
        return bits(PilLanczos.resize(rows, w, h, 9, 8));
    }

    /** The 64 comparison bits of a 9 × 8 image. */
    private static long bits(int[] small) {
        long bits = 0;
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                bits = bits << 1 | (small[y * 9 + x + 1] > small[y * 9 + x] ? 1 : 0);
            }
        }
        return bits;
    }

    /** 16 lowercase hex digits, as imagehash prints a 64-bit hash. */
    public static String toHex(long hash) {
        return String.format("%016x", hash);
    }

    /** Number of differing bits. */
    public static int hamming(long a, long b) {
        return Long.bitCount(a ^ b);
    }
}
