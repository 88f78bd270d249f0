package lessismore.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics of a finished probe, shaped for eval.json and eval.html: per split AUC, accuracy,
 * macro F1 / precision / recall; on the test split also bootstrap 95% intervals of AUC and
 * accuracy, the confusion matrix and each class's one-vs-rest ROC curve.
 */
public final class Evaluation {
    private Evaluation() {
    }

    /** Metrics of the samples {@code idx}. */
    static Map<String, Object> metrics(int[] labels, double[] proba, int classes, int[] idx) {
        int[] y = LinearProbe.pick(labels, idx);
        double[] p = LinearProbe.rows(proba, classes, idx);
        int[] pred = Metrics.predictions(p, classes);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", idx.length);
        m.put("auc", Metrics.auc(y, p, classes));
        m.put("accuracy", Metrics.accuracy(y, pred));
        m.put("macro_f1", Metrics.macroF1(y, pred, classes));
        m.put("macro_precision", Metrics.macroPrecision(y, pred, classes));
        m.put("macro_recall", Metrics.macroRecall(y, pred, classes));
        return m;
    }

    /**
     * Every split's metrics and the test details.
     *
     * @param proba     (N, K) probabilities of every sample
     * @param split     split code of every sample
     * @param bootstrap resamples B (0: no intervals)
     */
    public static Map<String, Object> of(int[] labels, List<String> classes, double[] proba, int[] split,
                                         int bootstrap, long seed) {
        int k = classes.size();
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> perSplit = new LinkedHashMap<>();
        for (int s = 0; s < Splits.NAMES.size(); s++) {
            perSplit.put(Splits.NAMES.get(s), metrics(labels, proba, k, Splits.members(split, s)));
        }
        out.put("splits", perSplit);
        int[] test = Splits.members(split, Splits.TEST);
        int[] y = LinearProbe.pick(labels, test);
        double[] p = LinearProbe.rows(proba, k, test);
        Map<String, Object> t = new LinkedHashMap<>(metrics(labels, proba, k, test));
        if (bootstrap > 0) {
            Bootstrap.Result b = Bootstrap.intervals(y, p, k, Bootstrap.resamples(test.length, bootstrap, seed));
            t.put("auc_ci95", List.of(b.auc().low(), b.auc().high()));
            t.put("accuracy_ci95", List.of(b.accuracy().low(), b.accuracy().high()));
            Map<String, Object> how = new LinkedHashMap<>();
            how.put("method", "percentile bootstrap over test samples (2.5th, 97.5th percentiles)");
            how.put("resamples", bootstrap);
            how.put("seed", seed);
            how.put("auc_resamples_without_every_class", b.aucSkipped());
            t.put("bootstrap", how);
        }
        List<Object> rows = new ArrayList<>();
        for (long[] r : Metrics.confusion(y, Metrics.predictions(p, k), k)) {
            rows.add(Arrays.stream(r).boxed().toList());
        }
        t.put("confusion_matrix_rows_true_columns_predicted", rows);
        Map<String, Object> rocs = new LinkedHashMap<>();
        for (int c = 0; c < k; c++) {
            Metrics.Roc roc = Metrics.roc(y, p, k, c);
            if (roc != null) {
                Map<String, Object> curve = new LinkedHashMap<>();
                curve.put("fpr", Arrays.stream(roc.fpr()).boxed().toList());
                curve.put("tpr", Arrays.stream(roc.tpr()).boxed().toList());
                rocs.put(classes.get(c), curve);
            }
        }
        t.put("roc_one_vs_rest", rocs);
        out.put("test", t);
        return out;
    }
}
