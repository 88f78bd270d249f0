package lessismore.io.dicom;

/** The few DICOM tags the reader looks at, as {@code 0xGGGGEEEE}. */
public final class DicomTags {
    private DicomTags() {
    }

    public static final int MEDIA_STORAGE_SOP_CLASS_UID = 0x0002_0002;
    public static final int TRANSFER_SYNTAX_UID = 0x0002_0010;
    public static final int DIRECTORY_RECORD_SEQUENCE = 0x0004_1220;
    public static final int SOP_CLASS_UID = 0x0008_0016;
    public static final int MODALITY = 0x0008_0060;
    public static final int STUDY_INSTANCE_UID = 0x0020_000D;
    public static final int SERIES_INSTANCE_UID = 0x0020_000E;
    public static final int INSTANCE_NUMBER = 0x0020_0013;
    public static final int IMAGE_POSITION_PATIENT = 0x0020_0032;
    public static final int IMAGE_ORIENTATION_PATIENT = 0x0020_0037;
    public static final int SAMPLES_PER_PIXEL = 0x0028_0002;
    public static final int PHOTOMETRIC_INTERPRETATION = 0x0028_0004;
    public static final int NUMBER_OF_FRAMES = 0x0028_0008;
    public static final int ROWS = 0x0028_0010;
    public static final int COLUMNS = 0x0028_0011;
    public static final int BITS_ALLOCATED = 0x0028_0100;
    public static final int BITS_STORED = 0x0028_0101;
    public static final int HIGH_BIT = 0x0028_0102;
    public static final int PIXEL_REPRESENTATION = 0x0028_0103;
    public static final int RESCALE_INTERCEPT = 0x0028_1052;
    public static final int RESCALE_SLOPE = 0x0028_1053;
    public static final int PIXEL_DATA = 0x7FE0_0010;

    /** Item, item delimiter and sequence delimiter tags of encapsulated and sequence values. */
    public static final int ITEM = 0xFFFE_E000;
    public static final int ITEM_DELIMITATION = 0xFFFE_E00D;
    public static final int SEQUENCE_DELIMITATION = 0xFFFE_E0DD;

    /** Formats a tag as DICOM writes it, e.g. {@code (0028,0010)}. */
    public static String format(int tag) {
        return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }
}
