package lessismore.io.dicom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;
import lessismore.io.codec.CodecException;
import lessismore.io.codec.FrameCodec;
import lessismore.io.codec.FrameInfo;

/** Decodes the pixel data of one frame to stored values, native or through a codec. */
public final class DicomPixels {
    private DicomPixels() {
    }

    /**
     * Writes the stored value of every pixel of greyscale frame {@code k} into {@code out}, as int16
     * like the published pipeline's {@code pixel_array.astype(np.int16)}: bits outside
     * [HighBit - BitsStored + 1, HighBit] are masked off, the value is sign-extended from BitsStored
     * when PixelRepresentation is 1, and unsigned values above 32767 wrap like numpy's cast.
     *
     * @param h      the parsed header (its buffer holds the pixel data)
     * @param k      frame index
     * @param out    at least rows * columns values; pixel (x, y) goes to out[y * columns + x]
     * @param codecs decoders of compressed transfer syntaxes
     * @throws SkippedFileException when the frame is colour, or its compressed data cannot be decoded
     */
    public static void decodeFrame(DicomHeader h, int k, short[] out, Codecs codecs) throws SkippedFileException {
        if (h.samplesPerPixel() != 1) {
            throw new SkippedFileException(SkipReason.UNSUPPORTED, "unsupported: colour image ("
                    + h.photometricInterpretation() + ", " + h.samplesPerPixel() + " samples per pixel); "
                    + "CT slices are greyscale");
        }
        int n = h.rows() * h.columns();
        if (h.encapsulated()) {
            FrameCodec codec = codecs.forTransferSyntax(h.transferSyntaxUid());
            int[][] frags = h.frameFragments(k);
            byte[] src = h.buffer();
            int off;
            int len;
            if (frags.length == 1) {
                off = frags[0][0];
                len = frags[0][1];
            } else {
                // A frame split over several fragments: the codec sees them as one stream.
                long total = 0;
                for (int[] f : frags) {
                    total += f[1];
                }
                src = new byte[(int) total];
                int p = 0;
                for (int[] f : frags) {
                    System.arraycopy(h.buffer(), f[0], src, p, f[1]);
                    p += f[1];
                }
                off = 0;
                len = p;
            }
            FrameInfo info = new FrameInfo(h.rows(), h.columns(), 1, h.bitsAllocated(), h.bitsStored(),
                    h.pixelRepresentation() == 1);
            try {
                codec.decode(src, off, len, info, out);
            } catch (CodecException e) {
                throw new SkippedFileException(SkipReason.CORRUPT,
                        "cannot decode frame " + k + " (" + TransferSyntax.describe(h.transferSyntaxUid()) + "): "
                                + e.getMessage());
            }
        } else {
            int off = h.pixelDataOffset() + k * h.frameBytes();
            if (h.bitsAllocated() == 16) {
                // Bulk copy in the data's byte order (an intrinsic), then fix up bits below.
                ByteBuffer.wrap(h.buffer(), off, n * 2)
                        .order(h.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
                        .asShortBuffer().get(out, 0, n);
            } else {
                byte[] src = h.buffer();
                for (int i = 0; i < n; i++) {
                    out[i] = (short) (src[off + i] & 0xFF);
                }
            }
        }
        applyBits(h, out, n);
    }

    /** Masks to BitsStored at HighBit and sign-extends when PixelRepresentation is 1, in place. */
    static void applyBits(DicomHeader h, short[] out, int n) {
        int shift = h.highBit() - h.bitsStored() + 1;
        int bits = h.bitsStored();
        boolean signed = h.pixelRepresentation() == 1;
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
    }
}
