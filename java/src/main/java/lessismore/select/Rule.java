package lessismore.select;

import java.util.Locale;

/**
 * Which earlier slices a slice is compared with. All three keep the first slice they see and drop
 * a slice that is redundant with a kept one; they differ in which kept slices count.
 */
public enum Rule {
    /**
     * The published greedy rule, per volume: the first remaining slice is the reference and is kept,
     * every remaining slice redundant with it is dropped; repeat. Equivalently, a slice is dropped
     * when it is redundant with any earlier kept slice of its volume (the first such is its
     * reference). O(n·k) comparisons for a volume of n slices of which k are kept, O(n²) at worst.
     */
    REFERENCE,
    /** Compare with the last kept slice of the volume only: O(n) comparisons, misses repeats. */
    CONSECUTIVE,
    /**
     * The reference rule over the whole dataset in volume order, so near-duplicates across volumes
     * (repeated series, re-exports) are dropped too: O(N·K) comparisons over N slices with K kept,
     * computed in blocks of candidates against the kept set, so memory stays O(N) and the blocks
     * run in parallel.
     */
    GLOBAL;

    /** Lower-case name as given on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The rule of a command-line name. */
    public static Rule parse(String s) {
        for (Rule r : values()) {
            if (r.label().equalsIgnoreCase(s)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown rule '" + s + "' (expected reference, consecutive or global)");
    }
}
