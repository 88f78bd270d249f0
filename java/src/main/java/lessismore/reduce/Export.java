package lessismore.reduce;

/** What {@code --export} writes for the kept slices, under {@code OUT/images/<volume>/}. */
public enum Export {
    /** Nothing: the manifest alone says what to keep. */
    NONE,
    /** Each kept slice as its preprocessed 8-bit PNG, one folder per volume (PyTorch ImageFolder). */
    PNG,
    /** A symbolic link to each kept input file. */
    LINK,
    /** A copy of each kept input file. */
    COPY
}
