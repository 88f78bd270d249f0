package lessismore.select;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;
import lessismore.signature.SignatureMethod;

/**
 * Remembers comparisons, so that a threshold search that runs a rule many times computes each
 * SSIM/MI/cosine pair once. Pairs are kept in lower-triangular tables of doubles (NaN = not yet
 * computed), at most {@link #MAX_ENTRIES} in all: for the global rule one table over the whole
 * dataset when it fits, otherwise (and for the per-volume rules) one table per volume while they
 * fit, other pairs being compared directly. Entries are read and written with opaque (atomic)
 * accesses, as the global rule's parallel scans may compute the same pair at once; both then
 * write the same value.
 */
final class ScoreCache {
    /** 256 MiB of doubles at most. */
    static final long MAX_ENTRIES = 32L << 20;
    private static final VarHandle ENTRY = MethodHandles.arrayElementVarHandle(double[].class);

    private final SignatureMethod<Object> method;
    private final List<?> signatures;
    /** Table t covers slices [start[t], start[t + 1]). */
    private final int[] start;
    private final int[] tableOf;
    private final double[][] tables;

    @SuppressWarnings("unchecked")
    ScoreCache(SignatureMethod<?> method, Candidates c, boolean global) {
        this.method = (SignatureMethod<Object>) method;
        this.signatures = c.signatures();
        long n = c.size();
        this.start = global && n * (n - 1) / 2 <= MAX_ENTRIES ? new int[] {0, c.size()} : c.volumeStart();
        this.tableOf = new int[c.size()];
        this.tables = new double[start.length - 1][];
        long budget = MAX_ENTRIES;
        for (int t = 0; t + 1 < start.length; t++) {
            int size = start[t + 1] - start[t];
            Arrays.fill(tableOf, start[t], start[t + 1], t);
            long entries = (long) size * (size - 1) / 2;
            if (entries <= budget) {
                tables[t] = new double[(int) entries];
                Arrays.fill(tables[t], Double.NaN);
                budget -= entries;
            }
        }
    }

    double score(int a, int b) {
        int t = tableOf[a];
        double[] table = tables[t];
        if (table == null || tableOf[b] != t) {
            return method.compare(signatures.get(a), signatures.get(b));
        }
        long i = Math.max(a, b) - start[t];
        long j = Math.min(a, b) - start[t];
        int at = (int) (i * (i - 1) / 2 + j);
        double s = (double) ENTRY.getOpaque(table, at);
        if (Double.isNaN(s)) {
            s = method.compare(signatures.get(a), signatures.get(b));
            ENTRY.setOpaque(table, at, s);
        }
        return s;
    }
}
