package lessismore.kernels;

import java.util.stream.IntStream;

/**
 * Plain Java reference of SimCLR's NT-Xent loss, forward and backward in one call, for the CUDA
 * kernels of cuda-kernels/nt_xent.cu ({@link CudaNtXent}). z is (2B, D): rows i and i + B are the
 * two views of sample i. With ẑ = z / max(‖z‖, ε) (ε = 1e-12, torch.nn.functional.normalize) and
 * s_ij = ẑ_i · ẑ_j / τ, the loss of row i is −s_i,pos(i) + log Σ_{j≠i} exp(s_ij), pos(i) = (i + B)
 * mod 2B, averaged over the 2B rows.
 *
 * <p>Everything after the input is computed in double (ẑ, the dot products, the log-sum-exps, the
 * gradient), so the result is the fp32 input's exact loss and gradient up to double rounding: the
 * fp32 kernels are compared with it. Memory is O(2B · D): the 2B × 2B logits are recomputed row by
 * row instead of stored, and rows are processed in parallel (each row's values do not depend on
 * the order, so the result is repeatable).
 *
 * <p>The gradient through the normalisation is PyTorch's: dz = (dẑ − ẑ (ẑ · dẑ)) / ‖z‖ where
 * ‖z‖ ≥ ε, and dz = dẑ / ε where the norm was clamped (the clamp passes no gradient to the norm).
 * {@link lessismore.nn.NtXentLoss} uses the first form for every row; the two differ only for rows
 * with ‖z‖ &lt; 1e-12.
 */
public final class NtXent {
    /** The lower bound on ‖z_i‖, as torch.nn.functional.normalize's eps. */
    public static final double NORM_EPS = 1e-12;

    private NtXent() {
    }

    /**
     * The mean loss and dLoss/dz.
     *
     * @param loss the mean over the 2B rows
     * @param dz   (2B, D) row-major
     */
    public record Result(float loss, float[] dz) {
    }

    /**
     * Loss and gradient of {@code z} (rows, dim) row-major, rows = 2B even and at least 2.
     *
     * @throws IllegalArgumentException on a bad shape, a z of the wrong length or τ ≤ 0
     */
    public static Result forwardBackward(float[] z, int rows, int dim, float temperature) {
        checkShape(rows, dim, temperature);
        checkLength(z.length, rows, dim);
        int n = rows;
        int half = n / 2;
        double[] zhat = new double[n * dim];
        double[] norm = new double[n];
        boolean[] clamped = new boolean[n];
        for (int i = 0; i < n; i++) {
            double sq = 0;
            for (int k = 0; k < dim; k++) {
                double v = z[i * dim + k];
                sq += v * v;
            }
            double r = Math.sqrt(sq);
            clamped[i] = r < NORM_EPS;
            norm[i] = Math.max(r, NORM_EPS);
            for (int k = 0; k < dim; k++) {
                zhat[i * dim + k] = z[i * dim + k] / norm[i];
            }
        }
        double invTau = 1.0 / temperature;

        // Forward: lse_i = log Σ_{j≠i} exp(s_ij), two passes over the row (max, then sum).
        double[] lse = new double[n];
        double[] positive = new double[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            double[] s = logits(zhat, n, dim, i, invTau);
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    max = Math.max(max, s[j]);
                }
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    sum += Math.exp(s[j] - max);
                }
            }
            lse[i] = max + Math.log(sum);
            positive[i] = s[(i + half) % n];
        });
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += lse[i] - positive[i];
        }
        float loss = (float) (total / n);

        // Backward: dẑ_i = Σ_j G_ij ẑ_j / (2B τ), G_ij = P_ij + P_ji − 2 [j = pos(i)], P_ij =
        // exp(s_ij − lse_i) (0 on the diagonal); then through the normalisation.
        float[] dz = new float[n * dim];
        double scale = invTau / n;
        IntStream.range(0, n).parallel().forEach(i -> {
            double[] s = logits(zhat, n, dim, i, invTau);
            double[] dzhat = new double[dim];
            int pos = (i + half) % n;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                double g = Math.exp(s[j] - lse[i]) + Math.exp(s[j] - lse[j]) - (j == pos ? 2 : 0);
                for (int k = 0; k < dim; k++) {
                    dzhat[k] += g * zhat[j * dim + k];
                }
            }
            double dot = 0;
            for (int k = 0; k < dim; k++) {
                dzhat[k] *= scale;
                dot += zhat[i * dim + k] * dzhat[k];
            }
            for (int k = 0; k < dim; k++) {
                double g = clamped[i] ? dzhat[k] : dzhat[k] - zhat[i * dim + k] * dot;
                dz[i * dim + k] = (float) (g / norm[i]);
            }
        });
        return new Result(loss, dz);
    }

    /** Checks the shape (2B, D) and τ; shared with {@link CudaNtXent}. */
    static void checkShape(int rows, int dim, float temperature) {
        if (rows < 2 || rows % 2 != 0 || dim < 1) {
            throw new IllegalArgumentException("NT-Xent expects (2B, D) with B, D >= 1, got (" + rows + ", " + dim + ")");
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
    }

    /** Checks that z holds {@code length} = rows · dim floats. */
    static void checkLength(long length, int rows, int dim) {
        if (length != (long) rows * dim) {
            throw new IllegalArgumentException("z has " + length + " floats, (" + rows + ", " + dim + ") needs " + (long) rows * dim);
        }
    }

    /** s_ij = ẑ_i · ẑ_j / τ for every j (row i of the logits), (rows). */
    private static double[] logits(double[] zhat, int rows, int dim, int i, double invTau) {
        double[] s = new double[rows];
        for (int j = 0; j < rows; j++) {
            double dot = 0;
            for (int k = 0; k < dim; k++) {
                dot += zhat[i * dim + k] * zhat[j * dim + k];
            }
            s[j] = dot * invTau;
        }
        return s;
    }
}
