package lessismore.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The L-BFGS fit against sklearn's multinomial LogisticRegression (golden from
 * scripts/golden/make_eval_golden.py). sklearn stops on scipy's f-reduction test before its
 * gradient is small (its coefficients are up to 1.8e-4 off the minimizer at C = 20), so ours must
 * be within 5e-4 of sklearn's coefficients and intercepts and 1e-4 of its probabilities, and
 * within 1e-6 of the minimizer of the same objective found by scipy to a tight gradient.
 */
class LogisticRegressionTest {
    @Test
    void convergesToSklearnsSolution() throws IOException {
        List<Golden.Line> lines = Golden.read("logistic.txt");
        int k = 0;
        double[] x = null;
        int[] y = null;
        LogisticRegression m = null;
        int fits = 0;
        for (Golden.Line l : lines) {
            switch (l.key()) {
                case "classes" -> k = (int) l.number();
                case "x" -> x = l.doubles();
                case "y" -> y = l.ints();
                case "n", "d" -> { }
                case "fit" -> {
                    m = LogisticRegression.fit(x, y, k, l.number(), 10_000, 1e-12);
                    assertTrue(m.converged());
                    fits++;
                }
                case "coef" -> assertArrayEquals(l.doubles(), m.coefficients(), 5e-4, "coef " + fits);
                case "intercept" -> assertArrayEquals(l.doubles(), m.intercepts(), 5e-4, "intercept " + fits);
                case "proba" -> assertArrayEquals(l.doubles(), m.predictProba(x), 1e-4, "proba " + fits);
                case "optimum_coef" -> assertArrayEquals(l.doubles(), m.coefficients(), 1e-6, "optimum " + fits);
                case "optimum_intercept" -> assertArrayEquals(l.doubles(), m.intercepts(), 1e-6, "optimum " + fits);
                default -> throw new AssertionError("unknown golden key " + l.key());
            }
        }
        assertEquals(3, fits);
    }
}
