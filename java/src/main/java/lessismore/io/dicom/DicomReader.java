package lessismore.io.dicom;

import static lessismore.io.dicom.DicomTags.*;

import java.nio.charset.StandardCharsets;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;

/**
 * Parses the header of a DICOM file held in memory and locates its native pixel data.
 *
 * <p>Accepts Part 10 files (128-byte preamble and "DICM"), files that start with "DICM" or directly
 * with the File Meta group, and bare data sets without meta information (old ACR-NEMA style;
 * Implicit or Explicit VR Little Endian guessed from the first element). Every length field is
 * checked against the bytes that remain, so a hostile or truncated file ends in a
 * {@link SkippedFileException} with a one-line reason, never in an out-of-bounds read or a huge
 * allocation. Only top-level elements are read; sequences (defined or undefined length, nested) are
 * skipped structurally. Parsing stops at Pixel Data.
 */
public final class DicomReader {
    private static final int UNDEFINED_LENGTH = -1;
    /** Nesting bound for sequences, so that a crafted file cannot exhaust the stack. */
    private static final int MAX_DEPTH = 32;
    private static final String DICOMDIR_SOP_CLASS = "1.2.840.10008.1.3.10";

    private final byte[] b;
    private final int end;
    private int pos;

    private DicomReader(byte[] data, int length) {
        this.b = data;
        this.end = length;
    }

    /**
     * Parses {@code data[0, length)} as a DICOM file.
     *
     * @return the header of an image whose pixel data this version can decode
     * @throws SkippedFileException when the file is not DICOM, not an image, unsupported or damaged
     */
    public static DicomHeader parse(byte[] data, int length) throws SkippedFileException {
        return new DicomReader(data, length).parse();
    }

    /** Mutable accumulator for the top-level values we keep. */
    private static final class Values {
        String mediaSopClass = "";
        String transferSyntax;
        String sopClass = "";
        String studyUid = "";
        String seriesUid = "";
        Integer instanceNumber;
        double[] position;
        double[] orientation;
        int samplesPerPixel = 1;
        String photometric = "";
        int frames = 1;
        int rows = -1;
        int columns = -1;
        int bitsAllocated = -1;
        int bitsStored = -1;
        int highBit = -1;
        int pixelRepresentation = 0;
        double slope = Double.NaN;
        double intercept = Double.NaN;
        boolean directoryRecords;
        int pixelOffset = -1;
        int pixelLength;
        boolean pixelUndefinedLength;
    }

    private DicomHeader parse() throws SkippedFileException {
        Values v = new Values();
        boolean explicit;
        if (end >= 132 && isDicm(128)) {
            pos = 132;
            readMetaGroup(v);
        } else if (end >= 4 && isDicm(0)) {
            pos = 4;
            readMetaGroup(v);
        } else if (end >= 8 && u16(0) == 0x0002) {
            pos = 0;
            readMetaGroup(v);
        } else {
            pos = 0;
            if (!looksLikeDataSet()) {
                throw new SkippedFileException(SkipReason.NOT_DICOM,
                        "not a DICOM file: no DICM marker at offset 128 and no data set at its start");
            }
        }
        if (v.transferSyntax == null) {
            // No meta information: the transfer syntax must be guessed from the first element.
            explicit = pos + 6 <= end && isVr(b[pos + 4], b[pos + 5]);
            v.transferSyntax = explicit ? TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN
                    : TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN;
        }
        if (DICOMDIR_SOP_CLASS.equals(v.mediaSopClass)) {
            throw new SkippedFileException(SkipReason.NOT_IMAGE, "not an image: DICOMDIR (media directory)");
        }
        String ts = v.transferSyntax;
        if (TransferSyntax.EXPLICIT_VR_BIG_ENDIAN.equals(ts)
                || TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN.equals(ts)) {
            throw new SkippedFileException(SkipReason.UNSUPPORTED,
                    "unsupported transfer syntax " + TransferSyntax.describe(ts));
        }
        explicit = !TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.equals(ts);
        readDataSet(v, explicit);
        return toHeader(v);
    }

    private DicomHeader toHeader(Values v) throws SkippedFileException {
        if (v.directoryRecords) {
            throw new SkippedFileException(SkipReason.NOT_IMAGE, "not an image: DICOMDIR (media directory)");
        }
        if (v.pixelOffset < 0) {
            String sop = v.sopClass.isEmpty() ? v.mediaSopClass : v.sopClass;
            throw new SkippedFileException(SkipReason.NOT_IMAGE,
                    "not an image: no Pixel Data" + (sop.isEmpty() ? "" : " (SOP Class " + sop + ")"));
        }
        String ts = v.transferSyntax;
        if (!TransferSyntax.isNativeLittleEndian(ts)) {
            throw new SkippedFileException(SkipReason.UNSUPPORTED,
                    "unsupported transfer syntax " + TransferSyntax.describe(ts));
        }
        if (v.pixelUndefinedLength) {
            throw new SkippedFileException(SkipReason.CORRUPT,
                    "encapsulated (undefined-length) Pixel Data in uncompressed transfer syntax "
                            + TransferSyntax.describe(ts));
        }
        if (v.rows <= 0 || v.columns <= 0) {
            throw new SkippedFileException(SkipReason.CORRUPT,
                    "missing or invalid Rows/Columns (" + v.rows + "x" + v.columns + ")");
        }
        if (v.samplesPerPixel != 1) {
            throw new SkippedFileException(SkipReason.UNSUPPORTED,
                    "unsupported: " + v.samplesPerPixel + " samples per pixel (" + v.photometric
                            + "); CT slices are greyscale");
        }
        if (v.frames != 1) {
            throw new SkippedFileException(SkipReason.UNSUPPORTED,
                    "unsupported: multi-frame image with " + v.frames + " frames");
        }
        if (v.bitsAllocated != 8 && v.bitsAllocated != 16) {
            throw new SkippedFileException(SkipReason.UNSUPPORTED,
                    "unsupported: BitsAllocated " + v.bitsAllocated + " (8 or 16 expected)");
        }
        int bitsStored = v.bitsStored <= 0 ? v.bitsAllocated : v.bitsStored;
        int highBit = v.highBit < 0 ? bitsStored - 1 : v.highBit;
        if (bitsStored > v.bitsAllocated || highBit >= v.bitsAllocated || highBit + 1 < bitsStored) {
            throw new SkippedFileException(SkipReason.CORRUPT, "inconsistent pixel format: BitsAllocated "
                    + v.bitsAllocated + ", BitsStored " + bitsStored + ", HighBit " + highBit);
        }
        long expected = (long) v.rows * v.columns * (v.bitsAllocated / 8);
        long available = Math.min(v.pixelLength, end - v.pixelOffset);
        if (available < expected) {
            throw new SkippedFileException(SkipReason.CORRUPT,
                    "truncated pixel data: expected " + expected + " bytes, found " + available);
        }
        return new DicomHeader(ts, v.sopClass, v.studyUid, v.seriesUid, v.instanceNumber, v.position,
                v.orientation, v.rows, v.columns, v.bitsAllocated, bitsStored, highBit,
                v.pixelRepresentation, v.slope, v.intercept, v.pixelOffset, (int) expected);
    }

    // ---- structure -------------------------------------------------------------------------

    /** File Meta group: always Explicit VR Little Endian, read while the group number is 0002. */
    private void readMetaGroup(Values v) throws SkippedFileException {
        while (pos + 8 <= end && u16(pos) == 0x0002) {
            int tag = tagAt(pos);
            int valueStart;
            int length;
            if (!isVr(b[pos + 4], b[pos + 5])) {
                throw corrupt("File Meta element " + DicomTags.format(tag) + " has no VR at offset " + pos);
            }
            if (isLongVr(b[pos + 4], b[pos + 5])) {
                need(12, tag);
                length = i32(pos + 8);
                valueStart = pos + 12;
            } else {
                length = u16(pos + 6);
                valueStart = pos + 8;
            }
            if (length < 0 || length > end - valueStart) {
                throw lengthPastEnd(tag, length, valueStart);
            }
            if (tag == MEDIA_STORAGE_SOP_CLASS_UID) {
                v.mediaSopClass = string(valueStart, length);
            } else if (tag == TRANSFER_SYNTAX_UID) {
                v.transferSyntax = string(valueStart, length);
            }
            pos = valueStart + length;
        }
    }

    /** Top-level data set: keeps the values we need, skips the rest, stops at Pixel Data. */
    private void readDataSet(Values v, boolean explicit) throws SkippedFileException {
        while (pos < end) {
            if (end - pos < 8) {
                // Trailing padding shorter than an element header: nothing more to read.
                return;
            }
            int tag = tagAt(pos);
            Element e = readElementHeader(tag, explicit);
            if (tag == PIXEL_DATA) {
                v.pixelOffset = e.valueStart;
                v.pixelUndefinedLength = e.length == UNDEFINED_LENGTH;
                v.pixelLength = e.length == UNDEFINED_LENGTH ? 0 : e.length;
                if (e.length != UNDEFINED_LENGTH && e.length > end - e.valueStart) {
                    v.pixelLength = end - e.valueStart;
                }
                return;
            }
            if (e.length == UNDEFINED_LENGTH) {
                if (tag == DIRECTORY_RECORD_SEQUENCE) {
                    v.directoryRecords = true;
                }
                pos = e.valueStart;
                skipUndefinedLengthValue(explicit, 1);
                continue;
            }
            if (e.length > end - e.valueStart) {
                throw lengthPastEnd(tag, e.length, e.valueStart);
            }
            keep(v, tag, e.valueStart, e.length);
            pos = e.valueStart + e.length;
        }
    }

    private record Element(int valueStart, int length) {
    }

    private Element readElementHeader(int tag, boolean explicit) throws SkippedFileException {
        need(8, tag);
        if (explicit && (tag >>> 16) != 0xFFFE) {
            byte v0 = b[pos + 4];
            byte v1 = b[pos + 5];
            if (!isVr(v0, v1)) {
                throw corrupt("element " + DicomTags.format(tag) + " at offset " + pos
                        + " has no valid VR in an explicit-VR data set");
            }
            if (isLongVr(v0, v1)) {
                need(12, tag);
                int len = i32(pos + 8);
                return new Element(pos + 12, checkLength(tag, len, pos + 12));
            }
            return new Element(pos + 8, u16(pos + 6));
        }
        int len = i32(pos + 4);
        return new Element(pos + 8, checkLength(tag, len, pos + 8));
    }

    /** Maps 0xFFFFFFFF to {@link #UNDEFINED_LENGTH}; rejects other lengths that do not fit an int. */
    private int checkLength(int tag, int len, int valueStart) throws SkippedFileException {
        if (len == 0xFFFF_FFFF) {
            return UNDEFINED_LENGTH;
        }
        if (len < 0) {
            throw lengthPastEnd(tag, len, valueStart);
        }
        return len;
    }

    /**
     * Skips a sequence (or encapsulated value) of undefined length starting at {@code pos}: items of
     * defined length are jumped over, items of undefined length are parsed element by element.
     */
    private void skipUndefinedLengthValue(boolean explicit, int depth) throws SkippedFileException {
        if (depth > MAX_DEPTH) {
            throw corrupt("sequences nested deeper than " + MAX_DEPTH + " levels");
        }
        while (true) {
            if (end - pos < 8) {
                throw corrupt("sequence of undefined length not terminated before end of file");
            }
            int tag = tagAt(pos);
            int len = i32(pos + 4);
            pos += 8;
            if (tag == SEQUENCE_DELIMITATION) {
                return;
            }
            if (tag != ITEM) {
                throw corrupt("expected an item in a sequence, found " + DicomTags.format(tag)
                        + " at offset " + (pos - 8));
            }
            if (len == 0xFFFF_FFFF) {
                skipItemOfUndefinedLength(explicit, depth + 1);
            } else if (len < 0 || len > end - pos) {
                throw lengthPastEnd(ITEM, len, pos);
            } else {
                pos += len;
            }
        }
    }

    private void skipItemOfUndefinedLength(boolean explicit, int depth) throws SkippedFileException {
        while (true) {
            if (end - pos < 8) {
                throw corrupt("item of undefined length not terminated before end of file");
            }
            int tag = tagAt(pos);
            if (tag == ITEM_DELIMITATION) {
                pos += 8;
                return;
            }
            Element e = readElementHeader(tag, explicit);
            if (e.length == UNDEFINED_LENGTH) {
                pos = e.valueStart;
                skipUndefinedLengthValue(explicit, depth);
            } else if (e.length > end - e.valueStart) {
                throw lengthPastEnd(tag, e.length, e.valueStart);
            } else {
                pos = e.valueStart + e.length;
            }
        }
    }

    private void keep(Values v, int tag, int off, int len) throws SkippedFileException {
        switch (tag) {
            case SOP_CLASS_UID -> v.sopClass = string(off, len);
            case STUDY_INSTANCE_UID -> v.studyUid = string(off, len);
            case SERIES_INSTANCE_UID -> v.seriesUid = string(off, len);
            case INSTANCE_NUMBER -> v.instanceNumber = parseIntOrNull(string(off, len));
            case IMAGE_POSITION_PATIENT -> v.position = parseDecimals(string(off, len), 3);
            case IMAGE_ORIENTATION_PATIENT -> v.orientation = parseDecimals(string(off, len), 6);
            case SAMPLES_PER_PIXEL -> v.samplesPerPixel = us(tag, off, len);
            case PHOTOMETRIC_INTERPRETATION -> v.photometric = string(off, len);
            case NUMBER_OF_FRAMES -> {
                Integer n = parseIntOrNull(string(off, len));
                v.frames = n == null ? 1 : n;
            }
            case ROWS -> v.rows = us(tag, off, len);
            case COLUMNS -> v.columns = us(tag, off, len);
            case BITS_ALLOCATED -> v.bitsAllocated = us(tag, off, len);
            case BITS_STORED -> v.bitsStored = us(tag, off, len);
            case HIGH_BIT -> v.highBit = us(tag, off, len);
            case PIXEL_REPRESENTATION -> v.pixelRepresentation = us(tag, off, len);
            case RESCALE_SLOPE -> v.slope = parseDecimalOrNaN(string(off, len));
            case RESCALE_INTERCEPT -> v.intercept = parseDecimalOrNaN(string(off, len));
            default -> {
                // Not needed for reduction.
            }
        }
    }

    // ---- primitive reads ---------------------------------------------------------------------

    private boolean isDicm(int at) {
        return b[at] == 'D' && b[at + 1] == 'I' && b[at + 2] == 'C' && b[at + 3] == 'M';
    }

    /**
     * A bare data set (no meta information) starts with an element of group 0008, the identifying
     * group, whose element number is small (group length, character set, image type, …).
     */
    private boolean looksLikeDataSet() {
        return end >= 8 && u16(0) == 0x0008 && u16(2) < 0x0100;
    }

    private int u16(int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private int i32(int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    private int tagAt(int at) {
        return u16(at) << 16 | u16(at + 2);
    }

    private int us(int tag, int off, int len) throws SkippedFileException {
        if (len < 2) {
            throw corrupt("element " + DicomTags.format(tag) + " has length " + len + ", expected 2");
        }
        return u16(off);
    }

    private void need(int bytes, int tag) throws SkippedFileException {
        if (end - pos < bytes) {
            throw corrupt("element " + DicomTags.format(tag) + " header cut off at end of file (offset " + pos + ")");
        }
    }

    /** Text value without trailing spaces or NUL padding (and without leading spaces). */
    private String string(int off, int len) {
        int s = off;
        int e = off + len;
        while (e > s && (b[e - 1] == ' ' || b[e - 1] == 0)) {
            e--;
        }
        while (s < e && b[s] == ' ') {
            s++;
        }
        return new String(b, s, e - s, StandardCharsets.ISO_8859_1);
    }

    private static boolean isVr(byte c0, byte c1) {
        return c0 >= 'A' && c0 <= 'Z' && c1 >= 'A' && c1 <= 'Z';
    }

    /** VRs whose explicit-VR header has two reserved bytes and a 32-bit length. */
    private static boolean isLongVr(byte c0, byte c1) {
        return switch (c0) {
            case 'O' -> c1 == 'B' || c1 == 'D' || c1 == 'F' || c1 == 'L' || c1 == 'V' || c1 == 'W';
            case 'S' -> c1 == 'Q' || c1 == 'V';
            case 'U' -> c1 == 'C' || c1 == 'N' || c1 == 'R' || c1 == 'T' || c1 == 'V';
            default -> false;
        };
    }

    private SkippedFileException corrupt(String message) {
        return new SkippedFileException(SkipReason.CORRUPT, "corrupt DICOM: " + message);
    }

    private SkippedFileException lengthPastEnd(int tag, long length, int valueStart) {
        return new SkippedFileException(SkipReason.CORRUPT, "corrupt DICOM: element " + DicomTags.format(tag)
                + " declares " + Integer.toUnsignedLong((int) length) + " bytes at offset " + valueStart
                + " but the file has " + Math.max(0, end - valueStart) + " left");
    }

    private static Integer parseIntOrNull(String s) {
        try {
            return s.isEmpty() ? null : Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static double parseDecimalOrNaN(String s) {
        try {
            return s.isEmpty() ? Double.NaN : Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Parses a multi-valued DS; returns null unless exactly {@code count} finite numbers are present. */
    private static double[] parseDecimals(String s, int count) {
        String[] parts = s.split("\\\\");
        if (parts.length != count) {
            return null;
        }
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            double d = parseDecimalOrNaN(parts[i]);
            if (!Double.isFinite(d)) {
                return null;
            }
            out[i] = d;
        }
        return out;
    }
}
