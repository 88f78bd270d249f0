package lessismore.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The probe on toy features: a separable set is learnt perfectly, and runs are deterministic. */
class LinearProbeTest {
    /** 3 classes in 4 dimensions, class c around 6·e_c (far apart), 30 samples per class; (N, 4). */
    private static double[] separable(int[] labels) {
        SplittableRandom r = new SplittableRandom(1);
        double[] x = new double[labels.length * 4];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 3;
            for (int j = 0; j < 4; j++) {
                x[i * 4 + j] = r.nextDouble() - 0.5 + (j == labels[i] ? 6 : 0);
            }
        }
        return x;
    }

    @Test
    void learnsASeparableSetPerfectly() {
        int[] y = new int[90];
        double[] x = separable(y);
        int[] split = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            split[i] = i < 54 ? Splits.TRAIN : i < 72 ? Splits.VAL : Splits.TEST;
        }
        LinearProbe.Result r = LinearProbe.run(x, y, 3, split);
        int[] test = Splits.members(split, Splits.TEST);
        int[] pred = Metrics.predictions(LinearProbe.rows(r.proba(), 3, test), 3);
        assertEquals(1.0, Metrics.accuracy(LinearProbe.pick(y, test), pred));
        assertEquals(LinearProbe.GRID.length, r.trials().size());
        assertArrayEquals(r.proba(), LinearProbe.run(x, y, 3, split).proba(), 0.0, "deterministic");
    }

    @Test
    void standardizesWithTrainingStatisticsOnly() {
        double[] x = {1, 5, 3, 5, 100, 5};   // (3, 2); row 2 is not in the fit, feature 1 is constant
        double[] z = LinearProbe.standardized(x, 3, 2, new int[] {0, 1});
        assertArrayEquals(new double[] {-1, 0, 1, 0, 98, 0}, z, 1e-12);
    }
}
