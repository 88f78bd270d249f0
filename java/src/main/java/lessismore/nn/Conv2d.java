package lessismore.nn;

import java.util.Arrays;
import java.util.stream.IntStream;
import lessismore.tensor.Gemm;

/**
 * 2-D convolution (square kernel, stride, zero padding; dilation 1, groups 1), computed as im2col
 * of the whole batch followed by one GEMM, like torch.nn.Conv2d. Input (N, C, H, W), output
 * (N, O, Ho, Wo) with {@code Ho = (H + 2·padding − kernel) / stride + 1}. Weight (O, C, k, k), bias
 * (O) optional.
 *
 * <p>One GEMM per layer and pass rather than one per image: deep layers have few output positions
 * per image (2×2 in ResNet's last stage at 64 px), and a GEMM that thin spends its time packing the
 * weight matrix again for every image.
 *
 * <p>The column matrix of the forward pass is kept for backward when it holds at most
 * {@link #MAX_KEPT_FLOATS} floats (all of ResNet-18's at 64 px, batch 64), and recomputed there
 * otherwise.
 */
public final class Conv2d implements Layer {
    /** Largest column matrix kept between passes: 2²⁵ floats, 128 MiB. */
    static final int MAX_KEPT_FLOATS = 1 << 25;
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
    // The column matrix of the last forward's input, kept for backward (which then overwrites it
    // with dcol) and reused by the next forward: allocating and zeroing it every pass cost as much
    // as filling it. Null until a forward's columns fit under MAX_KEPT_FLOATS.
    private float[] kept;
    // Whether kept holds the columns of input (false once backward has used them as dcol).
    private boolean columnsOfInput;
    // (O, N·Ho·Wo) scratch: the GEMM's output in forward, the reordered dy in backward.
    private float[] outputRows;

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
        int cols = n * spatial;
        // col (C·k·k, N·Ho·Wo): image i's columns start at i·Ho·Wo.
        float[] col = columns(x.data, n, h, w, ho, wo);
        columnsOfInput = col == kept;
        // ybuf (O, N·Ho·Wo) = W (O, C·k·k) · col
        float[] ybuf = scratch(outChannels * cols);
        Gemm.sgemm(false, false, outChannels, cols, rows, 1f, weight.value.data, 0, rows,
                col, 0, cols, 0f, ybuf, 0, cols);
        Tensor y = Tensor.zeros(n, outChannels, ho, wo);
        Parallel.ranges(outChannels, Math.max(1, Parallel.GRAIN / cols), (lo, hi) -> {
            for (int o = lo; o < hi; o++) {
                float bv = bias == null ? 0f : bias.value.data[o];
                for (int i = 0; i < n; i++) {
                    int src = o * cols + i * spatial;
                    int dst = (i * outChannels + o) * spatial;
                    for (int s = 0; s < spatial; s++) {
                        y.data[dst + s] = ybuf[src + s] + bv;
                    }
                }
            }
        });
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int n = input.dim(0), h = input.dim(2), w = input.dim(3);
        int ho = outSize(h), wo = outSize(w), spatial = ho * wo;
        int rows = inChannels * kernel * kernel;
        int cols = n * spatial;
        // dy (O, N·Ho·Wo): gradOut with the batch moved inside each channel's row.
        float[] dy = scratch(outChannels * cols);
        Parallel.ranges(n, Math.max(1, Parallel.GRAIN / (outChannels * spatial)), (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                for (int o = 0; o < outChannels; o++) {
                    System.arraycopy(gradOut.data, (i * outChannels + o) * spatial, dy, o * cols + i * spatial, spatial);
                }
            }
        });
        // Forward's columns when they were kept, else recomputed.
        float[] col = columnsOfInput ? kept : columns(input.data, n, h, w, ho, wo);
        columnsOfInput = false;
        // dW (O, C·k·k) += dy · colᵀ
        Gemm.sgemm(false, true, outChannels, rows, cols, 1f, dy, 0, cols, col, 0, cols,
                1f, weight.grad.data, 0, rows);
        // dcol (C·k·k, N·Ho·Wo) = Wᵀ · dy, then each column entry goes back to its pixel.
        float[] dcol = col;
        Gemm.sgemm(true, false, rows, cols, outChannels, 1f, weight.value.data, 0, rows, dy, 0, cols,
                0f, dcol, 0, cols);
        Tensor dx = Tensor.zeros(input.shape());
        // Each image owns its slice of dx: images in parallel.
        IntStream.range(0, n).parallel().forEach(i -> {
            int xOff = i * inChannels * h * w;
            if (pointwise()) {
                for (int c = 0; c < inChannels; c++) {
                    System.arraycopy(dcol, c * cols + i * spatial, dx.data, xOff + c * spatial, spatial);
                }
            } else {
                col2im(dcol, i * spatial, cols, h, w, ho, wo, dx.data, xOff);
            }
        });
        if (bias != null) {
            for (int o = 0; o < outChannels; o++) {
                double sum = 0;
                for (int j = o * cols; j < (o + 1) * cols; j++) {
                    sum += dy[j];
                }
                bias.grad.data[o] += (float) sum;
            }
        }
        return dx;
    }

    /**
     * The column matrix (C·k·k, N·Ho·Wo) of a batch x (N, C, H, W), images in parallel. It goes into
     * the layer's kept buffer when that is at most {@link #MAX_KEPT_FLOATS} (every entry is written,
     * so the buffer needs no clearing), else into a fresh array.
     */
    private float[] columns(float[] x, int n, int h, int w, int ho, int wo) {
        int spatial = ho * wo;
        int cols = n * spatial;
        int size = inChannels * kernel * kernel * cols;
        float[] col;
        if (size <= MAX_KEPT_FLOATS) {
            if (kept == null || kept.length != size) {
                kept = new float[size];
            }
            col = kept;
        } else {
            col = new float[size];
        }
        IntStream.range(0, n).parallel().forEach(i -> {
            int xOff = i * inChannels * h * w;
            if (pointwise()) {
                for (int c = 0; c < inChannels; c++) {
                    System.arraycopy(x, xOff + c * spatial, col, c * cols + i * spatial, spatial);
                }
            } else {
                im2col(x, xOff, h, w, ho, wo, col, i * spatial, cols);
            }
        });
        return col;
    }

    /** The layer's (O, N·Ho·Wo) buffer for the GEMM output in forward and dy in backward. */
    private float[] scratch(int size) {
        if (outputRows == null || outputRows.length != size) {
            outputRows = new float[size];
        }
        return outputRows;
    }

    /** First output position ox whose input column ox·stride − padding + kx is inside [0, w). */
    private int firstInside(int kx) {
        int need = padding - kx;
        return need <= 0 ? 0 : (need + stride - 1) / stride;
    }

    /** One past the last output position whose input column is inside [0, w), at most wo. */
    private int endInside(int kx, int w, int wo) {
        int last = w - 1 + padding - kx;
        return last < 0 ? 0 : Math.min(wo, last / stride + 1);
    }

    /**
     * One image's columns: row (c, ky, kx) of col, from column colOff on (leading dimension ld),
     * holds the input pixel each output position sees, 0 in the padding. The output positions that
     * read inside the image are found once per kx, so the copy loop has no bounds tests.
     */
    private void im2col(float[] x, int xOff, int h, int w, int ho, int wo, float[] col, int colOff, int ld) {
        for (int c = 0; c < inChannels; c++) {
            for (int ky = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++) {
                    int row = ((c * kernel + ky) * kernel + kx) * ld + colOff;
                    int lo = firstInside(kx);
                    int hi = Math.max(lo, endInside(kx, w, wo));
                    for (int oy = 0; oy < ho; oy++) {
                        int iy = oy * stride - padding + ky;
                        int dst = row + oy * wo;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(col, dst, dst + wo, 0f);
                            continue;
                        }
                        Arrays.fill(col, dst, dst + lo, 0f);
                        Arrays.fill(col, dst + hi, dst + wo, 0f);
                        int src = xOff + (c * h + iy) * w - padding + kx;
                        if (stride == 1) {
                            System.arraycopy(x, src + lo, col, dst + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                col[dst + ox] = x[src + ox * stride];
                            }
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col}: adds each column entry back onto the pixel it came from. */
    private void col2im(float[] col, int colOff, int ld, int h, int w, int ho, int wo, float[] dx, int dxOff) {
        for (int c = 0; c < inChannels; c++) {
            for (int ky = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++) {
                    int row = ((c * kernel + ky) * kernel + kx) * ld + colOff;
                    int lo = firstInside(kx);
                    int hi = endInside(kx, w, wo);
                    for (int oy = 0; oy < ho; oy++) {
                        int iy = oy * stride - padding + ky;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int src = row + oy * wo;
                        int dst = dxOff + (c * h + iy) * w - padding + kx;
                        for (int ox = lo; ox < hi; ox++) {
                            dx[dst + ox * stride] += col[src + ox];
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
