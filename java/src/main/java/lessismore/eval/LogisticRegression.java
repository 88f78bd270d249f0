package lessismore.eval;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Multinomial logistic regression with an L2 penalty on the weights (not on the intercepts),
 * fitted by L-BFGS: the model of sklearn's
 * {@code LogisticRegression(C=C, multi_class="multinomial", solver="lbfgs")}, whose objective
 * {@code ½‖W‖² + C·Σᵢ CEᵢ} has the same minimizer as the one minimized here,
 * {@code (1/n)·Σᵢ CEᵢ + ‖W‖²/(2·C·n)} (scaled by 1/(C·n) so the gradient tolerance does not
 * depend on n or C). Deterministic: no randomness, fixed summation order.
 *
 * <p>Parameters θ = (W (K, d) row-major, b (K)); features x are (n, d) row-major.
 */
public final class LogisticRegression {
    /** L-BFGS memory (sklearn's default through scipy, 10). */
    private static final int MEMORY = 10;

    private final int classes;
    private final int dim;
    private final double[] theta;
    private final int iterations;
    private final boolean converged;

    private LogisticRegression(int classes, int dim, double[] theta, int iterations, boolean converged) {
        this.classes = classes;
        this.dim = dim;
        this.theta = theta;
        this.iterations = iterations;
        this.converged = converged;
    }

    /**
     * Fits the model.
     *
     * @param x             features (n, d) row-major
     * @param y             labels in 0..classes−1
     * @param c             inverse regularization strength, as sklearn's C
     * @param maxIterations L-BFGS iteration cap
     * @param tolerance     stop when the largest gradient component is below this
     */
    public static LogisticRegression fit(double[] x, int[] y, int classes, double c, int maxIterations,
                                         double tolerance) {
        int n = y.length;
        int d = x.length / n;
        Objective f = new Objective(x, y, n, d, classes, c);
        double[] theta = new double[classes * (d + 1)];
        double[] grad = new double[theta.length];
        double value = f.evaluate(theta, grad);
        Deque<double[][]> memory = new ArrayDeque<>();   // (s, y, {1 / yᵀs}) pairs, newest first
        int it = 0;
        boolean converged = maxAbs(grad) < tolerance;
        while (!converged && it < maxIterations) {
            double[] dir = direction(grad, memory);
            double slope = dot(dir, grad);
            if (slope >= 0) {   // not a descent direction (should not happen): restart from steepest descent
                memory.clear();
                dir = negated(grad);
                slope = dot(dir, grad);
            }
            // First step of steepest descent is scaled to a unit move; L-BFGS steps start at 1.
            double step = memory.isEmpty() ? Math.min(1, 1 / Math.sqrt(dot(grad, grad))) : 1;
            double[] next = new double[theta.length];
            double[] nextGrad = new double[theta.length];
            double nextValue;
            int halvings = 0;
            while (true) {   // backtracking until the Armijo condition holds
                for (int i = 0; i < theta.length; i++) {
                    next[i] = theta[i] + step * dir[i];
                }
                nextValue = f.evaluate(next, nextGrad);
                if (nextValue <= value + 1e-4 * step * slope || halvings == 60) {
                    break;
                }
                step /= 2;
                halvings++;
            }
            if (halvings == 60) {
                break;   // no decrease possible at double precision: as converged as it gets
            }
            double[] s = new double[theta.length];
            double[] g = new double[theta.length];
            for (int i = 0; i < theta.length; i++) {
                s[i] = next[i] - theta[i];
                g[i] = nextGrad[i] - grad[i];
            }
            double sy = dot(s, g);
            if (sy > 1e-16 * Math.sqrt(dot(s, s) * dot(g, g))) {   // curvature pair usable
                memory.addFirst(new double[][] {s, g, {1 / sy}});
                if (memory.size() > MEMORY) {
                    memory.removeLast();
                }
            }
            double change = value - nextValue;
            theta = next;
            grad = nextGrad;
            value = nextValue;
            it++;
            converged = maxAbs(grad) < tolerance || change <= 1e-16 * Math.max(1, Math.abs(value));
        }
        return new LogisticRegression(classes, d, theta, it, converged);
    }

    /** The L-BFGS two-loop recursion: −H·g with the stored pairs, H₀ = (sᵀy / yᵀy)·I. */
    private static double[] direction(double[] grad, Deque<double[][]> memory) {
        double[] q = grad.clone();
        double[] alpha = new double[memory.size()];
        int k = 0;
        for (double[][] p : memory) {
            alpha[k] = p[2][0] * dot(p[0], q);
            axpy(-alpha[k], p[1], q);
            k++;
        }
        if (!memory.isEmpty()) {
            double[][] newest = memory.peekFirst();
            double gamma = 1 / (newest[2][0] * dot(newest[1], newest[1]));
            for (int i = 0; i < q.length; i++) {
                q[i] *= gamma;
            }
        }
        var back = memory.descendingIterator();
        k = memory.size() - 1;
        while (back.hasNext()) {
            double[][] p = back.next();
            double beta = p[2][0] * dot(p[1], q);
            axpy(alpha[k] - beta, p[0], q);
            k--;
        }
        return negated(q);
    }

    /** The penalized mean cross-entropy and its gradient. */
    private record Objective(double[] x, int[] y, int n, int d, int k, double c) {
        double evaluate(double[] theta, double[] grad) {
            java.util.Arrays.fill(grad, 0);
            int bias = k * d;
            double loss = 0;
            double[] z = new double[k];
            for (int i = 0; i < n; i++) {
                int row = i * d;
                double max = Double.NEGATIVE_INFINITY;
                for (int a = 0; a < k; a++) {
                    double v = theta[bias + a];
                    int w = a * d;
                    for (int j = 0; j < d; j++) {
                        v += theta[w + j] * x[row + j];
                    }
                    z[a] = v;
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (int a = 0; a < k; a++) {
                    z[a] = Math.exp(z[a] - max);
                    sum += z[a];
                }
                loss += Math.log(sum) + max - (Math.log(z[y[i]]) + max);
                for (int a = 0; a < k; a++) {
                    double r = (z[a] / sum - (a == y[i] ? 1 : 0)) / n;   // ∂loss/∂zₐ
                    grad[bias + a] += r;
                    int w = a * d;
                    for (int j = 0; j < d; j++) {
                        grad[w + j] += r * x[row + j];
                    }
                }
            }
            double penalty = 0;
            double scale = 1 / (c * n);
            for (int j = 0; j < bias; j++) {
                penalty += theta[j] * theta[j];
                grad[j] += scale * theta[j];
            }
            return loss / n + 0.5 * scale * penalty;
        }
    }

    /** Class probabilities of each row of {@code x}, (n, K) row-major. */
    public double[] predictProba(double[] x) {
        int n = x.length / dim;
        double[] out = new double[n * classes];
        int bias = classes * dim;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < classes; a++) {
                double v = theta[bias + a];
                for (int j = 0; j < dim; j++) {
                    v += theta[a * dim + j] * x[i * dim + j];
                }
                out[i * classes + a] = v;
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int a = 0; a < classes; a++) {
                out[i * classes + a] = Math.exp(out[i * classes + a] - max);
                sum += out[i * classes + a];
            }
            for (int a = 0; a < classes; a++) {
                out[i * classes + a] /= sum;
            }
        }
        return out;
    }

    /** Weights (K, d) row-major; a copy. */
    public double[] coefficients() {
        return java.util.Arrays.copyOf(theta, classes * dim);
    }

    /** Intercepts (K); a copy. */
    public double[] intercepts() {
        return java.util.Arrays.copyOfRange(theta, classes * dim, theta.length);
    }

    /** L-BFGS iterations run. */
    public int iterations() {
        return iterations;
    }

    /** Whether the gradient tolerance (or a standstill) was reached before the iteration cap. */
    public boolean converged() {
        return converged;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static double[] negated(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = -v[i];
        }
        return out;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double e : v) {
            m = Math.max(m, Math.abs(e));
        }
        return m;
    }
}
