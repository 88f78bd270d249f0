package lessismore.select;

/** The paper's ALL baseline: keeps every slice. */
public final class KeepAll implements SelectionStrategy {
    @Override
    public String name() {
        return "all";
    }

    @Override
    public Selection select(long[] signatures) {
        Selection s = Selection.empty(signatures.length);
        java.util.Arrays.fill(s.kept(), true);
        return s;
    }
}
