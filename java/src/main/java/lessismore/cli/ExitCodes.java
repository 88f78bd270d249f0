package lessismore.cli;

/** Exit codes of every command, as documented in the README. */
public final class ExitCodes {
    private ExitCodes() {
    }

    /** The command did what was asked (some input files may have been skipped; see the manifest). */
    public static final int OK = 0;
    /** A bug or an environment failure (disk full, I/O error on the output); the message says which. */
    public static final int INTERNAL_ERROR = 1;
    /** Bad usage or unusable input/output paths: nothing was written. */
    public static final int BAD_INPUT = 2;
    /** The input held no usable image slice: outputs list why each file was skipped. */
    public static final int NOTHING_TO_DO = 3;
}
