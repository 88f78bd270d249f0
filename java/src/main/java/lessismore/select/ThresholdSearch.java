package lessismore.select;

import java.util.ArrayList;
import java.util.List;
import lessismore.signature.SignatureMethod;

/**
 * {@code --keep-fraction F}: finds the threshold at which a signature strategy keeps about a
 * fraction F of a dataset's slices. Thresholds are dataset-dependent (the same Hamming distance
 * keeps 25% of a chest series and 60% of a head series), so users ask for the outcome instead.
 *
 * <p>The kept fraction moves one way with the threshold (down as a distance threshold grows, up as
 * a similarity threshold grows; the greedy rule makes it monotone in practice though not in
 * theory), so the search brackets the target and bisects, keeping the best threshold seen. Discrete
 * methods search whole thresholds first and only then the fractional rule between the two whole
 * thresholds around the target (see {@link SignatureStrategy}). Comparisons within volumes are
 * cached, so each pair is computed once over all steps of the search.
 */
public final class ThresholdSearch {
    /** Steps of bisection at most. */
    private static final int MAX_STEPS = 48;

    private ThresholdSearch() {
    }

    /**
     * The outcome of a search.
     *
     * @param threshold the threshold chosen
     * @param selection the selection under it
     * @param keptFraction the fraction of all slices of the dataset kept (ineligible ones count as dropped)
     * @param trace     every threshold tried with its kept fraction, in order, as {threshold, fraction}
     */
    public record Found(double threshold, Selection selection, double keptFraction, List<double[]> trace) {
    }

    /**
     * Searches the threshold for {@code method} under {@code rule} that keeps about {@code target}
     * of the slices of {@code c}.
     *
     * @param target fraction in (0, 1]
     */
    public static <S> Found search(SignatureMethod<S> method, Rule rule, Candidates c, double target) {
        return search(method, rule, c, target, null);
    }

    /**
     * As {@link #search(SignatureMethod, Rule, Candidates, double)}, with the scores between
     * neighbouring slices ({@link SignatureStrategy#neighbourScores}) when the caller has them
     * already (they bracket the search of a continuous method), or null to compute them here.
     */
    public static <S> Found search(SignatureMethod<S> method, Rule rule, Candidates c, double target,
                                   double[] neighbourScores) {
        if (!(target > 0 && target <= 1)) {
            throw new IllegalArgumentException("keep fraction must be in (0, 1], got " + target);
        }
        Search<S> s = new Search<>(method, rule, c, target);
        // Orient thresholds so that "more" keeps more: similarity thresholds as they are, distance
        // thresholds negated.
        boolean similarity = method.direction() == SignatureMethod.Direction.SIMILARITY;
        double lo;
        double hi;
        if (method.discrete()) {
            // Whole distances: the largest d with fraction(d) > target, by doubling then bisection;
            // d = -1 (nothing redundant) when even identical signatures are too many to drop.
            int keepMore = -1;
            int keepLess = 0;
            if (s.fraction(0) > target) {
                keepMore = 0;
                keepLess = 1;
                while (s.fraction(keepLess) > target && keepLess < (1 << 20)) {
                    keepMore = keepLess;
                    keepLess *= 2;
                }
                while (keepLess - keepMore > 1) {
                    int mid = (keepMore + keepLess) >>> 1;
                    if (s.fraction(mid) > target) {
                        keepMore = mid;
                    } else {
                        keepLess = mid;
                    }
                }
            }
            if (s.done()) {
                return s.best();
            }
            // Fractional thresholds in (keepMore, keepLess): fraction falls as t grows.
            lo = -keepLess;
            hi = -keepMore;
        } else {
            double[] range = scoreRange(neighbourScores != null ? neighbourScores
                    : SignatureStrategy.neighbourScores(method, c));
            double span = Math.max(1e-9, range[1] - range[0]);
            lo = similarity ? range[0] - span : -(range[1] + span);
            hi = similarity ? range[1] + span : -(range[0] - span);
            // Widen until the bracket holds the target (bounded: scores are finite).
            for (int i = 0; i < 8 && s.fraction(oriented(lo, similarity)) > target; i++) {
                lo -= span * (1 << i);
            }
        }
        for (int step = 0; step < MAX_STEPS && !s.done(); step++) {
            double mid = (lo + hi) / 2;
            if (s.fraction(oriented(mid, similarity)) > target) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return s.best();
    }

    private static double oriented(double x, boolean similarity) {
        return similarity ? x : -x;
    }

    /** Smallest and largest score between neighbouring slices: a starting bracket. */
    private static double[] scoreRange(double[] scores) {
        double min = 0;
        double max = 1;
        if (scores.length > 0) {
            min = Double.POSITIVE_INFINITY;
            max = Double.NEGATIVE_INFINITY;
            for (double x : scores) {
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
        }
        return new double[] {min, max};
    }

    /** Runs selections and keeps the one closest to the target. */
    private static final class Search<S> {
        private final SignatureMethod<S> method;
        private final Rule rule;
        private final Candidates c;
        private final double target;
        private final ScoreCache cache;
        private final List<double[]> trace = new ArrayList<>();
        private Found best;

        Search(SignatureMethod<S> method, Rule rule, Candidates c, double target) {
            this.method = method;
            this.rule = rule;
            this.c = c;
            this.target = target;
            // Hamming distances cost less than a cache lookup; other comparisons are worth keeping.
            this.cache = method.hamming() ? null : new ScoreCache(method, c, rule == Rule.GLOBAL);
        }

        double fraction(double threshold) {
            Selection sel = new SignatureStrategy<>(method, rule, threshold).select(c, cache);
            double f = c.size() == 0 ? 0 : (double) sel.keptCount() / c.size();
            trace.add(new double[] {threshold, f});
            if (best == null || Math.abs(f - target) < Math.abs(best.keptFraction() - target)) {
                best = new Found(threshold, sel, f, trace);
            }
            return f;
        }

        /** True once no slice count lies closer to the target than the best found. */
        boolean done() {
            return best != null && Math.abs(best.keptFraction() - target) * c.size() <= 0.5;
        }

        Found best() {
            return new Found(best.threshold(), best.selection(), best.keptFraction(), List.copyOf(trace));
        }
    }
}
