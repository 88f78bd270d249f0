package lessismore.select;

/** Decides which slices of one ordered volume to keep, from their 64-bit signatures. */
public interface SelectionStrategy {
    /** Name as given to {@code --strategy}. */
    String name();

    /** Selects over signatures[0..n) of one volume in order. */
    Selection select(long[] signatures);

    /** One-line description of why a slice without a reference was dropped (e.g. every-n). */
    default String dropRule() {
        return "dropped by " + name();
    }
}
