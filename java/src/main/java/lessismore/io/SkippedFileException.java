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

    /**
     * The skip for a file that could not be read: not found, permission denied, or another read
     * error, whose message is kept on one line.
     */
    public static SkippedFileException unreadable(java.io.IOException e) {
        boolean named = e instanceof java.nio.file.NoSuchFileException || e instanceof java.nio.file.AccessDeniedException;
        return new SkippedFileException(SkipReason.UNREADABLE, named ? describe(e) : "read error: " + oneLine(e));
    }

    /**
     * An I/O error on one line, naming the file where Java's message is only its path: "file not
     * found: PATH", "permission denied: PATH", otherwise the message folded onto one line.
     */
    public static String describe(java.io.IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return "file not found: " + n.getFile();
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        return oneLine(e);
    }

    /** An exception's message (or its class name) with line breaks and runs of spaces folded. */
    public static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ").strip();
    }

    /** The category of the problem. */
    public SkipReason reason() {
        return reason;
    }
}
