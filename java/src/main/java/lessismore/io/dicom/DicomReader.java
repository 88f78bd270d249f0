package lessismore.io.dicom;

import static lessismore.io.dicom.DicomTags.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;

/**
 * Parses the header of a DICOM file held in memory and locates its pixel data.
 *
 * <p>Accepts Part 10 files (128-byte preamble and "DICM"), files that start with "DICM" or directly
 * with the File Meta group, and bare data sets without meta information (old ACR-NEMA style;
 * Implicit or Explicit VR Little Endian guessed from the first element). Data sets in Implicit VR
 * Little Endian, Explicit VR Little and Big Endian, and Deflated Explicit VR Little Endian (inflated
 * with a size bound). Pixel data native or encapsulated (fragments, Basic and Extended Offset
 * Tables), single- or multi-frame; for enhanced multi-frame objects, position, orientation and
 * rescale per frame from the shared and per-frame functional groups.
 *
 * <p>Every length field is checked against the bytes that remain, so a hostile or truncated file
 * ends in a {@link SkippedFileException} with a one-line reason, never in an out-of-bounds read or a
 * huge allocation. Sequences are skipped structurally (nesting bounded) except the functional
 * groups. Parsing stops at Pixel Data.
 */
public final class DicomReader {
    private static final int UNDEFINED_LENGTH = -1;
    /** Nesting bound for sequences, so that a crafted file cannot exhaust the stack. */
    private static final int MAX_DEPTH = 32;
    /** Largest inflated data set accepted from a deflated file. */
    static final int MAX_INFLATED_BYTES = 1 << 30;
    /** Largest frame decoded, in samples (4096 x 4096 greyscale); CT slices are 512 x 512. */
    public static final int MAX_FRAME_SAMPLES = 1 << 24;
    private static final String DICOMDIR_SOP_CLASS = "1.2.840.10008.1.3.10";
    private static final int SHARED_FUNCTIONAL_GROUPS = 0x5200_9229;
    private static final int PER_FRAME_FUNCTIONAL_GROUPS = 0x5200_9230;
    private static final int PLANE_POSITION_SEQUENCE = 0x0020_9113;
    private static final int PLANE_ORIENTATION_SEQUENCE = 0x0020_9116;
    private static final int PIXEL_VALUE_TRANSFORMATION_SEQUENCE = 0x0028_9145;
    private static final int PLANAR_CONFIGURATION = 0x0028_0006;
    private static final int PIXEL_PADDING_VALUE = 0x0028_0120;
    private static final int PIXEL_PADDING_RANGE_LIMIT = 0x0028_0121;
    private static final int EXTENDED_OFFSET_TABLE = 0x7FE0_0001;

    private byte[] b;
    private int end;
    /** Size of the whole file; {@code end} is less when only a prefix was read. */
    private long fileLength;
    private int pos;
    private boolean bigEndian;
    private boolean explicit;

    private DicomReader(byte[] data, int length, long fileLength) {
        this.b = data;
        this.end = length;
        this.fileLength = Math.max(length, fileLength);
    }

    /**
     * Parses {@code data[0, length)} as a DICOM file.
     *
     * @return the header of an image whose pixel data this version can locate
     * @throws SkippedFileException when the file is not DICOM, not an image, or damaged
     */
    public static DicomHeader parse(byte[] data, int length) throws SkippedFileException {
        return new DicomReader(data, length, length).parse();
    }

    /**
     * Parses a file of which only the first {@code length} bytes are in {@code data}, so that a
     * large multi-frame object's header can be read without its pixel data. Native pixel data may
     * lie beyond the prefix ({@link DicomHeader#bytesInBuffer()} says how much is present; the
     * caller reads frames from the file). Any other failure may be due to the prefix being too
     * short: then the caller retries with the whole file, as it must for encapsulated or deflated
     * data.
     *
     * @param fileLength the size of the whole file
     */
    public static DicomHeader parsePrefix(byte[] data, int length, long fileLength) throws SkippedFileException {
        return new DicomReader(data, length, fileLength).parse();
    }

    /** Frame-level values, from the top level or one functional-group item. */
    private static final class FrameValues {
        double[] position;
        double[] orientation;
        double slope = Double.NaN;
        double intercept = Double.NaN;

        /** This item's values where set, else {@code fallback}'s. */
        DicomHeader.Frame over(FrameValues fallback) {
            return new DicomHeader.Frame(
                    position != null ? position : fallback.position,
                    orientation != null ? orientation : fallback.orientation,
                    !Double.isNaN(slope) ? slope : fallback.slope,
                    !Double.isNaN(intercept) ? intercept : fallback.intercept);
        }
    }

    /** Mutable accumulator for the top-level values we keep. */
    private static final class Values {
        String mediaSopClass = "";
        String transferSyntax;
        int frames = 1;
        int highBit = -1;
        int bitsStored = -1;
        int rawPadding = -1;
        int rawPaddingLimit = -1;
        boolean directoryRecords;
        boolean pixelData;
        boolean pixelUndefinedLength;
        int pixelOffset;
        int pixelLength;
        long[] extendedOffsets;
        final FrameValues top = new FrameValues();
        FrameValues shared = new FrameValues();
        final List<FrameValues> perFrame = new ArrayList<>();
        final DicomHeader h = new DicomHeader();
    }

    private DicomHeader parse() throws SkippedFileException {
        Values v = new Values();
        if (end >= 132 && isDicm(128)) {
            pos = 132;
            readMetaGroup(v);
        } else if (end >= 4 && isDicm(0)) {
            pos = 4;
            readMetaGroup(v);
        } else if (end >= 8 && u16le(0) == 0x0002) {
            pos = 0;
            readMetaGroup(v);
        } else {
            pos = 0;
            if (!looksLikeDataSet()) {
                throw new SkippedFileException(SkipReason.NOT_DICOM,
                        "not a DICOM file: no DICM marker at offset 128 and no data set at its start");
            }
        }
        if (v.transferSyntax == null || v.transferSyntax.isEmpty()) {
            // No meta information: the transfer syntax must be guessed from the first element.
            boolean guessExplicit = pos + 6 <= end && isVr(b[pos + 4], b[pos + 5]);
            v.transferSyntax = guessExplicit ? TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN
                    : TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN;
        }
        if (DICOMDIR_SOP_CLASS.equals(v.mediaSopClass)) {
            throw new SkippedFileException(SkipReason.NOT_IMAGE, "not an image: DICOMDIR (media directory)");
        }
        String ts = v.transferSyntax;
        explicit = !TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.equals(ts);
        bigEndian = TransferSyntax.EXPLICIT_VR_BIG_ENDIAN.equals(ts);
        if (TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN.equals(ts)) {
            inflateRest();
        }
        if (explicit && !bigEndian && end - pos >= 8 && !isVr(b[pos + 4], b[pos + 5])) {
            // Some writers declare Explicit VR but write the data set in Implicit VR; the first
            // element tells (as pydicom also checks).
            explicit = false;
        }
        readDataSet(v);
        return toHeader(v);
    }

    /** Replaces the buffer by the inflated data set that follows the meta group. */
    private void inflateRest() throws SkippedFileException {
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(b, pos, end - pos);
            byte[] out = new byte[Math.max(1 << 16, Math.min(MAX_INFLATED_BYTES, (end - pos) * 4))];
            int n = 0;
            while (!inf.finished()) {
                if (n == out.length) {
                    if (out.length >= MAX_INFLATED_BYTES) {
                        throw new SkippedFileException(SkipReason.UNSUPPORTED,
                                "deflated data set inflates beyond " + MAX_INFLATED_BYTES + " bytes");
                    }
                    out = Arrays.copyOf(out, (int) Math.min(MAX_INFLATED_BYTES, 2L * out.length));
                }
                int got = inf.inflate(out, n, out.length - n);
                if (got == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += got;
            }
            b = out;
            end = n;
            fileLength = n;
            pos = 0;
        } catch (DataFormatException e) {
            throw corrupt("deflated data set cannot be inflated (" + e.getMessage() + ")");
        } finally {
            inf.end();
        }
    }

    private DicomHeader toHeader(Values v) throws SkippedFileException {
        DicomHeader h = v.h;
        if (v.directoryRecords) {
            throw new SkippedFileException(SkipReason.NOT_IMAGE, "not an image: DICOMDIR (media directory)");
        }
        if (!v.pixelData) {
            String sop = h.sopClassUid.isEmpty() ? v.mediaSopClass : h.sopClassUid;
            throw new SkippedFileException(SkipReason.NOT_IMAGE,
                    "not an image: no Pixel Data" + (sop.isEmpty() ? "" : " (SOP Class " + sop + ")"));
        }
        String ts = v.transferSyntax;
        h.transferSyntaxUid = ts;
        h.buffer = b;
        h.bytesInBuffer = end;
        h.bigEndian = bigEndian;
        if (h.rows <= 0 || h.columns <= 0) {
            throw new SkippedFileException(SkipReason.CORRUPT,
                    "missing or invalid Rows/Columns (" + h.rows + "x" + h.columns + ")");
        }
        if (h.bitsAllocated != 1 && h.bitsAllocated != 8 && h.bitsAllocated != 16 && h.bitsAllocated != 32) {
            throw new SkippedFileException(SkipReason.UNSUPPORTED,
                    "unsupported: BitsAllocated " + h.bitsAllocated + " (1, 8, 16 or 32 expected)");
        }
        if (h.samplesPerPixel != 1 && h.samplesPerPixel != 3) {
            throw new SkippedFileException(SkipReason.CORRUPT, "invalid SamplesPerPixel " + h.samplesPerPixel);
        }
        if (v.frames < 1) {
            throw new SkippedFileException(SkipReason.CORRUPT, "invalid NumberOfFrames " + v.frames);
        }
        if ((long) h.rows * h.columns * h.samplesPerPixel > MAX_FRAME_SAMPLES) {
            // Compressed data does not bound the decoded size; this does, before anything is allocated.
            throw new SkippedFileException(SkipReason.UNSUPPORTED, "frame of " + h.columns + "x" + h.rows
                    + " pixels x " + h.samplesPerPixel + " samples is over the limit of " + MAX_FRAME_SAMPLES + " samples");
        }
        h.bitsStored = v.bitsStored <= 0 ? h.bitsAllocated : v.bitsStored;
        h.highBit = v.highBit < 0 ? h.bitsStored - 1 : v.highBit;
        if (h.bitsStored > h.bitsAllocated || h.highBit >= h.bitsAllocated || h.highBit + 1 < h.bitsStored) {
            throw new SkippedFileException(SkipReason.CORRUPT, "inconsistent pixel format: BitsAllocated "
                    + h.bitsAllocated + ", BitsStored " + h.bitsStored + ", HighBit " + h.highBit);
        }
        if (v.rawPadding >= 0) {
            h.pixelPaddingValue = signed(v.rawPadding, h.pixelRepresentation);
        }
        if (v.rawPaddingLimit >= 0) {
            h.pixelPaddingRangeLimit = signed(v.rawPaddingLimit, h.pixelRepresentation);
        }
        h.frames = frames(v);
        boolean nativeSyntax = TransferSyntax.isNative(ts);
        if (nativeSyntax) {
            if (v.pixelUndefinedLength) {
                throw corrupt("encapsulated (undefined-length) Pixel Data in uncompressed transfer syntax "
                        + TransferSyntax.describe(ts));
            }
            long expected = h.bitsAllocated == 1
                    ? ((long) h.rows * h.columns * h.samplesPerPixel * v.frames + 7) / 8
                    : (long) h.frameBytes() * v.frames;
            long available = Math.min(v.pixelLength, fileLength - v.pixelOffset);
            if (available < expected) {
                throw new SkippedFileException(SkipReason.CORRUPT,
                        "truncated pixel data: expected " + expected + " bytes, found " + available);
            }
            h.pixelDataOffset = v.pixelOffset;
        } else {
            if (!v.pixelUndefinedLength) {
                throw corrupt("Pixel Data of compressed transfer syntax " + TransferSyntax.describe(ts)
                        + " is not encapsulated");
            }
            h.encapsulated = true;
            readFragments(v, h);
        }
        return h;
    }

    private static int signed(int raw16, int pixelRepresentation) {
        return pixelRepresentation == 1 ? (short) raw16 : raw16;
    }

    /** One Frame per frame: per-frame groups over shared groups over top-level values. */
    private static List<DicomHeader.Frame> frames(Values v) throws SkippedFileException {
        FrameValues base = new FrameValues();
        base.position = v.top.position;
        base.orientation = v.top.orientation;
        base.slope = v.top.slope;
        base.intercept = v.top.intercept;
        DicomHeader.Frame sharedOverTop = v.shared.over(base);
        FrameValues fallback = new FrameValues();
        fallback.position = sharedOverTop.position();
        fallback.orientation = sharedOverTop.orientation();
        fallback.slope = sharedOverTop.slope();
        fallback.intercept = sharedOverTop.intercept();
        // More items than frames happens in files cut down from larger ones; the first ones apply.
        if (!v.perFrame.isEmpty() && v.perFrame.size() < v.frames) {
            throw new SkippedFileException(SkipReason.CORRUPT, "Per-frame Functional Groups has "
                    + v.perFrame.size() + " items for " + v.frames + " frames");
        }
        List<DicomHeader.Frame> out = new ArrayList<>(v.frames);
        for (int k = 0; k < v.frames; k++) {
            out.add(v.perFrame.isEmpty() ? fallback.over(fallback) : v.perFrame.get(k).over(fallback));
        }
        return out;
    }

    // ---- encapsulated pixel data ------------------------------------------------------------------

    /** Reads the Basic Offset Table and the fragments, then assigns fragments to frames. */
    private void readFragments(Values v, DicomHeader h) throws SkippedFileException {
        pos = v.pixelOffset;
        long[] bot = null;
        List<int[]> frags = new ArrayList<>();
        boolean first = true;
        while (true) {
            if (end - pos < 8) {
                throw corrupt("encapsulated Pixel Data not terminated before end of file");
            }
            int tag = u16le(pos) << 16 | u16le(pos + 2);
            int len = i32le(pos + 4);
            int itemStart = pos;
            pos += 8;
            if (tag == SEQUENCE_DELIMITATION) {
                break;
            }
            if (tag != ITEM) {
                throw corrupt("expected a fragment item in encapsulated Pixel Data, found "
                        + DicomTags.format(tag) + " at offset " + itemStart);
            }
            if (len < 0 || len > end - pos) {
                throw new SkippedFileException(SkipReason.CORRUPT, "truncated pixel data: fragment at offset "
                        + itemStart + " declares " + Integer.toUnsignedLong(len) + " bytes, "
                        + Math.max(0, end - pos) + " left");
            }
            if (first) {
                first = false;
                bot = new long[len / 4];
                for (int i = 0; i < bot.length; i++) {
                    bot[i] = Integer.toUnsignedLong(i32le(pos + 4 * i));
                }
            } else {
                // Offsets of the tables count from the first byte of the first fragment's item tag.
                frags.add(new int[] {pos, len, itemStart});
            }
            pos += len;
        }
        if (frags.isEmpty()) {
            throw new SkippedFileException(SkipReason.CORRUPT, "encapsulated Pixel Data has no fragments");
        }
        int n = frags.size();
        h.fragmentOffset = new int[n];
        h.fragmentLength = new int[n];
        long[] relStart = new long[n];
        int base = frags.getFirst()[2];
        for (int i = 0; i < n; i++) {
            h.fragmentOffset[i] = frags.get(i)[0];
            h.fragmentLength[i] = frags.get(i)[1];
            relStart[i] = frags.get(i)[2] - base;
        }
        int frames = h.frameCount();
        long[] table = v.extendedOffsets != null ? v.extendedOffsets : (bot != null && bot.length > 0 ? bot : null);
        if (frames == 1) {
            h.frameStart = new int[] {0, n};
        } else if (table != null) {
            if (table.length != frames) {
                throw corrupt("offset table has " + table.length + " entries for " + frames + " frames");
            }
            h.frameStart = new int[frames + 1];
            for (int k = 0; k < frames; k++) {
                int idx = Arrays.binarySearch(relStart, table[k]);
                if (idx < 0 || (k > 0 && idx <= h.frameStart[k - 1])) {
                    throw corrupt("offset table entry " + k + " (" + table[k] + ") is not the start of a fragment");
                }
                h.frameStart[k] = idx;
            }
            h.frameStart[frames] = n;
        } else if (n == frames) {
            h.frameStart = new int[frames + 1];
            for (int k = 0; k <= frames; k++) {
                h.frameStart[k] = k;
            }
        } else {
            h.frameStart = framesByStartMarker(h, frames);
        }
    }

    /**
     * Without offset tables and with more fragments than frames: a fragment that begins with a
     * codestream start marker (JPEG SOI FFD8, JPEG 2000 SOC FF4F) begins a frame.
     */
    private int[] framesByStartMarker(DicomHeader h, int frames) throws SkippedFileException {
        int[] start = new int[frames + 1];
        int k = 0;
        for (int i = 0; i < h.fragmentOffset.length; i++) {
            int off = h.fragmentOffset[i];
            boolean marker = h.fragmentLength[i] >= 2 && (b[off] & 0xFF) == 0xFF
                    && ((b[off + 1] & 0xFF) == 0xD8 || (b[off + 1] & 0xFF) == 0x4F);
            if (marker || i == 0) {
                if (k == frames) {
                    throw corrupt("more codestreams than the " + frames + " frames declared");
                }
                start[k++] = i;
            }
        }
        if (k != frames) {
            throw corrupt("cannot find the frame boundaries: " + h.fragmentOffset.length + " fragments, "
                    + k + " codestream starts, " + frames + " frames, no offset table");
        }
        start[frames] = h.fragmentOffset.length;
        return start;
    }

    // ---- structure ------------------------------------------------------------------------------

    /** File Meta group: always Explicit VR Little Endian, read while the group number is 0002. */
    private void readMetaGroup(Values v) throws SkippedFileException {
        while (pos + 8 <= end && u16le(pos) == 0x0002) {
            int tag = u16le(pos) << 16 | u16le(pos + 2);
            int valueStart;
            int length;
            if (!isVr(b[pos + 4], b[pos + 5])) {
                throw corrupt("File Meta element " + DicomTags.format(tag) + " has no VR at offset " + pos);
            }
            if (isLongVr(b[pos + 4], b[pos + 5])) {
                need(12, tag);
                length = i32le(pos + 8);
                valueStart = pos + 12;
            } else {
                length = u16le(pos + 6);
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
    private void readDataSet(Values v) throws SkippedFileException {
        while (pos < end) {
            if (end - pos < 8) {
                // Trailing padding shorter than an element header: nothing more to read.
                return;
            }
            int tag = tagAt(pos);
            Element e = readElementHeader(tag);
            if (tag == PIXEL_DATA) {
                v.pixelData = true;
                v.pixelOffset = e.valueStart;
                v.pixelUndefinedLength = e.length == UNDEFINED_LENGTH;
                v.pixelLength = e.length == UNDEFINED_LENGTH ? 0 : (int) Math.min(e.length, fileLength - e.valueStart);
                return;
            }
            if (e.length == UNDEFINED_LENGTH || tag == SHARED_FUNCTIONAL_GROUPS || tag == PER_FRAME_FUNCTIONAL_GROUPS) {
                if (tag == DIRECTORY_RECORD_SEQUENCE) {
                    v.directoryRecords = true;
                }
                if (tag == SHARED_FUNCTIONAL_GROUPS || tag == PER_FRAME_FUNCTIONAL_GROUPS) {
                    List<FrameValues> items = new ArrayList<>();
                    forEachItem(e, 1, (itemEnd, depth) -> items.add(readFunctionalGroupItem(itemEnd, depth)));
                    if (tag == SHARED_FUNCTIONAL_GROUPS) {
                        v.shared = items.isEmpty() ? new FrameValues() : items.getFirst();
                    } else {
                        v.perFrame.addAll(items);
                    }
                    continue;
                }
                skipSequence(e, 1);
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

    /** Reads an element header at {@code pos} (which holds {@code tag}) and leaves pos unchanged. */
    private Element readElementHeader(int tag) throws SkippedFileException {
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

    /** Receives one sequence item; {@code itemEnd} is its end offset, or -1 for undefined length. */
    @FunctionalInterface
    private interface ItemVisitor {
        void item(int itemEnd, int depth) throws SkippedFileException;
    }

    /**
     * Visits the items of the sequence whose header {@code e} was just read. The visitor is called
     * with {@code pos} at the item's first element and must leave {@code pos} after its last
     * element (for undefined length, on the item delimiter, which this method consumes).
     */
    private void forEachItem(Element e, int depth, ItemVisitor visitor) throws SkippedFileException {
        if (depth > MAX_DEPTH) {
            throw corrupt("sequences nested deeper than " + MAX_DEPTH + " levels");
        }
        pos = e.valueStart;
        int seqEnd = e.length == UNDEFINED_LENGTH ? -1 : e.valueStart + e.length;
        if (seqEnd > end) {
            throw lengthPastEnd(0, e.length, e.valueStart);
        }
        while (seqEnd < 0 || pos < seqEnd) {
            if (end - pos < 8) {
                throw corrupt("sequence not terminated before end of file");
            }
            int tag = tagAt(pos);
            int len = i32(pos + 4);
            pos += 8;
            if (tag == SEQUENCE_DELIMITATION) {
                if (seqEnd >= 0) {
                    throw corrupt("sequence delimiter inside a sequence of defined length at offset " + (pos - 8));
                }
                return;
            }
            if (tag != ITEM) {
                throw corrupt("expected an item in a sequence, found " + DicomTags.format(tag) + " at offset " + (pos - 8));
            }
            if (len == 0xFFFF_FFFF) {
                visitor.item(-1, depth + 1);
                if (end - pos < 8 || tagAt(pos) != ITEM_DELIMITATION) {
                    throw corrupt("item of undefined length not terminated before end of file");
                }
                pos += 8;
            } else {
                if (len < 0 || len > end - pos || (seqEnd >= 0 && pos + len > seqEnd)) {
                    throw lengthPastEnd(ITEM, len, pos);
                }
                int itemEnd = pos + len;
                visitor.item(itemEnd, depth + 1);
                pos = itemEnd;
            }
        }
    }

    /**
     * Reads one functional-group item: Plane Position, Plane Orientation and Pixel Value
     * Transformation macros; other macros are skipped.
     */
    private FrameValues readFunctionalGroupItem(int itemEnd, int depth) throws SkippedFileException {
        FrameValues f = new FrameValues();
        walkItem(itemEnd, depth, (tag, e) -> {
            if (tag == PLANE_POSITION_SEQUENCE || tag == PLANE_ORIENTATION_SEQUENCE
                    || tag == PIXEL_VALUE_TRANSFORMATION_SEQUENCE) {
                forEachItem(e, depth + 1, (innerEnd, d) -> walkItem(innerEnd, d, (t, inner) -> {
                    if (inner.length == UNDEFINED_LENGTH) {
                        return false;
                    }
                    switch (t) {
                        case IMAGE_POSITION_PATIENT -> f.position = parseDecimals(string(inner.valueStart, inner.length), 3);
                        case IMAGE_ORIENTATION_PATIENT -> f.orientation = parseDecimals(string(inner.valueStart, inner.length), 6);
                        case RESCALE_SLOPE -> f.slope = parseDecimalOrNaN(string(inner.valueStart, inner.length));
                        case RESCALE_INTERCEPT -> f.intercept = parseDecimalOrNaN(string(inner.valueStart, inner.length));
                        default -> {
                            return false;
                        }
                    }
                    pos = inner.valueStart + inner.length;
                    return true;
                }));
                return true;
            }
            return false;
        });
        return f;
    }

    /** Handles one element inside an item; returns true when it consumed the value (pos after it). */
    @FunctionalInterface
    private interface ElementVisitor {
        boolean element(int tag, Element e) throws SkippedFileException;
    }

    /** Walks the elements of an item up to {@code itemEnd} (or its item delimiter when -1). */
    private void walkItem(int itemEnd, int depth, ElementVisitor visitor) throws SkippedFileException {
        if (depth > MAX_DEPTH) {
            throw corrupt("sequences nested deeper than " + MAX_DEPTH + " levels");
        }
        while (itemEnd < 0 ? true : pos < itemEnd) {
            if (end - pos < 8) {
                throw corrupt("item not terminated before end of file");
            }
            int tag = tagAt(pos);
            if (itemEnd < 0 && tag == ITEM_DELIMITATION) {
                return;
            }
            Element e = readElementHeader(tag);
            if (e.length != UNDEFINED_LENGTH && e.length > (itemEnd < 0 ? end : itemEnd) - e.valueStart) {
                throw lengthPastEnd(tag, e.length, e.valueStart);
            }
            if (visitor.element(tag, e)) {
                continue;
            }
            if (e.length == UNDEFINED_LENGTH) {
                skipSequence(e, depth);
            } else {
                pos = e.valueStart + e.length;
            }
        }
    }

    /**
     * Skips a sequence of undefined length whose header {@code e} was just read: items of defined
     * length are jumped over, items of undefined length are walked element by element (their
     * nested sequences likewise) up to their delimiter.
     */
    private void skipSequence(Element e, int depth) throws SkippedFileException {
        forEachItem(e, depth, (itemEnd, d) -> {
            if (itemEnd < 0) {
                walkItem(-1, d, (t, x) -> false);
            }
        });
    }

    private void keep(Values v, int tag, int off, int len) throws SkippedFileException {
        DicomHeader h = v.h;
        switch (tag) {
            case SOP_CLASS_UID -> h.sopClassUid = string(off, len);
            case STUDY_INSTANCE_UID -> h.studyInstanceUid = string(off, len);
            case SERIES_INSTANCE_UID -> h.seriesInstanceUid = string(off, len);
            case INSTANCE_NUMBER -> h.instanceNumber = parseIntOrNull(string(off, len));
            case IMAGE_POSITION_PATIENT -> v.top.position = parseDecimals(string(off, len), 3);
            case IMAGE_ORIENTATION_PATIENT -> v.top.orientation = parseDecimals(string(off, len), 6);
            case SAMPLES_PER_PIXEL -> h.samplesPerPixel = us(tag, off, len);
            case PHOTOMETRIC_INTERPRETATION -> h.photometric = string(off, len);
            case PLANAR_CONFIGURATION -> h.planarConfiguration = us(tag, off, len);
            case NUMBER_OF_FRAMES -> {
                Integer n = parseIntOrNull(string(off, len));
                v.frames = n == null ? 1 : n;
            }
            case ROWS -> h.rows = us(tag, off, len);
            case COLUMNS -> h.columns = us(tag, off, len);
            case BITS_ALLOCATED -> h.bitsAllocated = us(tag, off, len);
            case BITS_STORED -> v.bitsStored = us(tag, off, len);
            case HIGH_BIT -> v.highBit = us(tag, off, len);
            case PIXEL_REPRESENTATION -> h.pixelRepresentation = us(tag, off, len);
            case PIXEL_PADDING_VALUE -> v.rawPadding = us(tag, off, len);
            case PIXEL_PADDING_RANGE_LIMIT -> v.rawPaddingLimit = us(tag, off, len);
            case RESCALE_SLOPE -> v.top.slope = parseDecimalOrNaN(string(off, len));
            case RESCALE_INTERCEPT -> v.top.intercept = parseDecimalOrNaN(string(off, len));
            case EXTENDED_OFFSET_TABLE -> {
                v.extendedOffsets = new long[len / 8];
                for (int i = 0; i < v.extendedOffsets.length; i++) {
                    long lo = Integer.toUnsignedLong(i32(off + 8 * i));
                    long hi = Integer.toUnsignedLong(i32(off + 8 * i + 4));
                    v.extendedOffsets[i] = bigEndian ? lo << 32 | hi : hi << 32 | lo;
                }
            }
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
        return end >= 8 && u16le(0) == 0x0008 && u16le(2) < 0x0100;
    }

    private int u16le(int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private int i32le(int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    /** 16-bit value in the data set's byte order. */
    private int u16(int at) {
        return bigEndian ? (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF) : u16le(at);
    }

    /** 32-bit value in the data set's byte order. */
    private int i32(int at) {
        return bigEndian
                ? (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF)
                : i32le(at);
    }

    /**
     * Tag at {@code at} in the data set's byte order. Item and delimiter tags (group FFFE) are
     * recognised in both orders.
     */
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

    /**
     * Text value without trailing spaces or NUL padding (and without leading spaces). The values we
     * read (UIDs, numbers, code strings) are ASCII in every character set, so the Specific
     * Character Set does not matter for them.
     */
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
