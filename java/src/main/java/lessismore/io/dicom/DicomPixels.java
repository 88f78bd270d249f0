package lessismore.io.dicom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Decodes native (uncompressed, little-endian) pixel data to stored values. */
public final class DicomPixels {
    private DicomPixels() {
    }

    /**
     * Writes the stored value of every pixel of a single-frame greyscale image into {@code out}, as
     * int16 like the published pipeline's {@code pixel_array.astype(np.int16)}: bits outside
     * [HighBit - BitsStored + 1, HighBit] are masked off, the value is sign-extended from BitsStored
     * when PixelRepresentation is 1, and unsigned values above 32767 wrap like numpy's cast.
     *
     * @param file the whole file's bytes
     * @param h    its parsed header
     * @param out  at least rows * columns values; pixel (x, y) goes to out[y * columns + x]
     */
    public static void decodeStored(byte[] file, DicomHeader h, short[] out) {
        int n = h.rows() * h.columns();
        int off = h.pixelDataOffset();
        int shift = h.highBit() - h.bitsStored() + 1;
        int bits = h.bitsStored();
        boolean signed = h.pixelRepresentation() == 1;
        if (h.bitsAllocated() == 16) {
            // Bulk little-endian copy (an intrinsic), then fix up bits in a loop C2 vectorizes.
            ByteBuffer.wrap(file, off, n * 2).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out, 0, n);
            if (shift == 0 && bits == 16) {
                return;
            }
            if (signed) {
                // Move the stored field to the top of an int, then shift back arithmetically.
                int up = 32 - (shift + bits);
                int down = 32 - bits;
                for (int i = 0; i < n; i++) {
                    out[i] = (short) ((out[i] << up) >> down);
                }
            } else {
                int mask = (1 << bits) - 1;
                for (int i = 0; i < n; i++) {
                    out[i] = (short) (((out[i] & 0xFFFF) >>> shift) & mask);
                }
            }
        } else {
            int up = 32 - (shift + bits);
            int down = 32 - bits;
            int mask = (1 << bits) - 1;
            for (int i = 0; i < n; i++) {
                int raw = file[off + i] & 0xFF;
                out[i] = (short) (signed ? (raw << up) >> down : (raw >>> shift) & mask);
            }
        }
    }
}
