package lessismore.select;

/** The paper's every-N-th baseline: keeps slices 0, n, 2n, … of each volume. */
public final class EveryNth implements SelectionStrategy {
    private final int n;

    /** @param n the step, at least 1 */
    public EveryNth(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("every-n needs n >= 1, got " + n);
        }
        this.n = n;
    }

    @Override
    public String name() {
        return "every-n";
    }

    @Override
    public Selection select(long[] signatures) {
        Selection s = Selection.empty(signatures.length);
        for (int i = 0; i < signatures.length; i += n) {
            s.kept()[i] = true;
        }
        return s;
    }

    @Override
    public String dropRule() {
        return "every-n: only every " + n + ". slice is kept";
    }
}
