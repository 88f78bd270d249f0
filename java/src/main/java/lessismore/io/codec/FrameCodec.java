package lessismore.io.codec;

/**
 * Decodes one compressed frame of encapsulated DICOM pixel data.
 *
 * <p>Contract shared by every codec: the input is the frame's compressed bytes (the fragments of
 * one frame already concatenated); the output is {@code info.sampleCount()} samples, row-major,
 * colour samples interleaved per pixel (R, G, B, R, G, B, … whatever the stream's own
 * interleaving), each the decoded sample value as an unsigned bit pattern in the low
 * {@code info.bitsAllocated()} bits of a short (sign handling, masking and rescale are done by the
 * caller, as for uncompressed data). A codec never reads outside {@code src[off, off + len)},
 * never allocates more than a small multiple of the output size, and ends in a
 * {@link CodecException} for any malformed input (no other exception escapes).
 */
public interface FrameCodec {
    /**
     * @param src  the compressed bytes
     * @param off  first byte of the frame in {@code src}
     * @param len  number of bytes of the frame
     * @param info geometry and sample format from the DICOM header
     * @param out  receives {@code info.sampleCount()} samples
     * @throws CodecException when the stream is malformed or uses an unsupported feature
     */
    void decode(byte[] src, int off, int len, FrameInfo info, short[] out) throws CodecException;

    /**
     * As {@link #decode(byte[], int, int, FrameInfo, short[])}, but into ints, which also holds
     * 32-bit samples: each sample is its unsigned bit pattern in the low
     * {@code info.bitsAllocated()} bits (all 32 for BitsAllocated 32). This default decodes into
     * shorts and widens them, so it supports what {@code decode} supports; a codec that can
     * decode 32-bit samples overrides it.
     *
     * @param out receives {@code info.sampleCount()} samples
     * @throws CodecException as {@code decode}, and for samples wider than the codec supports
     */
    default void decodeInts(byte[] src, int off, int len, FrameInfo info, int[] out) throws CodecException {
        if (out == null) {
            throw new CodecException("no output buffer");
        }
        short[] narrow = new short[out.length]; // the caller's size: no larger than what it allocated
        decode(src, off, len, info, narrow);
        for (int i = 0; i < out.length; i++) {
            out[i] = narrow[i] & 0xFFFF;
        }
    }
}
