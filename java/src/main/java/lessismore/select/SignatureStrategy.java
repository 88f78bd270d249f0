package lessismore.select;

import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import lessismore.signature.SignatureMethod;

/**
 * Selection by comparing signatures under a {@link Rule} and a threshold: a slice is dropped when
 * it is redundant with an earlier kept slice (distance ≤ threshold for hashes, similarity ≥
 * threshold for SSIM, MI and embeddings).
 *
 * <p>For a discrete method (Hamming distances) a fractional threshold t = d + p (0 &lt; p &lt; 1)
 * means: distances ≤ d are redundant, distance d + 1 is redundant for a fraction p of the
 * candidate slices, chosen by a fixed hash of the slice's index (so runs repeat exactly); with
 * d = −1 (thresholds in (−1, 0)) only identical signatures are dropped, for that fraction. Whole
 * thresholds are the published rule; fractions let {@code --keep-fraction} hit a target between two
 * whole thresholds whose kept fractions lie far apart.
 *
 * @param <S> the signature type
 */
public final class SignatureStrategy<S> implements SelectionStrategy {
    /** Candidates compared against the kept set together; bounds the per-block scratch arrays. */
    private static final int BLOCK = 512;
    /** Below this many comparisons a block is scanned on the calling thread. */
    private static final long PARALLEL_MIN_PAIRS = 1 << 14;

    private final SignatureMethod<S> method;
    private final Rule rule;
    private final double threshold;
    private final CandidatePairs pairs;

    /**
     * @param method    the signature and its comparison
     * @param rule      which kept slices a slice is compared with
     * @param threshold distance (≤) or similarity (≥) at which a slice is redundant
     */
    public SignatureStrategy(SignatureMethod<S> method, Rule rule, double threshold) {
        this(method, rule, threshold, null);
    }

    private SignatureStrategy(SignatureMethod<S> method, Rule rule, double threshold, CandidatePairs pairs) {
        if (Double.isNaN(threshold)) {
            throw new IllegalArgumentException("threshold is NaN");
        }
        if (method.discrete() && threshold < -1) {
            throw new IllegalArgumentException(method.name() + ": threshold must be >= -1, got " + threshold);
        }
        this.method = method;
        this.rule = rule;
        this.threshold = threshold;
        this.pairs = pairs;
    }

    /**
     * The same strategy, with the reference and global rules taking their candidate pairs from
     * {@code finder} (a GPU) instead of scanning the kept set; the selection is the same. Ignored
     * for the consecutive rule (already O(n)), for methods the finder does not support and inside
     * a keep-fraction search (which reuses cached scores).
     */
    public SignatureStrategy<S> withCandidatePairs(CandidatePairs finder) {
        return new SignatureStrategy<>(method, rule, threshold, finder);
    }

    /** The pair finder in use, or null for the plain scan. */
    public CandidatePairs candidatePairs() {
        return pairs != null && rule != Rule.CONSECUTIVE && pairs.supports(method) ? pairs : null;
    }

    @Override
    public String name() {
        return switch (method.name().replaceAll("-\\d+$", "")) {
            case "dhash", "ahash", "phash", "whash" -> "hash";
            case "nmi" -> "mi";
            default -> method.name();
        };
    }

    @Override
    public SignatureMethod<S> method() {
        return method;
    }

    /** The comparison rule. */
    public Rule rule() {
        return rule;
    }

    /** The threshold. */
    public double threshold() {
        return threshold;
    }

    @Override
    public Selection select(Candidates c) {
        return select(c, null);
    }

    /** As {@link #select(Candidates)}, reusing comparisons stored in {@code cache} (may be null). */
    Selection select(Candidates c, ScoreCache cache) {
        @SuppressWarnings("unchecked")
        List<S> sig = (List<S>) c.signatures();
        Selection s = Selection.empty(c.size());
        Scores scores = cache != null ? new CachedScores(cache) : (a, b) -> method.compare(sig.get(a), sig.get(b));
        if (cache == null && candidatePairs() != null) {
            Selection through = selectThroughPairs(c, sig, s);
            if (through != null) {
                return through;
            }
        }
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, c.threads()));
        try {
            if (rule == Rule.GLOBAL) {
                int[] all = IntStream.range(0, c.size()).filter(i -> c.eligible()[i]).toArray();
                greedy(all, sig, scores, s, pool);
            } else {
                run(pool, c.volumes(), v -> {
                    int[] idx = c.eligibleOf(v);
                    if (rule == Rule.REFERENCE) {
                        greedy(idx, sig, scores, s, null);
                    } else {
                        consecutive(idx, scores, s);
                    }
                });
            }
        } finally {
            pool.shutdown();
        }
        return s;
    }

    /**
     * The greedy rule over candidate pairs: ranks are the eligible slices in processing order
     * (index order for the global rule, volume after volume for the reference rule, pairs only
     * within a volume). A slice's reference is the earliest kept slice among its pairs that the
     * threshold, applied exactly to {@code method.compare}, finds redundant: the kept set grows in
     * rank order, so this is the first kept slice the plain scan would find. Null when the finder
     * declines (too many pairs); {@code s} is then untouched.
     */
    private Selection selectThroughPairs(Candidates c, List<S> sig, Selection s) {
        int[] order;
        int[] groups = null;
        if (rule == Rule.GLOBAL) {
            order = IntStream.range(0, c.size()).filter(i -> c.eligible()[i]).toArray();
        } else {
            int[][] perVolume = new int[c.volumes()][];
            for (int v = 0; v < c.volumes(); v++) {
                perVolume[v] = c.eligibleOf(v);
            }
            order = java.util.Arrays.stream(perVolume).flatMapToInt(java.util.Arrays::stream).toArray();
            groups = new int[order.length];
            for (int v = 0, k = 0; v < perVolume.length; v++) {
                for (int ignored : perVolume[v]) {
                    groups[k++] = v;
                }
            }
        }
        List<S> ranked = new java.util.AbstractList<>() {
            @Override
            public S get(int k) {
                return sig.get(order[k]);
            }

            @Override
            public int size() {
                return order.length;
            }
        };
        CandidatePairs.Pairs p = pairs.find(ranked, groups, method, threshold);
        if (p == null) {
            return null;
        }
        boolean[] keptRank = new boolean[order.length];
        int e = 0;
        for (int k = 0; k < order.length; k++) {
            int ci = order[k];
            int ref = -1;
            double refScore = 0;
            for (; e < p.size() && p.later()[e] == k; e++) {
                int j = p.earlier()[e];
                if (j >= k || (e > 0 && p.later()[e - 1] == k && p.earlier()[e - 1] >= j)) {
                    throw new IllegalStateException("candidate pairs out of order at pair " + e);
                }
                if (ref < 0 && keptRank[j]) {
                    double sc = method.compare(sig.get(order[j]), sig.get(ci));
                    if (redundant(sc, ci)) {
                        ref = order[j];
                        refScore = sc;
                    }
                }
            }
            if (e < p.size() && p.later()[e] < k) {
                throw new IllegalStateException("candidate pairs out of order at pair " + e);
            }
            if (ref >= 0) {
                s.reference()[ci] = ref;
                s.score()[ci] = refScore;
            } else {
                s.kept()[ci] = true;
                keptRank[k] = true;
            }
        }
        return s;
    }

    /** Pairwise comparison by global index. */
    interface Scores {
        double score(int a, int b);
    }

    /**
     * The reference rule over {@code cand} (global indices in order): a candidate is dropped when
     * some earlier kept candidate is redundant with it, the first such being its reference.
     * Candidates go in blocks: first each candidate of a block is scanned against the slices kept
     * before the block (independently, so in parallel), then the block is resolved in order
     * against the slices kept within it. The kept set is scanned in order, so the reference found
     * is the first, exactly as the sequential rule.
     */
    private void greedy(int[] cand, List<S> signatures, Scores scores, Selection s, ForkJoinPool pool) {
        int[] kept = new int[cand.length];
        int nk = 0;
        // For Hamming methods the kept signatures are also packed in order, so the scan reads
        // memory sequentially and inlines the popcount instead of calling compare per pair.
        Packed packed = Packed.of(method, signatures, cand.length, scoresAreDirect(scores));
        int[] first = new int[BLOCK];
        double[] firstScore = new double[BLOCK];
        for (int b0 = 0; b0 < cand.length; b0 += BLOCK) {
            int b1 = Math.min(cand.length, b0 + BLOCK);
            int before = nk;
            int base = b0;
            int[] keptNow = kept;
            IntConsumer scan = k -> {
                int ci = cand[base + k];
                first[k] = -1;
                int r = packed != null ? packed.firstRedundant(this, ci, before) : firstRedundant(scores, keptNow, before, ci);
                if (r >= 0) {
                    first[k] = keptNow[r];
                    firstScore[k] = scores.score(keptNow[r], ci);
                }
            };
            if (pool != null && (long) before * (b1 - b0) >= PARALLEL_MIN_PAIRS) {
                run(pool, b1 - b0, scan);
            } else {
                for (int k = 0; k < b1 - b0; k++) {
                    scan.accept(k);
                }
            }
            for (int k = 0; k < b1 - b0; k++) {
                int ci = cand[b0 + k];
                int ref = first[k];
                double refScore = firstScore[k];
                for (int r = before; ref < 0 && r < nk; r++) {
                    double sc = scores.score(kept[r], ci);
                    if (redundant(sc, ci)) {
                        ref = kept[r];
                        refScore = sc;
                    }
                }
                if (ref >= 0) {
                    s.reference()[ci] = ref;
                    s.score()[ci] = refScore;
                } else {
                    s.kept()[ci] = true;
                    if (packed != null) {
                        packed.add(nk, ci);
                    }
                    kept[nk++] = ci;
                }
            }
        }
    }

    /** Position in kept[0..count) of the first kept slice redundant with ci, or -1. */
    private int firstRedundant(Scores scores, int[] kept, int count, int ci) {
        for (int r = 0; r < count; r++) {
            if (redundant(scores.score(kept[r], ci), ci)) {
                return r;
            }
        }
        return -1;
    }

    /** A cache wraps compare; packing bypasses it, so it is used only for direct comparisons. */
    private boolean scoresAreDirect(Scores scores) {
        return !(scores instanceof CachedScores);
    }

    /** Comparisons served by a {@link ScoreCache}. */
    private record CachedScores(ScoreCache cache) implements Scores {
        @Override
        public double score(int a, int b) {
            return cache.score(a, b);
        }
    }

    /**
     * Kept Hamming signatures packed as words × kept count, with the candidate's words looked up
     * from the signature list; the threshold is pre-split into its whole part and the boundary
     * distance that counts for this candidate (see the class comment).
     */
    private static final class Packed {
        private final List<long[]> signatures;
        private final int words;
        private final long[] kept;

        private Packed(List<long[]> signatures, int words, int capacity) {
            this.signatures = signatures;
            this.words = words;
            this.kept = new long[Math.multiplyExact(words, capacity)];
        }

        @SuppressWarnings("unchecked")
        static Packed of(SignatureMethod<?> method, List<?> signatures, int capacity, boolean direct) {
            if (!method.hamming() || !direct) {
                return null;
            }
            List<long[]> sig = (List<long[]>) signatures;
            long[] any = sig.stream().filter(java.util.Objects::nonNull).findFirst().orElse(null);
            return any == null ? null : new Packed(sig, any.length, capacity);
        }

        void add(int position, int ci) {
            System.arraycopy(signatures.get(ci), 0, kept, position * words, words);
        }

        int firstRedundant(SignatureStrategy<?> st, int ci, int count) {
            long[] q = signatures.get(ci);
            double t = st.threshold;
            int whole = (int) Math.floor(t);
            // Distance whole + 1 counts only for a fractional threshold and a low enough draw.
            int boundary = t != whole && unitDraw(ci) < t - whole ? whole + 1 : whole;
            if (words == 1) {
                long q0 = q[0];
                for (int r = 0; r < count; r++) {
                    if (Long.bitCount(kept[r] ^ q0) <= boundary) {
                        return r;
                    }
                }
                return -1;
            }
            for (int r = 0, at = 0; r < count; r++, at += words) {
                int d = 0;
                for (int w = 0; w < words; w++) {
                    d += Long.bitCount(kept[at + w] ^ q[w]);
                }
                if (d <= boundary) {
                    return r;
                }
            }
            return -1;
        }
    }

    /** The consecutive rule: each candidate against the last kept one of its volume. */
    private void consecutive(int[] cand, Scores scores, Selection s) {
        int last = -1;
        for (int ci : cand) {
            if (last >= 0) {
                double sc = scores.score(last, ci);
                if (redundant(sc, ci)) {
                    s.reference()[ci] = last;
                    s.score()[ci] = sc;
                    continue;
                }
            }
            s.kept()[ci] = true;
            last = ci;
        }
    }

    /** Redundancy under the threshold, with the fractional rule for discrete methods (class comment). */
    boolean redundant(double score, int candidate) {
        if (!method.discrete() || threshold == Math.rint(threshold)) {
            return method.redundant(score, threshold);
        }
        double whole = Math.floor(threshold);
        if (score <= whole) {
            return true;
        }
        return score == whole + 1 && unitDraw(candidate) < threshold - whole;
    }

    /** A fixed value in [0, 1) for slice {@code i} (SplitMix64 finaliser of the index). */
    static double unitDraw(int i) {
        long z = (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }

    /**
     * Score of every eligible slice against the previous eligible slice of its volume: what the
     * report's histogram shows, independent of any threshold.
     */
    public static <S> double[] neighbourScores(SignatureMethod<S> method, Candidates c) {
        @SuppressWarnings("unchecked")
        List<S> sig = (List<S>) c.signatures();
        double[][] perVolume = new double[c.volumes()][];
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, c.threads()));
        try {
            run(pool, c.volumes(), v -> {
                int[] idx = c.eligibleOf(v);
                double[] out = new double[Math.max(0, idx.length - 1)];
                for (int k = 1; k < idx.length; k++) {
                    out[k - 1] = method.compare(sig.get(idx[k - 1]), sig.get(idx[k]));
                }
                perVolume[v] = out;
            });
        } finally {
            pool.shutdown();
        }
        return java.util.Arrays.stream(perVolume).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    /** Runs body(0..n) on the pool and waits; exceptions reach the caller. */
    static void run(ForkJoinPool pool, int n, IntConsumer body) {
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
    }
}
