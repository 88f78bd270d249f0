package lessismore.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The linear probe: features standardized with the training split's mean and (population)
 * standard deviation (a constant feature is only centred, as sklearn's {@code StandardScaler}
 * does), then a multinomial {@link LogisticRegression} per C of {@link #GRID} fitted on the
 * training split; the C with the best validation AUC is kept (the smaller C on a tie). The test
 * split plays no part in the choice.
 */
public final class LinearProbe {
    /** Inverse regularization strengths tried. */
    public static final double[] GRID = {1e-4, 1e-3, 1e-2, 1e-1, 1, 10};
    /** L-BFGS iteration cap per fit. */
    static final int MAX_ITERATIONS = 500;
    /** Gradient tolerance of a fit (its objective is a mean cross-entropy, so this is per sample). */
    static final double TOLERANCE = 1e-6;

    /** One fit of the grid: its C, validation AUC and accuracy, and how L-BFGS ended. */
    public record Trial(double c, double valAuc, double valAccuracy, int iterations, boolean converged) {
    }

    /**
     * The outcome: probabilities of every sample (N, K) under the chosen model, the chosen C and
     * every trial.
     */
    public record Result(double[] proba, double c, List<Trial> trials) {
        /** The trials and the choice, for eval.json. */
        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", "multinomial logistic regression, L2 on the weights, L-BFGS, on standardized features");
            m.put("selection", "C with the best validation AUC (smaller C on ties); test not used");
            m.put("chosen_c", c);
            List<Object> t = new ArrayList<>();
            for (Trial trial : trials) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("c", trial.c());
                row.put("val_auc", trial.valAuc());
                row.put("val_accuracy", trial.valAccuracy());
                row.put("iterations", trial.iterations());
                row.put("converged", trial.converged());
                t.add(row);
            }
            m.put("grid", t);
            return m;
        }
    }

    private LinearProbe() {
    }

    /**
     * Runs the probe.
     *
     * @param features (N, D) row-major, every sample
     * @param labels   class of each sample
     * @param split    {@link Splits} code of each sample
     */
    public static Result run(double[] features, int[] labels, int classes, int[] split) {
        int n = labels.length;
        int d = features.length / n;
        int[] train = Splits.members(split, Splits.TRAIN);
        int[] val = Splits.members(split, Splits.VAL);
        double[] x = standardized(features, n, d, train);
        double[] xTrain = rows(x, d, train);
        double[] xVal = rows(x, d, val);
        int[] yTrain = pick(labels, train);
        int[] yVal = pick(labels, val);
        List<Trial> trials = new ArrayList<>();
        LogisticRegression best = null;
        double bestAuc = Double.NEGATIVE_INFINITY;
        double bestC = Double.NaN;
        for (double c : GRID) {
            LogisticRegression m = LogisticRegression.fit(xTrain, yTrain, classes, c, MAX_ITERATIONS, TOLERANCE);
            double[] p = m.predictProba(xVal);
            double auc = Metrics.auc(yVal, p, classes);
            trials.add(new Trial(c, auc, Metrics.accuracy(yVal, Metrics.predictions(p, classes)), m.iterations(),
                    m.converged()));
            if (best == null || auc > bestAuc) {   // NaN (a class missing from val) never wins over a number
                best = m;
                bestAuc = Double.isNaN(auc) ? Double.NEGATIVE_INFINITY : auc;
                bestC = c;
            }
        }
        return new Result(best.predictProba(x), bestC, trials);
    }

    /** (N, D) standardized with the statistics of the rows {@code fit}. */
    static double[] standardized(double[] x, int n, int d, int[] fit) {
        double[] mean = new double[d];
        double[] var = new double[d];
        for (int i : fit) {
            for (int j = 0; j < d; j++) {
                mean[j] += x[i * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= fit.length;
        }
        for (int i : fit) {
            for (int j = 0; j < d; j++) {
                double e = x[i * d + j] - mean[j];
                var[j] += e * e;
            }
        }
        double[] out = new double[x.length];
        for (int j = 0; j < d; j++) {
            double sd = Math.sqrt(var[j] / fit.length);
            double scale = sd > 0 ? 1 / sd : 1;
            for (int i = 0; i < n; i++) {
                out[i * d + j] = (x[i * d + j] - mean[j]) * scale;
            }
        }
        return out;
    }

    /** The rows {@code idx} of an (N, D) matrix. */
    static double[] rows(double[] x, int d, int[] idx) {
        double[] out = new double[idx.length * d];
        for (int r = 0; r < idx.length; r++) {
            System.arraycopy(x, idx[r] * d, out, r * d, d);
        }
        return out;
    }

    /** The entries {@code idx} of {@code v}. */
    static int[] pick(int[] v, int[] idx) {
        int[] out = new int[idx.length];
        for (int r = 0; r < idx.length; r++) {
            out[r] = v[idx[r]];
        }
        return out;
    }
}
