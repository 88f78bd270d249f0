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
        if (h.bitsAllocated() > 16) {
            throw new SkippedFileException(SkipReason.UNSUPPORTED, "unsupported: BitsAllocated "
                    + h.bitsAllocated() + " (dose or parametric maps; CT slices have 8 or 16)");
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
                src = concatenatedFragments(h, k);
                off = 0;
                len = src.length;
            }
            FrameInfo info = new FrameInfo(h.rows(), h.columns(), 1, h.bitsAllocated(), h.bitsStored(),
                    h.pixelRepresentation() == 1);
            try {
                codec.decode(src, off, len, info, out);
            } catch (CodecException e) {
                throw codecFailure(h, k, e);
            }
            applyBits(h, out, n);
        } else {
            decodeNative(h, h.buffer(), h.pixelDataOffset() + k * h.frameBytes(), out);
        }
    }

    /**
     * Native greyscale frame whose bytes start at {@code src[off]} (the file's buffer, or a frame
     * read on its own from a large file) to stored values, as {@link #decodeFrame}.
     */
    public static void decodeNative(DicomHeader h, byte[] src, int off, short[] out) {
        int n = h.rows() * h.columns();
        if (h.bitsAllocated() == 16) {
            // Bulk copy in the data's byte order (an intrinsic, fast from the first slice on,
            // before the JIT has compiled anything), then fix up bits in a loop C2 vectorizes.
            ByteBuffer.wrap(src, off, n * 2)
                    .order(h.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
                    .asShortBuffer().get(out, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = (short) (src[off + i] & 0xFF);
            }
        }
        applyBits(h, out, n);
    }

    /**
     * Every sample of frame {@code k}, greyscale or colour, 8, 16 or 32 bits allocated, as int:
     * row-major, colour samples interleaved per pixel whatever the Planar Configuration, masked to
     * BitsStored and sign-extended like {@link #decodeFrame}. This is the general path, used to
     * check the reader against other tools on arbitrary files; reduction uses {@link #decodeFrame}.
     *
     * @throws SkippedFileException when the frame's compressed data cannot be decoded
     */
    public static int[] decodeSamples(DicomHeader h, int k, Codecs codecs) throws SkippedFileException {
        int spp = h.samplesPerPixel();
        int n = h.rows() * h.columns();
        int[] out = new int[n * spp];
        if (h.encapsulated()) {
            FrameCodec codec = codecs.forTransferSyntax(h.transferSyntaxUid());
            byte[] frame = concatenatedFragments(h, k);
            try {
                codec.decodeInts(frame, 0, frame.length, new FrameInfo(h.rows(), h.columns(), spp,
                        h.bitsAllocated(), h.bitsStored(), h.pixelRepresentation() == 1), out);
            } catch (CodecException e) {
                throw codecFailure(h, k, e);
            }
        } else if (h.bitsAllocated() == 1) {
            // Bit-packed (segmentations, overlays): frames follow each other without padding,
            // least significant bit first.
            long first = (long) k * n * spp;
            for (int i = 0; i < out.length; i++) {
                long bit = first + i;
                out[i] = (h.buffer()[h.pixelDataOffset() + (int) (bit >>> 3)] >> (int) (bit & 7)) & 1;
            }
            return out;
        } else if ("YBR_FULL_422".equals(h.photometricInterpretation()) && spp == 3 && h.bitsAllocated() == 8) {
            // Native 4:2:2: Y0 Y1 Cb Cr for every two pixels of a row; each pixel gets the pair's chroma.
            byte[] src = h.buffer();
            int base = h.pixelDataOffset() + k * h.frameBytes();
            for (int i = 0; i < n; i++) {
                int pair = base + (i / 2) * 4;
                out[3 * i] = src[pair + (i & 1)] & 0xFF;
                out[3 * i + 1] = src[pair + 2] & 0xFF;
                out[3 * i + 2] = src[pair + 3] & 0xFF;
            }
        } else {
            int bytes = h.bitsAllocated() / 8;
            ByteBuffer buf = ByteBuffer.wrap(h.buffer())
                    .order(h.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            int base = h.pixelDataOffset() + k * h.frameBytes();
            for (int i = 0; i < n * spp; i++) {
                // Planar data is stored sample plane by sample plane; output is interleaved.
                int src = h.planarConfiguration() == 1 && spp > 1 ? (i % spp) * n + i / spp : i;
                int at = base + src * bytes;
                out[i] = switch (bytes) {
                    case 1 -> buf.get(at) & 0xFF;
                    case 2 -> buf.getShort(at) & 0xFFFF;
                    default -> buf.getInt(at);
                };
            }
        }
        int shift = h.highBit() - h.bitsStored() + 1;
        int bits = h.bitsStored();
        if (bits < 32) {
            for (int i = 0; i < out.length; i++) {
                int v = (out[i] >>> shift) & ((1 << bits) - 1);
                out[i] = h.pixelRepresentation() == 1 ? (v << (32 - bits)) >> (32 - bits) : v;
            }
        }
        return out;
    }

    /**
     * A codec's refusal as a skip: "unsupported" when the stream uses a feature no decoder here
     * has (progressive JPEG, HTJ2K, …), "corrupt" otherwise.
     */
    private static SkippedFileException codecFailure(DicomHeader h, int k, CodecException e) {
        String m = e.getMessage();
        boolean unsupported = m.contains("not supported") || m.contains("unsupported");
        return new SkippedFileException(unsupported ? SkipReason.UNSUPPORTED : SkipReason.CORRUPT,
                "cannot decode frame " + k + " (" + TransferSyntax.describe(h.transferSyntaxUid()) + "): " + m);
    }

    /** The compressed bytes of frame k: its fragments concatenated. */
    private static byte[] concatenatedFragments(DicomHeader h, int k) {
        int[][] frags = h.frameFragments(k);
        long total = 0;
        for (int[] f : frags) {
            total += f[1];
        }
        byte[] out = new byte[(int) total];
        int p = 0;
        for (int[] f : frags) {
            System.arraycopy(h.buffer(), f[0], out, p, f[1]);
            p += f[1];
        }
        return out;
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
