package lessismore.select;

/** The paper's ALL baseline: keeps every eligible slice. */
public record KeepAll() implements SelectionStrategy {
    @Override
    public String name() {
        return "all";
    }

    @Override
    public Selection select(Candidates c) {
        Selection s = Selection.empty(c.size());
        System.arraycopy(c.eligible(), 0, s.kept(), 0, c.size());
        return s;
    }
}
