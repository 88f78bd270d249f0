package lessismore.io;

/**
 * A file that cannot be used, with a one-line human-readable reason. Thrown by readers instead of
 * any other exception, so that one bad file never stops a run: the caller records the reason in the
 * manifest and goes on.
 */
public final class SkippedFileException extends Exception {
    private final SkipReason reason;

    /**
     * @param reason  the category, counted in the summary
     * @param message one line, e.g. "truncated pixel data: expected 524288 bytes, found 1200"
     */
    public SkippedFileException(SkipReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** The category of the problem. */
    public SkipReason reason() {
        return reason;
    }
}
