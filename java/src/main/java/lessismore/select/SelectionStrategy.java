package lessismore.select;

import lessismore.signature.SignatureMethod;

/** Decides which slices of a dataset to keep. */
public sealed interface SelectionStrategy permits KeepAll, EveryNth, SignatureStrategy {
    /** Name as given to {@code --strategy}. */
    String name();

    /** The signature the strategy compares, or null when it needs none. */
    default SignatureMethod<?> method() {
        return null;
    }

    /** Selects among the eligible slices of {@code c}; ineligible slices are left dropped. */
    Selection select(Candidates c);

    /** One-line description of why a slice without a reference was dropped (e.g. every-n). */
    default String dropRule() {
        return "dropped by " + name();
    }
}
