package lessismore.io.codec;

import java.util.Arrays;

/**
 * DICOM RLE Lossless (transfer syntax 1.2.840.10008.1.2.5, PS3.5 Annex G).
 *
 * <p>A frame is a 64-byte header (sixteen little-endian unsigned 32-bit values: the number of
 * segments, 1 to 15, then the offset of each segment from the start of the frame, unused ones 0)
 * followed by the segments. Each segment is one byte plane, PackBits-compressed: for each sample
 * of a pixel (R, G, B in that order for colour), one segment per byte of the sample, most
 * significant byte first. So a 16-bit grey frame has 2 segments (high bytes, low bytes), an 8-bit
 * RGB frame 3 (R, G, B), a 16-bit RGB frame 6 (R high, R low, G high, …).
 *
 * <p>PackBits: a header byte {@code n} read as signed; {@code 0..127} copies the next {@code n + 1}
 * bytes, {@code -1..-127} repeats the next byte {@code 1 - n} times, {@code -128} does nothing.
 *
 * <p>Leniency, chosen to match what encoders in the wild write: a segment may hold bytes after
 * its plane is complete (padding to an even length, or a run that spills past the last row);
 * they are ignored. A segment that ends before its plane is complete, a header whose offsets are
 * out of order or outside the frame, or a segment count that does not match the sample format is
 * a {@link CodecException}. Samples are 8 or 16 bits into shorts, 8, 16 or 32 bits into ints
 * ({@link #decodeInts}; 32-bit RLE has four segments per sample, as dose grids use).
 *
 * <p>Stateless and thread-safe; allocates one byte plane (rows × columns bytes) per frame, into
 * which each segment is unpacked before it is merged into its sample's bits.
 */
public final class RleCodec implements FrameCodec {
    /** Size of the RLE header: the segment count and 15 offsets, 4 bytes each. */
    static final int HEADER_BYTES = 64;
    /** Most segments a header can describe. */
    static final int MAX_SEGMENTS = 15;

    /** Merges one unpacked byte plane into the output samples; one call per segment. */
    private interface PlaneMerge {
        /**
         * @param plane  the plane's bytes, one per pixel
         * @param sample which sample of each pixel the plane belongs to
         * @param shift  bit position of the plane's byte within the sample
         * @param first  the sample's most significant plane, which assigns (later ones OR in)
         */
        void merge(byte[] plane, int sample, int shift, boolean first);
    }

    @Override
    public void decode(byte[] src, int off, int len, FrameInfo info, short[] out) throws CodecException {
        checkArguments(src, off, len, info, out == null ? -1 : out.length, false);
        int spp = info.samplesPerPixel();
        decodeFrame(src, off, len, info, (plane, sample, shift, first) -> {
            for (int i = 0, o = sample; i < plane.length; i++, o += spp) {
                int v = (plane[i] & 0xFF) << shift;
                out[o] = (short) (first ? v : out[o] | v);
            }
        });
    }

    /** Also decodes 32-bit samples (four segments per sample, most significant first). */
    @Override
    public void decodeInts(byte[] src, int off, int len, FrameInfo info, int[] out) throws CodecException {
        checkArguments(src, off, len, info, out == null ? -1 : out.length, true);
        int spp = info.samplesPerPixel();
        decodeFrame(src, off, len, info, (plane, sample, shift, first) -> {
            for (int i = 0, o = sample; i < plane.length; i++, o += spp) {
                int v = (plane[i] & 0xFF) << shift;
                out[o] = first ? v : out[o] | v;
            }
        });
    }

    /** Reads the header, then unpacks each segment and hands it to {@code merge}. Arguments checked. */
    private static void decodeFrame(byte[] src, int off, int len, FrameInfo info, PlaneMerge merge)
            throws CodecException {
        int spp = info.samplesPerPixel();
        int bytesPerSample = info.bitsAllocated() / 8;
        int expectedSegments = spp * bytesPerSample;

        if (len < HEADER_BYTES) {
            throw new CodecException("RLE: frame of " + len + " bytes is shorter than the 64-byte header");
        }
        long count = u32(src, off);
        if (count < 1 || count > MAX_SEGMENTS) {
            throw new CodecException("RLE: header gives " + count + " segments (must be 1 to 15)");
        }
        if (count != expectedSegments) {
            throw new CodecException("RLE: header gives " + count + " segments, expected " + expectedSegments
                    + " for " + spp + " sample(s) of " + info.bitsAllocated() + " bits");
        }
        int segments = (int) count;
        // segment i spans [start[i], start[i + 1]) relative to the frame; the last ends at len
        int[] bounds = new int[segments + 1];
        for (int i = 0; i < segments; i++) {
            long start = u32(src, off + 4 + 4 * i);
            if (start < HEADER_BYTES) {
                throw new CodecException("RLE: segment " + (i + 1) + " offset " + start
                        + " points into the 64-byte header");
            }
            if (start >= len) {
                throw new CodecException("RLE: segment " + (i + 1) + " offset " + start
                        + (start == len ? " at" : " past") + " end of frame (" + len + " bytes)");
            }
            if (i > 0 && start <= bounds[i - 1]) {
                throw new CodecException("RLE: segment " + (i + 1) + " offset " + start
                        + " not after segment " + i + " offset " + bounds[i - 1]);
            }
            bounds[i] = (int) start;
        }
        bounds[segments] = len;

        byte[] plane = new byte[info.rows() * info.columns()]; // checked to fit an int
        for (int s = 0; s < segments; s++) {
            unpackSegment(src, off + bounds[s], off + bounds[s + 1], plane, s + 1);
            int shift = 8 * (bytesPerSample - 1 - s % bytesPerSample); // most significant byte first
            merge.merge(plane, s / bytesPerSample, shift, s % bytesPerSample == 0);
        }
    }

    /** Unpacks one PackBits segment {@code src[pos, end)} into {@code plane}, filling it completely. */
    private static void unpackSegment(byte[] src, int pos, int end, byte[] plane, int segmentNumber)
            throws CodecException {
        int planeBytes = plane.length;
        int n = 0; // plane bytes written
        while (n < planeBytes) {
            if (pos >= end) {
                throw new CodecException("RLE: segment " + segmentNumber + " ends after " + n + " of "
                        + planeBytes + " bytes");
            }
            int h = src[pos++]; // signed header byte
            if (h >= 0) {
                int run = h + 1;
                if (pos + run > end) {
                    throw new CodecException("RLE: segment " + segmentNumber + " literal run of " + run
                            + " bytes overruns the segment (" + (end - pos) + " left)");
                }
                int take = Math.min(run, planeBytes - n);
                System.arraycopy(src, pos, plane, n, take);
                pos += run;
                n += take;
            } else if (h != -128) {
                if (pos >= end) {
                    throw new CodecException("RLE: segment " + segmentNumber + " ends inside a repeat run");
                }
                int take = Math.min(1 - h, planeBytes - n);
                Arrays.fill(plane, n, n + take, src[pos++]);
                n += take;
            }
            // h == -128: no operation
        }
        // anything left in the segment after a complete plane (padding) is ignored
    }

    /**
     * @param outLength the output's length, -1 when there is none
     * @param ints      whether the output is ints (which also hold 32-bit samples)
     */
    private static void checkArguments(byte[] src, int off, int len, FrameInfo info, int outLength, boolean ints)
            throws CodecException {
        if (src == null || outLength < 0 || info == null) {
            throw new CodecException("RLE: missing input, output or frame description");
        }
        if (off < 0 || len < 0 || off > src.length - len) {
            throw new CodecException("RLE: frame [" + off + ", +" + len + ") outside the " + src.length
                    + "-byte buffer");
        }
        int bits = info.bitsAllocated();
        if (bits != 8 && bits != 16 && (bits != 32 || !ints)) {
            throw new CodecException("RLE: " + bits + "-bit samples not supported "
                    + (ints ? "(8, 16 or 32)" : "(8 or 16; 32 only into ints)"));
        }
        if (info.samplesPerPixel() != 1 && info.samplesPerPixel() != 3) {
            throw new CodecException("RLE: " + info.samplesPerPixel() + " samples per pixel not supported (1 or 3)");
        }
        long plane = (long) info.rows() * info.columns();
        if (info.rows() <= 0 || info.columns() <= 0 || plane * info.samplesPerPixel() > Integer.MAX_VALUE) {
            throw new CodecException("RLE: bad frame size " + info.rows() + " x " + info.columns());
        }
        if (outLength < plane * info.samplesPerPixel()) {
            throw new CodecException("RLE: output holds " + outLength + " samples, frame needs "
                    + plane * info.samplesPerPixel());
        }
    }

    private static long u32(byte[] b, int p) {
        return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24;
    }
}
