package lessismore.io;

/**
 * Why an input file was not used. Each category is counted in {@code summary.json}; the manifest
 * carries the full one-line message of the {@link SkippedFileException}.
 */
public enum SkipReason {
    /** The file could not be read at all (permissions, vanished, broken link, not a regular file). */
    UNREADABLE("unreadable"),
    /** The file is not DICOM (no DICM marker and no recognizable data set). */
    NOT_DICOM("not-dicom"),
    /** DICOM, but not an image: DICOMDIR, structured report, presentation state, … */
    NOT_IMAGE("not-image"),
    /** A valid image we cannot decode yet (transfer syntax, colour, multi-frame, …). */
    UNSUPPORTED("unsupported"),
    /** The file is damaged: truncated, or a length field that points past its end. */
    CORRUPT("corrupt"),
    /** A readable image that does not fit its volume (e.g. a different size than the rest of its series). */
    INCONSISTENT("inconsistent");

    private final String label;

    SkipReason(String label) {
        this.label = label;
    }

    /** Short stable label used in CSV/JSON outputs. */
    public String label() {
        return label;
    }
}
