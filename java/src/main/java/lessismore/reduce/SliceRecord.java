package lessismore.reduce;

import lessismore.io.InputFile;
import lessismore.io.SkipReason;

/**
 * Everything a run keeps about one input file once its pixels are gone: identity and geometry
 * from the header, the 64-bit signature, and the decision. A few hundred bytes per slice, so a run
 * over millions of slices keeps no pixel data in memory.
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
    /** dHash (64 bits) of the preprocessed 8-bit slice. */
    long signature;

    // Set by grouping and selection.
    String volumeId = "";
    int sliceIndex = -1;
    /** Position along the volume's slice normal in mm, NaN when unknown. */
    double positionMm = Double.NaN;
    Decision decision;
    SkipReason skipReason;
    String reason = "";
    /** Slice index of the kept reference a dropped slice duplicates, or -1. */
    int referenceSlice = -1;
    /** Distance to that reference, or -1. */
    int distance = -1;

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

    /** The 64-bit dHash. Meaningful unless skipped. */
    public long signature() {
        return signature;
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

    /** Human-readable reason: reference and distance for dropped slices, the problem for skipped ones. */
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

    /** Hamming distance to that reference, or -1. */
    public int distance() {
        return distance;
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
