package lessismore.nn;

import java.util.Arrays;
import lessismore.tensor.Gemm;

/**
 * 2-D convolution (square kernel, stride, zero padding; dilation 1, groups 1), computed per image
 * as im2col followed by one GEMM, like torch.nn.Conv2d. Input (N, C, H, W), output (N, O, Ho, Wo)
 * with {@code Ho = (H + 2·padding − kernel) / stride + 1}. Weight (O, C, k, k), bias (O) optional.
 */
public final class Conv2d implements Layer {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    /** The weight, (O, C, k, k). */
    public final Parameter weight;
    /** The bias, (O), or null. */
    public final Parameter bias;
    private Tensor input;

    /** A convolution with zero-initialised weights (see {@link Init} to fill them). */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.weight = new Parameter(Parameter.Kind.WEIGHT, outChannels, inChannels, kernel, kernel);
        this.bias = bias ? new Parameter(Parameter.Kind.BIAS, outChannels) : null;
    }

    /** Side of the square kernel. */
    public int kernel() {
        return kernel;
    }

    /** Stride along both axes. */
    public int stride() {
        return stride;
    }

    /** Zero padding on each of the four sides. */
    public int padding() {
        return padding;
    }

    private int outSize(int size) {
        return (size + 2 * padding - kernel) / stride + 1;
    }

    /** 1×1 stride-1 convolutions read the image itself as the column matrix. */
    private boolean pointwise() {
        return kernel == 1 && stride == 1 && padding == 0;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != inChannels) {
            throw new IllegalArgumentException("Conv2d expects (N, " + inChannels + ", H, W), got " + x);
        }
        input = x;
        int n = x.dim(0), h = x.dim(2), w = x.dim(3);
        int ho = outSize(h), wo = outSize(w), spatial = ho * wo;
        int rows = inChannels * kernel * kernel;
        Tensor y = Tensor.zeros(n, outChannels, ho, wo);
        float[] col = pointwise() ? null : new float[rows * spatial];
        for (int i = 0; i < n; i++) {
            float[] b = x.data;
            int bOff = i * inChannels * h * w;
            if (col != null) {
                im2col(x.data, bOff, h, w, ho, wo, col);
                b = col;
                bOff = 0;
            }
            // y[i] (O, Ho·Wo) = W (O, C·k·k) · col (C·k·k, Ho·Wo)
            Gemm.sgemm(false, false, outChannels, spatial, rows, 1f, weight.value.data, 0, rows,
                    b, bOff, spatial, 0f, y.data, i * outChannels * spatial, spatial);
            if (bias != null) {
                for (int o = 0; o < outChannels; o++) {
                    float bv = bias.value.data[o];
                    int base = (i * outChannels + o) * spatial;
                    for (int s = 0; s < spatial; s++) {
                        y.data[base + s] += bv;
                    }
                }
            }
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int n = input.dim(0), h = input.dim(2), w = input.dim(3);
        int ho = outSize(h), wo = outSize(w), spatial = ho * wo;
        int rows = inChannels * kernel * kernel;
        Tensor dx = Tensor.zeros(input.shape());
        float[] col = pointwise() ? null : new float[rows * spatial];
        float[] dcol = pointwise() ? null : new float[rows * spatial];
        for (int i = 0; i < n; i++) {
            int gOff = i * outChannels * spatial;
            int xOff = i * inChannels * h * w;
            float[] b = input.data;
            int bOff = xOff;
            if (col != null) {
                // Recomputed rather than cached: the columns of a whole batch would be k² times the input.
                im2col(input.data, xOff, h, w, ho, wo, col);
                b = col;
                bOff = 0;
            }
            // dW (O, C·k·k) += dy[i] (O, Ho·Wo) · colᵀ
            Gemm.sgemm(false, true, outChannels, rows, spatial, 1f, gradOut.data, gOff, spatial,
                    b, bOff, spatial, 1f, weight.grad.data, 0, rows);
            if (dcol == null) {
                // dx[i] (C, H·W) = Wᵀ · dy[i]
                Gemm.sgemm(true, false, rows, spatial, outChannels, 1f, weight.value.data, 0, rows,
                        gradOut.data, gOff, spatial, 0f, dx.data, xOff, spatial);
            } else {
                Gemm.sgemm(true, false, rows, spatial, outChannels, 1f, weight.value.data, 0, rows,
                        gradOut.data, gOff, spatial, 0f, dcol, 0, spatial);
                col2im(dcol, h, w, ho, wo, dx.data, xOff);
            }
            if (bias != null) {
                for (int o = 0; o < outChannels; o++) {
                    double sum = 0;
                    int base = gOff + o * spatial;
                    for (int s = 0; s < spatial; s++) {
                        sum += gradOut.data[base + s];
                    }
                    bias.grad.data[o] += (float) sum;
                }
            }
        }
        return dx;
    }

    /** col (C·k·k, Ho·Wo): row (c, ky, kx) holds the input pixel each output position sees, 0 in the padding. */
    private void im2col(float[] x, int xOff, int h, int w, int ho, int wo, float[] col) {
        int spatial = ho * wo;
        for (int c = 0; c < inChannels; c++) {
            for (int ky = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++) {
                    int row = ((c * kernel + ky) * kernel + kx) * spatial;
                    for (int oy = 0; oy < ho; oy++) {
                        int iy = oy * stride - padding + ky;
                        int dst = row + oy * wo;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(col, dst, dst + wo, 0f);
                            continue;
                        }
                        int src = xOff + (c * h + iy) * w;
                        for (int ox = 0; ox < wo; ox++) {
                            int ix = ox * stride - padding + kx;
                            col[dst + ox] = ix >= 0 && ix < w ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col}: adds each column entry back onto the pixel it came from. */
    private void col2im(float[] col, int h, int w, int ho, int wo, float[] dx, int dxOff) {
        int spatial = ho * wo;
        for (int c = 0; c < inChannels; c++) {
            for (int ky = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++) {
                    int row = ((c * kernel + ky) * kernel + kx) * spatial;
                    for (int oy = 0; oy < ho; oy++) {
                        int iy = oy * stride - padding + ky;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int src = row + oy * wo;
                        int dst = dxOff + (c * h + iy) * w;
                        for (int ox = 0; ox < wo; ox++) {
                            int ix = ox * stride - padding + kx;
                            if (ix >= 0 && ix < w) {
                                dx[dst + ix] += col[src + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        visitor.parameter(prefix + "weight", weight);
        if (bias != null) {
            visitor.parameter(prefix + "bias", bias);
        }
    }
}
