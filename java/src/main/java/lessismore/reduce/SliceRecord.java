package lessismore.reduce;

import lessismore.io.InputFile;
import lessismore.io.SkipReason;

/**
 * Everything a run keeps about one input file once its pixels are gone: identity and geometry
 * from the header, the signature, and the decision: a few hundred bytes per slice plus the
 * signature (8 bytes for dHash-8, 16 KiB for a 128² SSIM sample) and, while the report's cap
 * allows, a 64-pixel thumbnail; never the full image.
 */
public final class SliceRecord {
    /** What happened to a file. */
    public enum Decision {
        KEPT, DROPPED, SKIPPED;

        /** Lower-case label for outputs. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    final InputFile file;
    /** Index of the slice in its file (multi-frame DICOM, NIfTI), or -1 for a skipped whole file. */
    final int frame;
    /** Number of slices its file holds (1 for ordinary DICOM slices). */
    int frames = 1;
    // Header values (null/empty when skipped before parsing).
    String studyUid = "";
    String seriesUid = "";
    Integer instanceNumber;
    double[] position;
    double[] orientation;
    int rows;
    int columns;
    /** Name for a volume this file forms alone (a NIfTI file), or null: named after the folder. */
    String volumeLabel;
    /** Signature of the preprocessed 8-bit slice (type set by the strategy's method), or null. */
    Object signature;
    /** The signature as manifest text ("" when it has none). */
    String signatureText = "";
    /** The {@code --min-information} measure, NaN when not measured. */
    double information = Double.NaN;
    /** Small rendering for the report, or null. */
    lessismore.report.ReportModel.Thumbnail thumbnail;

    // Set by grouping and selection.
    String volumeId = "";
    int sliceIndex = -1;
    /** Position along the volume's slice normal in mm, NaN when unknown. */
    double positionMm = Double.NaN;
    Decision decision;
    SkipReason skipReason;
    String reason = "";
    /** True when dropped by {@code --min-information} before any comparison. */
    boolean lowInformation;
    /** Volume id of the kept reference a dropped slice duplicates, or null. */
    String referenceVolume;
    /** Slice index of that reference in its volume, or -1. */
    int referenceSlice = -1;
    /** Distance or similarity to that reference, NaN when none. */
    double score = Double.NaN;

    SliceRecord(InputFile file, int frame) {
        this.file = file;
        this.frame = frame;
    }

    void skip(SkipReason why, String message) {
        decision = Decision.SKIPPED;
        skipReason = why;
        reason = message;
    }

    /** The input file. */
    public InputFile file() {
        return file;
    }

    /** Index of the slice in its file, or -1 for a file skipped as a whole. */
    public int frame() {
        return frame;
    }

    /** Path relative to the input root. */
    public String relativePath() {
        return file.relativePath();
    }

    /** The signature ({@code long[]} hash words, {@code byte[]} sample image, {@code float[]} embedding), null when skipped. */
    public Object signature() {
        return signature;
    }

    /** The signature as written to the manifest: hex for hashes, "" for others. */
    public String signatureText() {
        return signatureText;
    }

    /** Kept, dropped or skipped. */
    public Decision decision() {
        return decision;
    }

    /** Derived volume id, "" when skipped before grouping. */
    public String volumeId() {
        return volumeId;
    }

    /** Index of the slice in its volume's order (0-based), or -1. */
    public int sliceIndex() {
        return sliceIndex;
    }

    /** Human-readable reason: reference and score for dropped slices, the problem for skipped ones. */
    public String reason() {
        return reason;
    }

    /** Category of the skip, or null. */
    public SkipReason skipReason() {
        return skipReason;
    }

    /** Slice index of the reference a dropped slice duplicates, or -1. */
    public int referenceSlice() {
        return referenceSlice;
    }

    /** Volume id of that reference (another volume only under the global rule), or null. */
    public String referenceVolume() {
        return referenceVolume;
    }

    /** Distance or similarity to that reference, NaN when none. */
    public double score() {
        return score;
    }

    /** True when dropped by {@code --min-information}. */
    public boolean lowInformation() {
        return lowInformation;
    }

    /** Position along the slice normal in mm, NaN when unknown. */
    public double positionMm() {
        return positionMm;
    }

    /** Instance Number, or null. */
    public Integer instanceNumber() {
        return instanceNumber;
    }
}
