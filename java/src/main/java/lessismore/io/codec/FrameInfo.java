package lessismore.io.codec;

/**
 * What a codec needs to know about the frame it decodes, from the DICOM header.
 *
 * @param rows            frame height
 * @param columns         frame width
 * @param samplesPerPixel 1 for greyscale, 3 for colour
 * @param bitsAllocated   8 or 16 (32 for codecs that decode into ints): the container of each
 *                        decoded sample
 * @param bitsStored      significant bits per sample
 * @param signed          PixelRepresentation 1 (two's complement samples)
 */
public record FrameInfo(int rows, int columns, int samplesPerPixel, int bitsAllocated, int bitsStored,
                        boolean signed) {
    /** Number of samples in a decoded frame: rows × columns × samplesPerPixel. */
    public int sampleCount() {
        return rows * columns * samplesPerPixel;
    }
}
