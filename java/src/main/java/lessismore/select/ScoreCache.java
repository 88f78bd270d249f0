package lessismore.select;

import java.util.Arrays;
import java.util.List;
import lessismore.signature.SignatureMethod;

/**
 * Remembers comparisons within each volume, so that a threshold search that runs the per-volume
 * rules many times computes each SSIM/MI/cosine pair once. Volume v gets a lower-triangular table
 * of n_v·(n_v − 1)/2 doubles (NaN = not yet computed) while the tables fit {@link #MAX_ENTRIES};
 * larger volumes compare directly. Pairs across volumes are never cached. Each volume's table is
 * touched by one thread at a time (the per-volume rules run volumes in parallel, not pairs).
 */
final class ScoreCache {
    /** 256 MiB of doubles at most. */
    static final long MAX_ENTRIES = 32L << 20;

    private final SignatureMethod<Object> method;
    private final List<?> signatures;
    private final int[] volumeStart;
    private final int[] volumeOf;
    private final double[][] tables;

    @SuppressWarnings("unchecked")
    ScoreCache(SignatureMethod<?> method, Candidates c) {
        this.method = (SignatureMethod<Object>) method;
        this.signatures = c.signatures();
        this.volumeStart = c.volumeStart();
        this.volumeOf = new int[c.size()];
        this.tables = new double[c.volumes()][];
        long budget = MAX_ENTRIES;
        for (int v = 0; v < c.volumes(); v++) {
            int n = volumeStart[v + 1] - volumeStart[v];
            Arrays.fill(volumeOf, volumeStart[v], volumeStart[v + 1], v);
            long entries = (long) n * (n - 1) / 2;
            if (entries <= budget) {
                tables[v] = new double[(int) entries];
                Arrays.fill(tables[v], Double.NaN);
                budget -= entries;
            }
        }
    }

    double score(int a, int b) {
        int v = volumeOf[a];
        double[] t = tables[v];
        if (t == null || volumeOf[b] != v) {
            return method.compare(signatures.get(a), signatures.get(b));
        }
        int i = Math.max(a, b) - volumeStart[v];
        int j = Math.min(a, b) - volumeStart[v];
        int at = i * (i - 1) / 2 + j;
        double s = t[at];
        if (Double.isNaN(s)) {
            s = method.compare(signatures.get(a), signatures.get(b));
            t[at] = s;
        }
        return s;
    }
}
