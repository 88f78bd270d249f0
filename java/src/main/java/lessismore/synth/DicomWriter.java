package lessismore.synth;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import lessismore.output.AtomicFile;

/**
 * Writes small, valid, uncompressed DICOM files: enough to produce synthetic CT series for tests,
 * demos and benchmarks without any external library.
 *
 * <p>Usage: collect elements in a {@link Builder} (any order; they are written in ascending tag
 * order), then {@link Builder#write(Path, Syntax, boolean) write} them either as a Part 10 file
 * (128-byte zero preamble, "DICM", File Meta group 0002 in Explicit VR Little Endian, then the data
 * set in the chosen transfer syntax) or as a bare data set without preamble and meta information,
 * as old ACR-NEMA-style files are.
 *
 * <pre>{@code
 * DicomWriter.Builder b = DicomWriter.builder()
 *         .addString(Tags.SOP_CLASS_UID, VR.UI, DicomWriter.CT_IMAGE_STORAGE)
 *         .addString(Tags.SOP_INSTANCE_UID, VR.UI, DicomWriter.uid(random))
 *         .addUS(Tags.ROWS, 256).addUS(Tags.COLUMNS, 256)
 *         .addPixelData(pixels);                       // short[256 * 256], row-major
 * b.write(dir.resolve("IM00001.dcm"), Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true);
 * }</pre>
 *
 * <p>The writer checks what it can check cheaply (ASCII text, per-value length limits of the text
 * VRs, even lengths, 16-bit length fields) so that whatever it writes parses cleanly in dcmtk and
 * pydicom; it does not check which attributes an IOD requires.
 */
public final class DicomWriter {

    /** SOP Class UID of CT Image Storage. */
    public static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";

    /**
     * Implementation Class UID written into (0002,0012): a fixed "2.25." UID (UUID-derived OID root,
     * so no registered organisation root is needed) naming this writer.
     */
    public static final String IMPLEMENTATION_CLASS_UID = "2.25.186704958254117385916417330858441325377";

    private static final byte[] PREAMBLE = new byte[128];
    private static final byte[] DICM = {'D', 'I', 'C', 'M'};
    /** Value of a length field meaning "undefined length, delimited by an item/sequence delimiter". */
    private static final int UNDEFINED_LENGTH = 0xFFFF_FFFF;
    /** Distinguishes temp files of concurrent writes in one process (the pid separates processes). */

    private DicomWriter() {
    }

    /** The transfer syntaxes this writer can encode the data set in. */
    public enum Syntax {
        /** 1.2.840.10008.1.2.1: each element carries its two-letter VR. */
        EXPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2.1"),
        /** 1.2.840.10008.1.2: no VR in the stream; readers take it from the data dictionary. */
        IMPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2");

        private final String uid;

        Syntax(String uid) {
            this.uid = uid;
        }

        /** The Transfer Syntax UID, as written into (0002,0010). */
        public String uid() {
            return uid;
        }
    }

    /**
     * Value representations. {@code maxChars} is the per-value limit of the text VRs (0: no limit
     * checked), {@code pad} the byte that makes an odd-length value even (NUL for UI and the binary
     * VRs, space for text), {@code longLength} whether Explicit VR uses the 12-byte header with a
     * 4-byte length (PS3.5 7.1.2) rather than the 8-byte one with a 2-byte length.
     */
    public enum VR {
        AE(16, ' ', false, true), AS(4, ' ', false, true), AT(0, 0, false, false),
        CS(16, ' ', false, true), DA(8, ' ', false, true), DS(16, ' ', false, true),
        DT(26, ' ', false, true), FD(0, 0, false, false), FL(0, 0, false, false),
        IS(12, ' ', false, true), LO(64, ' ', false, true), LT(10240, ' ', false, true),
        OB(0, 0, true, false), OD(0, 0, true, false), OF(0, 0, true, false),
        OL(0, 0, true, false), OV(0, 0, true, false), OW(0, 0, true, false),
        PN(64, ' ', false, true), SH(16, ' ', false, true), SL(0, 0, false, false),
        SQ(0, 0, true, false), SS(0, 0, false, false), ST(1024, ' ', false, true),
        SV(0, 0, true, false), TM(14, ' ', false, true), UC(0, ' ', true, true),
        UI(64, 0, false, true), UL(0, 0, false, false), UN(0, 0, true, false),
        UR(0, ' ', true, true), US(0, 0, false, false), UT(0, ' ', true, true),
        UV(0, 0, true, false);

        private final int maxChars;
        private final byte pad;
        private final boolean longLength;
        private final boolean text;

        VR(int maxChars, int pad, boolean longLength, boolean text) {
            this.maxChars = maxChars;
            this.pad = (byte) pad;
            this.longLength = longLength;
            this.text = text;
        }

        /** Whether Explicit VR encodes this VR with a reserved 2 bytes and a 4-byte length. */
        public boolean longLength() {
            return longLength;
        }

        /** Whether values of this VR are character strings. */
        public boolean isText() {
            return text;
        }

        /** Texts that are one value even when they contain a backslash (PS3.5 6.2). */
        private boolean singleValued() {
            return this == LT || this == ST || this == UT || this == UR;
        }
    }

    /** Tags used by the phantom generator, as {@code 0xGGGGEEEE}. */
    public static final class Tags {
        private Tags() {
        }

        public static final int SPECIFIC_CHARACTER_SET = 0x0008_0005;
        public static final int IMAGE_TYPE = 0x0008_0008;
        public static final int SOP_CLASS_UID = 0x0008_0016;
        public static final int SOP_INSTANCE_UID = 0x0008_0018;
        public static final int STUDY_DATE = 0x0008_0020;
        public static final int SERIES_DATE = 0x0008_0021;
        public static final int STUDY_TIME = 0x0008_0030;
        public static final int SERIES_TIME = 0x0008_0031;
        public static final int ACCESSION_NUMBER = 0x0008_0050;
        public static final int MODALITY = 0x0008_0060;
        public static final int MANUFACTURER = 0x0008_0070;
        public static final int REFERRING_PHYSICIAN_NAME = 0x0008_0090;
        public static final int STUDY_DESCRIPTION = 0x0008_1030;
        public static final int SERIES_DESCRIPTION = 0x0008_103E;
        public static final int MANUFACTURER_MODEL_NAME = 0x0008_1090;
        public static final int PATIENT_NAME = 0x0010_0010;
        public static final int PATIENT_ID = 0x0010_0020;
        public static final int PATIENT_BIRTH_DATE = 0x0010_0030;
        public static final int PATIENT_SEX = 0x0010_0040;
        public static final int BODY_PART_EXAMINED = 0x0018_0015;
        public static final int SLICE_THICKNESS = 0x0018_0050;
        public static final int KVP = 0x0018_0060;
        public static final int PATIENT_POSITION = 0x0018_5100;
        public static final int STUDY_INSTANCE_UID = 0x0020_000D;
        public static final int SERIES_INSTANCE_UID = 0x0020_000E;
        public static final int STUDY_ID = 0x0020_0010;
        public static final int SERIES_NUMBER = 0x0020_0011;
        public static final int ACQUISITION_NUMBER = 0x0020_0012;
        public static final int INSTANCE_NUMBER = 0x0020_0013;
        public static final int IMAGE_POSITION_PATIENT = 0x0020_0032;
        public static final int IMAGE_ORIENTATION_PATIENT = 0x0020_0037;
        public static final int FRAME_OF_REFERENCE_UID = 0x0020_0052;
        public static final int POSITION_REFERENCE_INDICATOR = 0x0020_1040;
        public static final int SLICE_LOCATION = 0x0020_1041;
        public static final int SAMPLES_PER_PIXEL = 0x0028_0002;
        public static final int PHOTOMETRIC_INTERPRETATION = 0x0028_0004;
        public static final int ROWS = 0x0028_0010;
        public static final int COLUMNS = 0x0028_0011;
        public static final int PIXEL_SPACING = 0x0028_0030;
        public static final int BITS_ALLOCATED = 0x0028_0100;
        public static final int BITS_STORED = 0x0028_0101;
        public static final int HIGH_BIT = 0x0028_0102;
        public static final int PIXEL_REPRESENTATION = 0x0028_0103;
        public static final int WINDOW_CENTER = 0x0028_1050;
        public static final int WINDOW_WIDTH = 0x0028_1051;
        public static final int RESCALE_INTERCEPT = 0x0028_1052;
        public static final int RESCALE_SLOPE = 0x0028_1053;
        public static final int RESCALE_TYPE = 0x0028_1054;
        public static final int PIXEL_DATA = 0x7FE0_0010;

        // File Meta group and the delimiters; written by the writer itself.
        static final int FILE_META_GROUP_LENGTH = 0x0002_0000;
        static final int FILE_META_VERSION = 0x0002_0001;
        static final int MEDIA_STORAGE_SOP_CLASS_UID = 0x0002_0002;
        static final int MEDIA_STORAGE_SOP_INSTANCE_UID = 0x0002_0003;
        static final int TRANSFER_SYNTAX_UID = 0x0002_0010;
        static final int IMPLEMENTATION_CLASS_UID = 0x0002_0012;
        static final int ITEM = 0xFFFE_E000;
        static final int ITEM_DELIMITATION = 0xFFFE_E00D;
        static final int SEQUENCE_DELIMITATION = 0xFFFE_E0DD;
    }

    /** A new, empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A UID "2.25.&lt;decimal of a 128-bit number&gt;" (PS3.5 B.2) drawn from {@code random}, so a
     * seeded generator gives the same UIDs on every run. The version and variant bits are set as in
     * a random (version 4) UUID, which makes the number a valid UUID as the 2.25 arc expects; at most
     * 44 characters, well inside the 64 allowed.
     */
    public static String uid(RandomGenerator random) {
        long hi = random.nextLong();
        long lo = random.nextLong();
        hi = (hi & ~0xF000L) | 0x4000L;                   // version 4
        lo = (lo & 0x3FFF_FFFF_FFFF_FFFFL) | Long.MIN_VALUE; // variant 10xx
        byte[] bytes = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
        return "2.25." + new BigInteger(1, bytes);
    }

    /**
     * Formats a number as a DS value: plain decimal (no exponent), at most 6 decimals, trailing
     * zeros dropped, at most 16 characters. Locale-independent, so output is reproducible.
     *
     * @throws IllegalArgumentException for NaN, infinities, or numbers too large for 16 characters
     */
    public static String formatDS(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("DS value must be finite: " + value);
        }
        for (int scale = 6; scale >= 0; scale--) {
            BigDecimal d = BigDecimal.valueOf(value).setScale(scale, RoundingMode.HALF_EVEN).stripTrailingZeros();
            String s = d.signum() == 0 ? "0" : d.toPlainString();
            if (s.length() <= 16) {
                return s;
            }
        }
        throw new IllegalArgumentException("DS value does not fit 16 characters: " + value);
    }

    /**
     * Data set elements, kept sorted by tag (unsigned, so 0x7FE0 sorts before 0xFFFE) and encoded
     * only when written, because the encoding depends on the transfer syntax. Adding a tag twice
     * replaces the earlier value. Not thread-safe; {@link #copy()} gives an independent builder
     * (values themselves are immutable once added, so a copy is cheap).
     */
    public static final class Builder {
        private final TreeMap<Integer, Element> elements = new TreeMap<>(Integer::compareUnsigned);

        private Builder() {
        }

        /** An independent builder with the same elements (values are shared, never mutated). */
        public Builder copy() {
            Builder b = new Builder();
            b.elements.putAll(elements);
            return b;
        }

        /** Whether an element with this tag has been added. */
        public boolean contains(int tag) {
            return elements.containsKey(tag);
        }

        /** Removes the element with this tag, if any. */
        public Builder remove(int tag) {
            elements.remove(tag);
            return this;
        }

        /**
         * Adds a text element. {@code value} is the whole value field: for multi-valued VRs separate
         * values with a backslash (or use {@link #addStrings}). Each value must be printable ASCII
         * (no Specific Character Set is written, so the default repertoire applies) and within the
         * VR's length limit; odd lengths are padded (space, or NUL for UI). An empty string gives a
         * zero-length element, as Type 2 attributes allow.
         */
        public Builder addString(int tag, VR vr, String value) {
            Objects.requireNonNull(value, "value");
            if (!vr.text) {
                throw new IllegalArgumentException(tagString(tag) + ": " + vr + " is not a text VR");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                // Long texts may hold line breaks (TAB, LF, FF, CR); no other control characters.
                boolean allowedControl = (vr == VR.LT || vr == VR.ST || vr == VR.UT)
                        && (c == '\t' || c == '\n' || c == '\f' || c == '\r');
                if (c > 0x7E || (c < 0x20 && !allowedControl)) {
                    throw new IllegalArgumentException(tagString(tag) + ": character U+"
                            + Integer.toHexString(c) + " is not in the default repertoire");
                }
                if (vr == VR.UI && c != '.' && c != '\\' && (c < '0' || c > '9')) {
                    throw new IllegalArgumentException(tagString(tag) + ": UI may hold only digits and dots: \""
                            + value + "\"");
                }
            }
            if (vr.maxChars > 0) {
                String[] parts = vr.singleValued() ? new String[] {value} : value.split("\\\\", -1);
                for (String p : parts) {
                    if (p.length() > vr.maxChars) {
                        throw new IllegalArgumentException(tagString(tag) + ": " + vr + " value longer than "
                                + vr.maxChars + " characters: \"" + p + "\"");
                    }
                }
            }
            return put(tag, vr, value.getBytes(StandardCharsets.US_ASCII));
        }

        /** Adds a multi-valued text element, the values joined with backslashes. */
        public Builder addStrings(int tag, VR vr, String... values) {
            return addString(tag, vr, String.join("\\", values));
        }

        /** Adds a DS element (decimal strings, formatted by {@link #formatDS}). */
        public Builder addDS(int tag, double... values) {
            String[] s = new String[values.length];
            for (int i = 0; i < values.length; i++) {
                s[i] = formatDS(values[i]);
            }
            return addStrings(tag, VR.DS, s);
        }

        /** Adds an IS element (integer strings). */
        public Builder addIS(int tag, long... values) {
            String[] s = new String[values.length];
            for (int i = 0; i < values.length; i++) {
                if (values[i] < Integer.MIN_VALUE || values[i] > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(tagString(tag) + ": IS out of range: " + values[i]);
                }
                s[i] = Long.toString(values[i]);
            }
            return addStrings(tag, VR.IS, s);
        }

        /** Adds a US element: unsigned 16-bit values, little endian. */
        public Builder addUS(int tag, int... values) {
            ByteBuffer bb = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : values) {
                if (v < 0 || v > 0xFFFF) {
                    throw new IllegalArgumentException(tagString(tag) + ": US out of range: " + v);
                }
                bb.putShort((short) v);
            }
            return put(tag, VR.US, bb.array());
        }

        /** Adds a UL element: unsigned 32-bit values, little endian. */
        public Builder addUL(int tag, long... values) {
            ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : values) {
                if (v < 0 || v > 0xFFFF_FFFFL) {
                    throw new IllegalArgumentException(tagString(tag) + ": UL out of range: " + v);
                }
                bb.putInt((int) v);
            }
            return put(tag, VR.UL, bb.array());
        }

        /**
         * Adds Pixel Data (7FE0,0010) as OW from 16-bit samples, row-major, written little endian.
         * Whether they are read as signed or unsigned is up to Pixel Representation (0028,0103).
         */
        public Builder addPixelData(short[] pixels) {
            ByteBuffer bb = ByteBuffer.allocate(2 * pixels.length).order(ByteOrder.LITTLE_ENDIAN);
            bb.asShortBuffer().put(pixels);
            return put(Tags.PIXEL_DATA, VR.OW, bb.array());
        }

        /**
         * Adds Pixel Data (7FE0,0010) as OW from bytes already in little-endian sample order (for
         * example 8-bit samples); an odd count is padded with one zero byte.
         */
        public Builder addPixelData(byte[] pixels) {
            return put(Tags.PIXEL_DATA, VR.OW, pixels.clone());
        }

        /**
         * Adds an element with a value already encoded as it should appear in the file (little
         * endian for binary VRs); it is copied and padded to even length with the VR's pad byte.
         * For SQ use {@link #addSequence} instead: item encoding depends on the transfer syntax.
         */
        public Builder addRaw(int tag, VR vr, byte[] value) {
            if (vr == VR.SQ) {
                throw new IllegalArgumentException(tagString(tag) + ": use addSequence for SQ");
            }
            return put(tag, vr, value.clone());
        }

        /** Adds a sequence of defined length whose items (each of defined length) are the given data sets. */
        public Builder addSequence(int tag, List<Builder> items) {
            return addSequence(tag, items, false);
        }

        /**
         * Adds a sequence of nested data sets. With {@code undefinedLength} the sequence and its
         * items use length 0xFFFFFFFF and are closed by delimitation items, as many scanners write
         * them; otherwise explicit lengths are written. Each item is encoded in the transfer syntax of
         * the enclosing file when written; the builders are copied now.
         */
        public Builder addSequence(int tag, List<Builder> items, boolean undefinedLength) {
            checkTag(tag);
            List<Builder> copies = new ArrayList<>(items.size());
            for (Builder item : items) {
                copies.add(item.copy());
            }
            elements.put(tag, new Sequence(tag, List.copyOf(copies), undefinedLength));
            return this;
        }

        private Builder put(int tag, VR vr, byte[] value) {
            checkTag(tag);
            if (vr == VR.OW && value.length % 2 != 0 && tag != Tags.PIXEL_DATA) {
                throw new IllegalArgumentException(tagString(tag) + ": OW value needs an even byte count");
            }
            elements.put(tag, new Value(tag, vr, value));
            return this;
        }

        private static void checkTag(int tag) {
            int group = tag >>> 16;
            if (group == 0x0002) {
                throw new IllegalArgumentException(tagString(tag)
                        + ": the File Meta group is written by DicomWriter itself");
            }
            if (group == 0xFFFE) {
                throw new IllegalArgumentException(tagString(tag) + ": item tags are not data elements");
            }
        }

        /**
         * The complete file content: with {@code preamble}, a Part 10 file (preamble, "DICM", File
         * Meta group, data set); without it, the bare data set as an ACR-NEMA-style file holds it
         * (then normally {@link Syntax#IMPLICIT_VR_LITTLE_ENDIAN}, the only syntax readers assume
         * without meta information; Explicit VR is written if asked for).
         *
         * @throws IllegalStateException with {@code preamble} but no SOP Class / SOP Instance UID,
         *     which the meta group must repeat
         */
        public byte[] toBytes(Syntax syntax, boolean preamble) {
            Objects.requireNonNull(syntax, "syntax");
            LeBuffer out = new LeBuffer(estimateSize() + (preamble ? 512 : 0));
            if (preamble) {
                out.put(PREAMBLE);
                out.put(DICM);
                writeFileMeta(out, syntax);
            }
            for (Element e : elements.values()) {
                e.encode(out, syntax == Syntax.EXPLICIT_VR_LITTLE_ENDIAN);
            }
            return out.toArray();
        }

        /**
         * Writes {@link #toBytes} to {@code file} atomically: the bytes go to a hidden temp file in
         * the same folder, which is then renamed over {@code file}, so a concurrent reader sees
         * either no file or the complete one, never a half-written one. Missing parent folders are
         * created.
         */
        public void write(Path file, Syntax syntax, boolean preamble) throws IOException {
            AtomicFile.writeBytes(file, toBytes(syntax, preamble));
        }

        private void writeFileMeta(LeBuffer out, Syntax syntax) {
            String sopClass = textValue(Tags.SOP_CLASS_UID);
            String sopInstance = textValue(Tags.SOP_INSTANCE_UID);
            if (sopClass == null || sopInstance == null) {
                throw new IllegalStateException(
                        "a Part 10 file needs SOP Class UID (0008,0016) and SOP Instance UID (0008,0018)");
            }
            // The meta group is always Explicit VR Little Endian (PS3.10 7.1), whatever the data set uses.
            LeBuffer meta = new LeBuffer(256);
            new Value(Tags.FILE_META_VERSION, VR.OB, new byte[] {0, 1}).encode(meta, true);
            uidValue(Tags.MEDIA_STORAGE_SOP_CLASS_UID, sopClass).encode(meta, true);
            uidValue(Tags.MEDIA_STORAGE_SOP_INSTANCE_UID, sopInstance).encode(meta, true);
            uidValue(Tags.TRANSFER_SYNTAX_UID, syntax.uid()).encode(meta, true);
            uidValue(Tags.IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_CLASS_UID).encode(meta, true);
            byte[] metaBytes = meta.toArray();
            ByteBuffer groupLength = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(metaBytes.length);
            new Value(Tags.FILE_META_GROUP_LENGTH, VR.UL, groupLength.array()).encode(out, true);
            out.put(metaBytes);
        }

        private static Value uidValue(int tag, String uid) {
            return new Value(tag, VR.UI, uid.getBytes(StandardCharsets.US_ASCII));
        }

        /** The value of a text element without its padding, or null when absent. */
        private String textValue(int tag) {
            if (!(elements.get(tag) instanceof Value v) || !v.vr.text) {
                return null;
            }
            String s = new String(v.value, StandardCharsets.US_ASCII);
            int end = s.length();
            while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == 0)) {
                end--;
            }
            return end == 0 ? null : s.substring(0, end);
        }

        private int estimateSize() {
            int n = 0;
            for (Element e : elements.values()) {
                n += e instanceof Value v ? v.value.length + 13 : 256;
            }
            return n;
        }
    }

    /** One data element as added; encoded per syntax when written. */
    private sealed interface Element permits Value, Sequence {
        void encode(LeBuffer out, boolean explicitVr);
    }

    private record Value(int tag, VR vr, byte[] value) implements Element {
        @Override
        public void encode(LeBuffer out, boolean explicitVr) {
            int length = value.length + (value.length & 1); // even length (PS3.5 7.1.1)
            writeHeader(out, tag, vr, length, explicitVr);
            out.put(value);
            if ((value.length & 1) != 0) {
                out.put(vr.pad);
            }
        }
    }

    private record Sequence(int tag, List<Builder> items, boolean undefinedLength) implements Element {
        @Override
        public void encode(LeBuffer out, boolean explicitVr) {
            // Items are encoded first so that defined lengths are known; nested data sets use the
            // same transfer syntax as the enclosing one.
            List<byte[]> encoded = new ArrayList<>(items.size());
            for (Builder item : items) {
                LeBuffer b = new LeBuffer(item.estimateSize());
                for (Element e : item.elements.values()) {
                    e.encode(b, explicitVr);
                }
                encoded.add(b.toArray());
            }
            if (undefinedLength) {
                writeHeader(out, tag, VR.SQ, UNDEFINED_LENGTH, explicitVr);
                for (byte[] item : encoded) {
                    out.putTag(Tags.ITEM);
                    out.putInt(UNDEFINED_LENGTH);
                    out.put(item);
                    out.putTag(Tags.ITEM_DELIMITATION);
                    out.putInt(0);
                }
                out.putTag(Tags.SEQUENCE_DELIMITATION);
                out.putInt(0);
            } else {
                long total = 0;
                for (byte[] item : encoded) {
                    total += 8L + item.length;
                }
                if (total >= 0xFFFF_FFFFL) {
                    throw new IllegalArgumentException(tagString(tag) + ": sequence too long");
                }
                writeHeader(out, tag, VR.SQ, (int) total, explicitVr);
                for (byte[] item : encoded) {
                    out.putTag(Tags.ITEM);
                    out.putInt(item.length);
                    out.put(item);
                }
            }
        }
    }

    /**
     * Element header. Explicit VR: tag, VR, then either a 2-byte length or 2 reserved zero bytes and
     * a 4-byte length (the long form). Implicit VR: tag and a 4-byte length.
     */
    private static void writeHeader(LeBuffer out, int tag, VR vr, int length, boolean explicitVr) {
        out.putTag(tag);
        if (!explicitVr) {
            out.putInt(length);
            return;
        }
        String name = vr.name();
        out.put((byte) name.charAt(0));
        out.put((byte) name.charAt(1));
        if (vr.longLength) {
            out.putShort(0);
            out.putInt(length);
        } else {
            if ((length & 0xFFFF_FFFFL) > 0xFFFF) {
                throw new IllegalArgumentException(tagString(tag) + ": " + vr
                        + " value of " + (length & 0xFFFF_FFFFL) + " bytes exceeds the 16-bit length field");
            }
            out.putShort(length);
        }
    }

    static String tagString(int tag) {
        return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }

    /** Minimal growable little-endian byte buffer (ByteArrayOutputStream is synchronized and has no LE helpers). */
    private static final class LeBuffer {
        private byte[] buf;
        private int size;

        LeBuffer(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        private void ensure(int extra) {
            if (size + extra > buf.length) {
                long wanted = Math.max((long) buf.length * 2, (long) size + extra);
                if (wanted > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException("DICOM object too large");
                }
                buf = Arrays.copyOf(buf, (int) wanted);
            }
        }

        void put(byte b) {
            ensure(1);
            buf[size++] = b;
        }

        void put(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }

        void putShort(int v) {
            ensure(2);
            buf[size++] = (byte) v;
            buf[size++] = (byte) (v >>> 8);
        }

        void putInt(int v) {
            ensure(4);
            buf[size++] = (byte) v;
            buf[size++] = (byte) (v >>> 8);
            buf[size++] = (byte) (v >>> 16);
            buf[size++] = (byte) (v >>> 24);
        }

        /** A tag is written as group then element, each little endian. */
        void putTag(int tag) {
            putShort(tag >>> 16);
            putShort(tag & 0xFFFF);
        }

        byte[] toArray() {
            return size == buf.length ? buf : Arrays.copyOf(buf, size);
        }
    }
}
