package lessismore.select;

/**
 * The paper's every-N-th baseline: keeps eligible slices 0, n, 2n, … of each volume.
 *
 * @param n the step, at least 1
 */
public record EveryNth(int n) implements SelectionStrategy {
    /** Checks the step. */
    public EveryNth {
        if (n < 1) {
            throw new IllegalArgumentException("every-n needs n >= 1, got " + n);
        }
    }

    @Override
    public String name() {
        return "every-n";
    }

    @Override
    public Selection select(Candidates c) {
        Selection s = Selection.empty(c.size());
        for (int v = 0; v < c.volumes(); v++) {
            int[] idx = c.eligibleOf(v);
            for (int k = 0; k < idx.length; k += n) {
                s.kept()[idx[k]] = true;
            }
        }
        return s;
    }

    @Override
    public String dropRule() {
        return "every-n: only every " + n + ". slice is kept";
    }
}
