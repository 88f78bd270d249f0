package lessismore.io.dicom;

import java.util.List;

/**
 * What the reader extracts from one DICOM image file: identity, pixel format, per-frame geometry and
 * rescale, and where the pixel data lies.
 *
 * <p>Pixel data is located in {@link #buffer()}: the file's own bytes, or for Deflated Explicit VR
 * Little Endian the inflated data set. Native data is {@code frames} frames of
 * rows × columns × samples × bitsAllocated/8 bytes from {@link #pixelDataOffset()}; encapsulated
 * data is a list of fragments, grouped into frames by {@link #frameFragments(int)}.
 */
public final class DicomHeader {
    /**
     * Geometry and rescale of one frame (from the top level, or for enhanced multi-frame objects
     * from the shared and per-frame functional groups).
     *
     * @param position    Image Position (Patient), 3 values in mm, or null
     * @param orientation Image Orientation (Patient), 6 direction cosines, or null
     * @param slope       Rescale Slope, or NaN when absent
     * @param intercept   Rescale Intercept, or NaN when absent
     */
    public record Frame(double[] position, double[] orientation, double slope, double intercept) {
    }

    String transferSyntaxUid;
    String sopClassUid = "";
    String studyInstanceUid = "";
    String seriesInstanceUid = "";
    Integer instanceNumber;
    int rows;
    int columns;
    int samplesPerPixel = 1;
    String photometric = "";
    int planarConfiguration;
    int bitsAllocated;
    int bitsStored;
    int highBit;
    int pixelRepresentation;
    Integer pixelPaddingValue;
    Integer pixelPaddingRangeLimit;
    List<Frame> frames;
    byte[] buffer;
    int bytesInBuffer;
    boolean bigEndian;
    boolean encapsulated;
    int pixelDataOffset;
    int[] fragmentOffset;
    int[] fragmentLength;
    /** Frame k is made of fragments [frameStart[k], frameStart[k + 1]). */
    int[] frameStart;

    DicomHeader() {
    }

    /** Transfer syntax of the data set. */
    public String transferSyntaxUid() {
        return transferSyntaxUid;
    }

    /** SOP Class UID, or "". */
    public String sopClassUid() {
        return sopClassUid;
    }

    /** Study Instance UID, or "". */
    public String studyInstanceUid() {
        return studyInstanceUid;
    }

    /** Series Instance UID, or "" (some exports leave it empty). */
    public String seriesInstanceUid() {
        return seriesInstanceUid;
    }

    /** Instance Number, or null when absent or not a number. */
    public Integer instanceNumber() {
        return instanceNumber;
    }

    /** Frame height. */
    public int rows() {
        return rows;
    }

    /** Frame width. */
    public int columns() {
        return columns;
    }

    /** 1 for greyscale. */
    public int samplesPerPixel() {
        return samplesPerPixel;
    }

    /** Photometric Interpretation, e.g. MONOCHROME2. */
    public String photometricInterpretation() {
        return photometric;
    }

    /** Planar Configuration (colour only): 0 interleaved, 1 planar. */
    public int planarConfiguration() {
        return planarConfiguration;
    }

    /** 1, 8, 16 or 32. */
    public int bitsAllocated() {
        return bitsAllocated;
    }

    /** Significant bits per sample, at most bitsAllocated. */
    public int bitsStored() {
        return bitsStored;
    }

    /** Most significant bit of the stored value. */
    public int highBit() {
        return highBit;
    }

    /** 0 unsigned, 1 two's complement. */
    public int pixelRepresentation() {
        return pixelRepresentation;
    }

    /** Pixel Padding Value as stored (sign per PixelRepresentation), or null. */
    public Integer pixelPaddingValue() {
        return pixelPaddingValue;
    }

    /** Pixel Padding Range Limit, or null. */
    public Integer pixelPaddingRangeLimit() {
        return pixelPaddingRangeLimit;
    }

    /** Number of frames (1 for ordinary CT slices). */
    public int frameCount() {
        return frames.size();
    }

    /** Geometry and rescale of frame {@code k}. */
    public Frame frame(int k) {
        return frames.get(k);
    }

    /** Image Position (Patient) of the first frame, or null. */
    public double[] imagePosition() {
        return frames.getFirst().position();
    }

    /** Image Orientation (Patient) of the first frame, or null. */
    public double[] imageOrientation() {
        return frames.getFirst().orientation();
    }

    /** Rescale Slope of the first frame, or NaN. */
    public double rescaleSlope() {
        return frames.getFirst().slope();
    }

    /** Rescale Intercept of the first frame, or NaN. */
    public double rescaleIntercept() {
        return frames.getFirst().intercept();
    }

    /** The bytes that hold the pixel data. */
    public byte[] buffer() {
        return buffer;
    }

    /**
     * How many bytes of the data set {@link #buffer()} holds: all of it, or for a header parsed
     * from a prefix ({@link DicomReader#parsePrefix}) only the prefix.
     */
    public int bytesInBuffer() {
        return bytesInBuffer;
    }

    /** Whether native pixel data is big endian (Explicit VR Big Endian). */
    public boolean bigEndian() {
        return bigEndian;
    }

    /** Whether the pixel data is encapsulated (compressed). */
    public boolean encapsulated() {
        return encapsulated;
    }

    /** Native pixel data: offset of the first byte in {@link #buffer()}. */
    public int pixelDataOffset() {
        return pixelDataOffset;
    }

    /**
     * Bytes of one native frame (for BitsAllocated 1, frames are packed without padding and this
     * rounds down; {@link DicomPixels} addresses such data by bit).
     */
    public int frameBytes() {
        if ("YBR_FULL_422".equals(photometric) && samplesPerPixel == 3 && !encapsulated) {
            // Two luma samples share one pair of chroma samples: 2 samples per pixel on average.
            return rows * columns * 2 * (bitsAllocated / 8);
        }
        return bitsAllocated == 1 ? rows * columns * samplesPerPixel / 8
                : rows * columns * samplesPerPixel * (bitsAllocated / 8);
    }

    /** Encapsulated data: the fragments of frame {@code k} as (offset, length) pairs in {@link #buffer()}. */
    public int[][] frameFragments(int k) {
        int from = frameStart[k];
        int to = frameStart[k + 1];
        int[][] out = new int[to - from][];
        for (int i = from; i < to; i++) {
            out[i - from] = new int[] {fragmentOffset[i], fragmentLength[i]};
        }
        return out;
    }
}
