package lessismore.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Metrics and bootstrap against scikit-learn (golden from scripts/golden/make_eval_golden.py), to 1e-9. */
class MetricsTest {
    private static final double TOL = 1e-9;

    @Test
    void matchesSklearnOnEveryCase() throws IOException {
        List<Golden.Line> lines = Golden.read("metrics.txt");
        int cases = 0;
        int k = 0;
        int[] y = null;
        double[] proba = null;
        int[] pred = null;
        List<Double> bootAucs = new ArrayList<>();
        String name = "";
        double[] fpr = null;
        for (Golden.Line l : lines) {
            String at = name + " " + l.key();
            switch (l.key()) {
                case "case" -> {
                    name = l.values()[0];
                    bootAucs.clear();
                }
                case "classes" -> k = (int) l.number();
                case "y" -> y = l.ints();
                case "proba" -> {
                    proba = l.doubles();
                    pred = Metrics.predictions(proba, k);
                }
                case "auc" -> assertEquals(l.number(), Metrics.auc(y, proba, k), TOL, at);
                case "accuracy" -> assertEquals(l.number(), Metrics.accuracy(y, pred), TOL, at);
                case "f1" -> assertEquals(l.number(), Metrics.macroF1(y, pred, k), TOL, at);
                case "precision" -> assertEquals(l.number(), Metrics.macroPrecision(y, pred, k), TOL, at);
                case "recall" -> assertEquals(l.number(), Metrics.macroRecall(y, pred, k), TOL, at);
                case "confusion" -> assertArrayEquals(Arrays.stream(l.ints()).asLongStream().toArray(),
                        Arrays.stream(Metrics.confusion(y, pred, k)).flatMapToLong(Arrays::stream).toArray(), at);
                case "roc_fpr" -> fpr = Arrays.copyOfRange(l.doubles(), 1, l.values().length);
                case "roc_tpr" -> {
                    Metrics.Roc roc = Metrics.roc(y, proba, k, Integer.parseInt(l.values()[0]));
                    assertArrayEquals(fpr, roc.fpr(), TOL, at);
                    assertArrayEquals(Arrays.copyOfRange(l.doubles(), 1, l.values().length), roc.tpr(), TOL, at);
                }
                case "boot" -> {
                    int[] idx = Arrays.stream(l.values()).skip(2).mapToInt(Integer::parseInt).toArray();
                    double[] v = Bootstrap.evaluate(y, proba, k, idx);
                    assertEquals(Double.parseDouble(l.values()[0]), v[0], TOL, at);
                    assertEquals(Double.parseDouble(l.values()[1]), v[1], TOL, at);
                    bootAucs.add(v[0]);
                }
                case "percentile_2.5_97.5" -> {
                    double[] a = bootAucs.stream().mapToDouble(Double::doubleValue).toArray();
                    assertEquals(l.doubles()[0], Metrics.percentile(a, 2.5), TOL, at);
                    assertEquals(l.doubles()[1], Metrics.percentile(a, 97.5), TOL, at);
                }
                case "end" -> cases++;
                default -> throw new AssertionError("unknown golden key " + l.key());
            }
        }
        assertEquals(4, cases);
    }

    @Test
    void aucIsUndefinedWithoutBothClasses() {
        assertTrue(Double.isNaN(Metrics.auc(new int[] {1, 1}, new double[] {0.2, 0.8, 0.4, 0.6}, 2)));
    }

    @Test
    void bootstrapIsSeededAndBracketsTheEstimate() {
        int[] y = {0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0};
        double[] p = new double[y.length * 2];
        for (int i = 0; i < y.length; i++) {
            double s = 0.3 + 0.4 * y[i] + 0.05 * (i % 5) - 0.1;
            p[2 * i] = 1 - s;
            p[2 * i + 1] = s;
        }
        int[][] r = Bootstrap.resamples(y.length, 200, 5);
        assertArrayEquals(r[7], Bootstrap.resamples(y.length, 200, 5)[7]);
        Bootstrap.Result b = Bootstrap.intervals(y, p, 2, r);
        double auc = Metrics.auc(y, p, 2);
        assertTrue(b.auc().low() <= auc && auc <= b.auc().high(), b.toString());
        assertEquals(200, b.auc().resamples() + b.aucSkipped());
    }
}
