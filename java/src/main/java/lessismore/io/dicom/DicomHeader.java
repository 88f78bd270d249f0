package lessismore.io.dicom;

/**
 * What the reader extracts from one DICOM image file: identity, geometry, pixel format, rescale, and
 * where the native pixel data lies in the file's bytes.
 *
 * @param transferSyntaxUid     the data set's transfer syntax
 * @param sopClassUid           SOP Class UID, or "" when absent
 * @param studyInstanceUid      Study Instance UID, or "" when absent
 * @param seriesInstanceUid     Series Instance UID, or "" when absent (some exports leave it empty)
 * @param instanceNumber        Instance Number, or {@code null} when absent or not a number
 * @param imagePosition         Image Position (Patient), 3 values in mm, or {@code null}
 * @param imageOrientation      Image Orientation (Patient), 6 direction cosines, or {@code null}
 * @param rows                  image height
 * @param columns               image width
 * @param bitsAllocated         8 or 16
 * @param bitsStored            significant bits, at most bitsAllocated
 * @param highBit               most significant bit of the stored value
 * @param pixelRepresentation   0 unsigned, 1 two's complement
 * @param rescaleSlope          Rescale Slope, or NaN when absent
 * @param rescaleIntercept      Rescale Intercept, or NaN when absent
 * @param pixelDataOffset       offset of the first pixel byte in the file
 * @param pixelDataLength       number of pixel bytes, rows * columns * bitsAllocated / 8
 */
public record DicomHeader(
        String transferSyntaxUid,
        String sopClassUid,
        String studyInstanceUid,
        String seriesInstanceUid,
        Integer instanceNumber,
        double[] imagePosition,
        double[] imageOrientation,
        int rows,
        int columns,
        int bitsAllocated,
        int bitsStored,
        int highBit,
        int pixelRepresentation,
        double rescaleSlope,
        double rescaleIntercept,
        int pixelDataOffset,
        int pixelDataLength) {
}
