package lessismore.nn;

import lessismore.tensor.Gemm;

/**
 * SimCLR's NT-Xent loss. Input z (2B, D): rows i and i + B are the two views of sample i. With
 * ẑ = z / ‖z‖ and s_ij = ẑ_i · ẑ_j / τ, the loss of row i is −s_i,pos(i) + log Σ_{j≠i} exp(s_ij),
 * averaged over the 2B rows. The self-similarity s_ii is replaced by a large negative number
 * before the log-sum-exp (rather than exp-then-mask), so it contributes exactly zero.
 */
public final class NtXentLoss {
    /** Stands in for s_ii: exp of it underflows to 0 after the max is subtracted. */
    private static final float MASK = -1e9f;
    /** Lower bound on ‖z‖ in the normalisation, as torch.nn.functional.normalize. */
    private static final double NORM_EPS = 1e-12;

    private final float temperature;
    // Cached by forward: ẑ (2B, D), ‖z_i‖ clamped, and the row-wise softmax P (2B, 2B).
    private float[] zhat;
    private double[] norms;
    private float[] softmax;
    private int rows;
    private int dim;

    /** The loss with temperature τ (SimCLR's default 0.5 is {@link #NtXentLoss()}). */
    public NtXentLoss(float temperature) {
        this.temperature = temperature;
    }

    /** The loss with τ = 0.5. */
    public NtXentLoss() {
        this(0.5f);
    }

    /** The mean loss over the 2B rows of {@code z} (2B, D). */
    public float forward(Tensor z) {
        if (z.rank() != 2 || z.dim(0) % 2 != 0 || z.dim(0) < 2) {
            throw new IllegalArgumentException("NT-Xent expects (2B, D), got " + z);
        }
        rows = z.dim(0);
        dim = z.dim(1);
        int half = rows / 2;
        zhat = new float[rows * dim];
        norms = new double[rows];
        for (int i = 0; i < rows; i++) {
            double sq = 0;
            for (int k = 0; k < dim; k++) {
                double v = z.data[i * dim + k];
                sq += v * v;
            }
            norms[i] = Math.max(Math.sqrt(sq), NORM_EPS);
            for (int k = 0; k < dim; k++) {
                zhat[i * dim + k] = (float) (z.data[i * dim + k] / norms[i]);
            }
        }
        // S (2B, 2B) = ẑ · ẑᵀ / τ
        softmax = new float[rows * rows];
        Gemm.sgemm(false, true, rows, rows, dim, 1f / temperature, zhat, 0, dim, zhat, 0, dim,
                0f, softmax, 0, rows);
        double[] positive = new double[rows];
        for (int i = 0; i < rows; i++) {
            softmax[i * rows + i] = MASK;
            positive[i] = softmax[i * rows + (i + half) % rows];
        }
        double[] logSumExp = Softmax.inPlace(softmax, rows, rows);
        double total = 0;
        for (int i = 0; i < rows; i++) {
            total += logSumExp[i] - positive[i];
        }
        return (float) (total / rows);
    }

    /** dLoss/dz (2B, D) for the last forward. */
    public Tensor backward() {
        int half = rows / 2;
        // dS = (P − onehot(pos)) / 2B; P_ii is 0, so the masked entry passes no gradient.
        float[] dS = softmax.clone();
        for (int i = 0; i < rows; i++) {
            dS[i * rows + (i + half) % rows] -= 1f;
        }
        // S = ẑẑᵀ/τ is symmetric in its use of ẑ: dẑ = (dS + dSᵀ) · ẑ / (τ · 2B).
        float[] sym = new float[rows * rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < rows; j++) {
                sym[i * rows + j] = dS[i * rows + j] + dS[j * rows + i];
            }
        }
        float[] dzhat = new float[rows * dim];
        Gemm.sgemm(false, false, rows, dim, rows, 1f / (temperature * rows), sym, 0, rows, zhat, 0, dim,
                0f, dzhat, 0, dim);
        // Through ẑ = z/‖z‖: dz = (dẑ − ẑ (ẑ·dẑ)) / ‖z‖.
        Tensor dz = Tensor.zeros(rows, dim);
        for (int i = 0; i < rows; i++) {
            double dot = 0;
            for (int k = 0; k < dim; k++) {
                dot += (double) zhat[i * dim + k] * dzhat[i * dim + k];
            }
            for (int k = 0; k < dim; k++) {
                int idx = i * dim + k;
                dz.data[idx] = (float) ((dzhat[idx] - zhat[idx] * dot) / norms[i]);
            }
        }
        return dz;
    }
}
