package lessismore.signature;

import java.nio.ByteBuffer;

/**
 * The signature that pixel-comparing methods ({@link SsimMethod}, {@link MutualInformationMethod})
 * keep per slice: the preprocessed 8-bit image, down-sampled (or up-sampled) to a fixed square
 * compare size with Pillow's LANCZOS filter ({@link PilLanczos}), or at its native size.
 *
 * <p>Layout of the {@code byte[]}: width × height unsigned pixels, row-major, then width and height
 * as two big-endian ints (8 bytes), so the pixels start at index 0 and two signatures can be
 * checked for equal size before they are compared.
 */
public final class SampledImage {
    /** Default compare size, 128 × 128: see {@link SsimMethod} for the measurements behind it. */
    public static final int DEFAULT_COMPARE_SIZE = 128;
    private static final int TRAILER = 2 * Integer.BYTES;

    private SampledImage() {
    }

    /**
     * The signature of a w × h image.
     *
     * @param gray        w · h unsigned bytes, row-major; copied, never kept
     * @param compareSize side of the square the image is resized to, or 0 to keep its native size
     */
    public static byte[] of(byte[] gray, int w, int h, int compareSize) {
        int outW = compareSize == 0 ? w : compareSize;
        int outH = compareSize == 0 ? h : compareSize;
        byte[] sig = new byte[outW * outH + TRAILER];
        if (outW == w && outH == h) {
            System.arraycopy(gray, 0, sig, 0, w * h);
        } else {
            int[] resized = PilLanczos.resize(gray, w, h, outW, outH);
            for (int i = 0; i < resized.length; i++) {
                sig[i] = (byte) resized[i];
            }
        }
        ByteBuffer.wrap(sig, outW * outH, TRAILER).putInt(outW).putInt(outH);
        return sig;
    }

    /** Width of the image a signature holds. */
    public static int width(byte[] sig) {
        return ByteBuffer.wrap(sig).getInt(sig.length - TRAILER);
    }

    /** Height of the image a signature holds. */
    public static int height(byte[] sig) {
        return ByteBuffer.wrap(sig).getInt(sig.length - TRAILER + Integer.BYTES);
    }

    /**
     * Checks that two signatures hold images of one size (they can only differ when slices are
     * compared at their native sizes).
     *
     * @throws IllegalArgumentException naming {@code --compare-size} when they differ
     */
    static void requireSameSize(byte[] a, byte[] b) {
        if (width(a) != width(b) || height(a) != height(b)) {
            throw new IllegalArgumentException("cannot compare a " + width(a) + "×" + height(a) + " slice with a "
                    + width(b) + "×" + height(b) + " slice at native size; set --compare-size to a size in pixels"
                    + " to resize every slice to that square before comparing");
        }
    }

    /** A signer that computes each signature at once (pure CPU work, nothing to batch). */
    static Signer<byte[]> signer(int compareSize) {
        return (gray, w, h, sink) -> sink.accept(of(gray, w, h, compareSize));
    }

    /** Checks a compare size: 0 (native) or at least {@code min} pixels. */
    static int checkCompareSize(int compareSize, int min) {
        if (compareSize != 0 && compareSize < min) {
            throw new IllegalArgumentException("--compare-size must be 0 (native size) or at least " + min
                    + " pixels, got " + compareSize);
        }
        return compareSize;
    }
}
