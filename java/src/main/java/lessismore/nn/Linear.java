package lessismore.nn;

import lessismore.tensor.Gemm;

/**
 * Fully connected layer {@code y = x·Wᵀ + b} as torch.nn.Linear. Input (N, in), output (N, out),
 * weight (out, in), bias (out) optional.
 */
public final class Linear implements Layer {
    private final int in;
    private final int out;
    /** The weight, (out, in). */
    public final Parameter weight;
    /** The bias, (out), or null. */
    public final Parameter bias;
    private Tensor input;

    /** A linear layer with zero-initialised weights (see {@link Init} to fill them). */
    public Linear(int in, int out, boolean bias) {
        this.in = in;
        this.out = out;
        this.weight = new Parameter(Parameter.Kind.WEIGHT, out, in);
        this.bias = bias ? new Parameter(Parameter.Kind.BIAS, out) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 2 || x.dim(1) != in) {
            throw new IllegalArgumentException("Linear expects (N, " + in + "), got " + x);
        }
        input = x;
        int n = x.dim(0);
        Tensor y = Tensor.zeros(n, out);
        if (bias != null) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(bias.value.data, 0, y.data, i * out, out);
            }
        }
        // y (N, out) = x (N, in) · Wᵀ (in, out) + y
        Gemm.sgemm(false, true, n, out, in, 1f, x.data, 0, in, weight.value.data, 0, in,
                bias != null ? 1f : 0f, y.data, 0, out);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int n = input.dim(0);
        // dW (out, in) += dyᵀ (out, N) · x (N, in)
        Gemm.sgemm(true, false, out, in, n, 1f, gradOut.data, 0, out, input.data, 0, in,
                1f, weight.grad.data, 0, in);
        if (bias != null) {
            for (int j = 0; j < out; j++) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += gradOut.data[i * out + j];
                }
                bias.grad.data[j] += (float) sum;
            }
        }
        // dx (N, in) = dy (N, out) · W (out, in)
        Tensor dx = Tensor.zeros(n, in);
        Gemm.sgemm(false, false, n, in, out, 1f, gradOut.data, 0, out, weight.value.data, 0, in,
                0f, dx.data, 0, in);
        return dx;
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        visitor.parameter(prefix + "weight", weight);
        if (bias != null) {
            visitor.parameter(prefix + "bias", bias);
        }
    }
}
