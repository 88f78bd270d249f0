package lessismore.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap 95% intervals of the test AUC and accuracy: B resamples of the test
 * samples with replacement (seeded), the metric on each, and the 2.5th and 97.5th percentiles
 * ({@link Metrics#percentile}). A resample that lacks a class has no AUC (sklearn refuses it):
 * it is left out of the AUC interval and counted.
 */
public final class Bootstrap {
    private Bootstrap() {
    }

    /** A 95% interval and how many resamples it rests on. */
    public record Interval(double low, double high, int resamples) {
    }

    /** Both intervals; {@code aucSkipped} resamples had no AUC. */
    public record Result(Interval auc, Interval accuracy, int aucSkipped) {
    }

    /** {@code b} resamples of 0..n−1, each n indices drawn with replacement. */
    public static int[][] resamples(int n, int b, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] out = new int[b][n];
        for (int[] r : out) {
            for (int i = 0; i < n; i++) {
                r[i] = random.nextInt(n);
            }
        }
        return out;
    }

    /** AUC and accuracy of one resample: {@code [auc, accuracy]}, the AUC NaN when undefined. */
    public static double[] evaluate(int[] y, double[] proba, int classes, int[] indices) {
        int[] ys = new int[indices.length];
        double[] ps = new double[indices.length * classes];
        for (int j = 0; j < indices.length; j++) {
            ys[j] = y[indices[j]];
            System.arraycopy(proba, indices[j] * classes, ps, j * classes, classes);
        }
        return new double[] {Metrics.auc(ys, ps, classes), Metrics.accuracy(ys, Metrics.predictions(ps, classes))};
    }

    /** The intervals over {@code resamples}. */
    public static Result intervals(int[] y, double[] proba, int classes, int[][] resamples) {
        double[] aucs = new double[resamples.length];
        double[] accs = new double[resamples.length];
        int defined = 0;
        for (int i = 0; i < resamples.length; i++) {
            double[] v = evaluate(y, proba, classes, resamples[i]);
            accs[i] = v[1];
            if (!Double.isNaN(v[0])) {
                aucs[defined++] = v[0];
            }
        }
        double[] a = Arrays.copyOf(aucs, defined);
        Interval auc = defined == 0 ? new Interval(Double.NaN, Double.NaN, 0)
                : new Interval(Metrics.percentile(a, 2.5), Metrics.percentile(a, 97.5), defined);
        Interval acc = new Interval(Metrics.percentile(accs, 2.5), Metrics.percentile(accs, 97.5), resamples.length);
        return new Result(auc, acc, resamples.length - defined);
    }
}
