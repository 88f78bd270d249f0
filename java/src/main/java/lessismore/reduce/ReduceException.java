package lessismore.reduce;

/** The run cannot start or go on because of what the user gave it (paths, options); one-line message. */
public final class ReduceException extends Exception {
    /** @param message one line, shown to the user as is */
    public ReduceException(String message) {
        super(message);
    }
}
