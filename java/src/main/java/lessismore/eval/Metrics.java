package lessismore.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Classification metrics computed as scikit-learn 1.2 computes them, for labels {@code y} in
 * 0..K−1 and class probabilities {@code proba} (n, K) row-major; the prediction of a sample is the
 * first class of highest probability ({@code numpy.argmax}).
 *
 * <p>AUC is {@code roc_auc_score(y, proba[:, 1])} for K = 2 and
 * {@code roc_auc_score(y, proba, multi_class="ovr", average="macro")} otherwise, with tied scores
 * handled as sklearn does (one ROC point per distinct score). Macro precision, recall and F1
 * average over the classes present in {@code y} or in the predictions, and count a 0/0 as 0
 * (sklearn's default {@code zero_division}).
 */
public final class Metrics {
    private Metrics() {
    }

    /** One class's ROC curve: false and true positive rates at each distinct score, from (0, 0). */
    public record Roc(double[] fpr, double[] tpr) {
    }

    /** Predicted class of each sample: the first column of highest probability. */
    public static int[] predictions(double[] proba, int classes) {
        int n = proba.length / classes;
        int[] pred = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (proba[i * classes + c] > proba[i * classes + best]) {
                    best = c;
                }
            }
            pred[i] = best;
        }
        return pred;
    }

    /** Fraction of {@code pred} equal to {@code y}. */
    public static double accuracy(int[] y, int[] pred) {
        int hit = 0;
        for (int i = 0; i < y.length; i++) {
            hit += y[i] == pred[i] ? 1 : 0;
        }
        return (double) hit / y.length;
    }

    /** Confusion matrix (K, K): row = true class, column = predicted class. */
    public static long[][] confusion(int[] y, int[] pred, int classes) {
        long[][] m = new long[classes][classes];
        for (int i = 0; i < y.length; i++) {
            m[y[i]][pred[i]]++;
        }
        return m;
    }

    /** Macro precision over the classes seen in {@code y} or {@code pred}. */
    public static double macroPrecision(int[] y, int[] pred, int classes) {
        return macro(confusion(y, pred, classes), Score.PRECISION);
    }

    /** Macro recall over the classes seen in {@code y} or {@code pred}. */
    public static double macroRecall(int[] y, int[] pred, int classes) {
        return macro(confusion(y, pred, classes), Score.RECALL);
    }

    /** Macro F1 over the classes seen in {@code y} or {@code pred}: the mean of per-class F1, not F1 of the means. */
    public static double macroF1(int[] y, int[] pred, int classes) {
        return macro(confusion(y, pred, classes), Score.F1);
    }

    private enum Score { PRECISION, RECALL, F1 }

    private static double macro(long[][] m, Score score) {
        int k = m.length;
        double sum = 0;
        int used = 0;
        for (int c = 0; c < k; c++) {
            long tp = m[c][c];
            long predicted = 0;
            long actual = 0;
            for (int j = 0; j < k; j++) {
                predicted += m[j][c];
                actual += m[c][j];
            }
            if (predicted == 0 && actual == 0) {
                continue; // sklearn's labels are those of y_true ∪ y_pred
            }
            used++;
            double p = predicted == 0 ? 0 : (double) tp / predicted;
            double r = actual == 0 ? 0 : (double) tp / actual;
            sum += switch (score) {
                case PRECISION -> p;
                case RECALL -> r;
                case F1 -> p + r == 0 ? 0 : 2 * p * r / (p + r);
            };
        }
        return sum / used;
    }

    /**
     * AUC (binary, or macro one-vs-rest), or NaN when it is undefined: some class absent from
     * {@code y} (sklearn raises an error there).
     */
    public static double auc(int[] y, double[] proba, int classes) {
        if (classes == 2) {
            return binaryAuc(y, column(proba, classes, 1), 1);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += binaryAuc(y, column(proba, classes, c), c);
        }
        return sum / classes;
    }

    /** Area under the ROC curve of {@code score} for the samples whose label is {@code positive}; NaN without both kinds. */
    static double binaryAuc(int[] y, double[] score, int positive) {
        Roc roc = roc(y, score, positive);
        if (roc == null) {
            return Double.NaN;
        }
        double area = 0;
        for (int i = 1; i < roc.fpr().length; i++) {
            area += (roc.fpr()[i] - roc.fpr()[i - 1]) * (roc.tpr()[i] + roc.tpr()[i - 1]) / 2;
        }
        return area;
    }

    /** ROC curve of class {@code c} against the rest, as {@code roc_curve(y == c, proba[:, c])}; null when undefined. */
    public static Roc roc(int[] y, double[] proba, int classes, int c) {
        return roc(y, column(proba, classes, c), c);
    }

    /**
     * sklearn's {@code roc_curve} with {@code drop_intermediate=True}: cumulative counts at each
     * distinct score, highest first, then only the corners of the curve, then (0, 0) in front.
     */
    private static Roc roc(int[] y, double[] score, int positive) {
        int n = y.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
        List<double[]> points = new ArrayList<>();   // (fps, tps) at the last sample of each distinct score
        long tps = 0;
        for (int j = 0; j < n; j++) {
            int i = order[j];
            tps += y[i] == positive ? 1 : 0;
            if (j == n - 1 || score[order[j + 1]] != score[i]) {
                points.add(new double[] {j + 1 - tps, tps});
            }
        }
        double negatives = n - tps;
        if (tps == 0 || negatives == 0) {
            return null;
        }
        // Keep a point unless it lies on the straight line between its neighbours (second differences 0).
        List<double[]> kept = new ArrayList<>();
        for (int j = 0; j < points.size(); j++) {
            if (j == 0 || j == points.size() - 1) {
                kept.add(points.get(j));
                continue;
            }
            double[] a = points.get(j - 1);
            double[] b = points.get(j);
            double[] c = points.get(j + 1);
            if (c[0] - 2 * b[0] + a[0] != 0 || c[1] - 2 * b[1] + a[1] != 0) {
                kept.add(b);
            }
        }
        double[] fpr = new double[kept.size() + 1];
        double[] tpr = new double[kept.size() + 1];
        for (int j = 0; j < kept.size(); j++) {
            fpr[j + 1] = kept.get(j)[0] / negatives;
            tpr[j + 1] = kept.get(j)[1] / tps;
        }
        return new Roc(fpr, tpr);
    }

    private static double[] column(double[] proba, int classes, int c) {
        int n = proba.length / classes;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = proba[i * classes + c];
        }
        return out;
    }

    /** {@code numpy.percentile(values, q)} with linear interpolation, q in [0, 100]. */
    public static double percentile(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        double pos = q / 100 * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        double frac = pos - lo;
        // numpy's _lerp: a + (b - a) * t, or b - (b - a) * (1 - t) for t ≥ 0.5.
        double diff = s[hi] - s[lo];
        return frac >= 0.5 ? s[hi] - diff * (1 - frac) : s[lo] + diff * frac;
    }
}
