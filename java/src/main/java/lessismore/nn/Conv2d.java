package lessismore.nn;

import java.util.Arrays;
import lessismore.tensor.Gemm;

/**
 * 2-D convolution (square kernel, stride, zero padding; dilation 1, groups 1), computed as im2col
 * of the whole batch followed by one GEMM, like torch.nn.Conv2d. The columns and the GEMM's output
 * put the batch innermost (column (oy, ox, i)), see {@link #columns}. Input (N, C, H, W), output
 * (N, O, Ho, Wo) with {@code Ho = (H + 2·padding − kernel) / stride + 1}. Weight (O, C, k, k), bias
 * (O) optional.
 *
 * <p>One GEMM per layer and pass rather than one per image: deep layers have few output positions
 * per image (2×2 in ResNet's last stage at 64 px), and a GEMM that thin spends its time packing the
 * weight matrix again for every image.
 *
 * <p>In training, the column matrix of the forward pass is kept for backward when it holds at most
 * {@link #MAX_KEPT_FLOATS} floats (all of ResNet-18's at 64 px, batch 64: 280 MB in all), and
 * recomputed there otherwise. Evaluation keeps nothing between calls, so inference over large
 * batches holds no more memory than one layer's columns at a time.
 */
public final class Conv2d implements Layer {
    /** Largest column matrix kept between passes: 2²⁵ floats, 128 MiB. */
    static final int MAX_KEPT_FLOATS = 1 << 25;
    /** Side of the tiles of {@link #transpose}: 16 floats, one cache line. */
    private static final int TILE = 16;
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
    private boolean training = true;
    // Whether kept holds the columns of input (false once backward has used them as dcol).
    private boolean columnsOfInput;
    // (O, Ho·Wo·N) scratch: the GEMM's output in forward, the reordered dy in backward.
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
        float[] col = columns(x, ho, wo);
        columnsOfInput = col == kept;
        // ybuf (O, Ho·Wo·N) = W (O, C·k·k) · col
        float[] ybuf = scratch(outChannels * cols);
        Gemm.sgemm(false, false, outChannels, cols, rows, 1f, weight.value.data, 0, rows,
                col, 0, cols, 0f, ybuf, 0, cols);
        // y (N, O, Ho, Wo): each channel's (Ho·Wo, N) block of ybuf transposed, plus the bias.
        Tensor y = Tensor.zeros(n, outChannels, ho, wo);
        Parallel.ranges(outChannels, Math.max(1, Parallel.GRAIN / cols), (lo, hi) -> {
            for (int o = lo; o < hi; o++) {
                transpose(ybuf, o * cols, n, y.data, o * spatial, outChannels * spatial, spatial, n);
                if (bias != null) {
                    float bv = bias.value.data[o];
                    for (int i = 0; i < n; i++) {
                        for (int q = (i * outChannels + o) * spatial, end = q + spatial; q < end; q++) {
                            y.data[q] += bv;
                        }
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
        // dy (O, Ho·Wo·N): gradOut (N, O, Ho, Wo) with the batch innermost, as the columns.
        float[] dy = scratch(outChannels * cols);
        Parallel.ranges(outChannels, Math.max(1, Parallel.GRAIN / cols), (lo, hi) -> {
            for (int o = lo; o < hi; o++) {
                transpose(gradOut.data, o * spatial, outChannels * spatial, dy, o * cols, n, n, spatial);
            }
        });
        // Forward's columns when they were kept, else recomputed.
        float[] col = columnsOfInput ? kept : columns(input, ho, wo);
        columnsOfInput = false;
        // dW (O, C·k·k) += dy · colᵀ
        Gemm.sgemm(false, true, outChannels, rows, cols, 1f, dy, 0, cols, col, 0, cols,
                1f, weight.grad.data, 0, rows);
        // dcol (C·k·k, Ho·Wo·N) = Wᵀ · dy, then each column entry goes back to its pixel.
        float[] dcol = col;
        Gemm.sgemm(true, false, rows, cols, outChannels, 1f, weight.value.data, 0, rows, dy, 0, cols,
                0f, dcol, 0, cols);
        float[] dxt;
        if (pointwise()) {
            dxt = dcol;
        } else {
            dxt = new float[inChannels * h * w * n];
            Parallel.ranges(inChannels, Math.max(1, Parallel.GRAIN / (kernel * kernel * cols)), (lo, hi) -> {
                for (int c = lo; c < hi; c++) {
                    col2im(dcol, c, n, h, w, ho, wo, dxt);
                }
            });
        }
        Tensor dx = Tensor.zeros(input.shape());
        batchFirst(dxt, dx.data, n, inChannels, h * w);
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
     * The column matrix (C·k·k, Ho·Wo·N) of a batch x (N, C, H, W): entry (row (c, ky, kx), column
     * (oy, ox, i)) is the pixel that output position (oy, ox) of image i sees through kernel tap
     * (ky, kx) of channel c, 0 in the padding. With the batch innermost, every run of output
     * positions that reads inside the image is one contiguous copy of (hi − lo)·N floats from x
     * with the batch innermost too (stride 1), however small the images get in the deep layers.
     * In training it goes into the layer's kept buffer when that is at most
     * {@link #MAX_KEPT_FLOATS} (every entry is written, so the buffer needs no clearing), else into
     * a fresh array.
     */
    private float[] columns(Tensor x, int ho, int wo) {
        int n = x.dim(0), h = x.dim(2), w = x.dim(3);
        int size = inChannels * kernel * kernel * ho * wo * n;
        float[] col;
        if (training && size <= MAX_KEPT_FLOATS) {
            if (kept == null || kept.length != size) {
                kept = new float[size];
            }
            col = kept;
        } else {
            col = new float[size];
        }
        if (pointwise()) {
            batchLast(x.data, col, n, inChannels, h * w);
            return col;
        }
        float[] xt = new float[x.numel()];
        batchLast(x.data, xt, n, inChannels, h * w);
        Parallel.ranges(inChannels, Math.max(1, Parallel.GRAIN / (kernel * kernel * ho * wo * n)), (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                im2col(xt, c, n, h, w, ho, wo, col);
            }
        });
        return col;
    }

    /** xt (C, S, N) from x (N, C, S): the batch moved innermost; channels in parallel. */
    private static void batchLast(float[] x, float[] xt, int n, int channels, int s) {
        Parallel.ranges(channels, Math.max(1, Parallel.GRAIN / (n * s)), (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                transpose(x, c * s, channels * s, xt, c * s * n, n, n, s);
            }
        });
    }

    /** x (N, C, S) from xt (C, S, N), the inverse of {@link #batchLast}. */
    private static void batchFirst(float[] xt, float[] x, int n, int channels, int s) {
        Parallel.ranges(channels, Math.max(1, Parallel.GRAIN / (n * s)), (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                transpose(xt, c * s * n, n, x, c * s, channels * s, s, n);
            }
        });
    }

    /**
     * dst[dOff + j·dStride + r] = src[sOff + r·sStride + j] for r < rows, j < cols: a rows × cols
     * matrix transposed, in {@link #TILE} × TILE tiles so that both sides touch few cache lines at
     * a time (the strides here are powers of two as large as 64 KiB, where an untiled column walk
     * misses on every element).
     */
    private static void transpose(float[] src, int sOff, int sStride, float[] dst, int dOff, int dStride,
                                  int rows, int cols) {
        for (int r0 = 0; r0 < rows; r0 += TILE) {
            int r1 = Math.min(rows, r0 + TILE);
            for (int j0 = 0; j0 < cols; j0 += TILE) {
                int j1 = Math.min(cols, j0 + TILE);
                for (int r = r0; r < r1; r++) {
                    int s = sOff + r * sStride;
                    for (int j = j0; j < j1; j++) {
                        dst[dOff + j * dStride + r] = src[s + j];
                    }
                }
            }
        }
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
     * Channel c's k² rows of col (C·k·k, Ho·Wo·N) from xt (C, H, W, N). The output positions that
     * read inside the image are found once per kx, so the copy loop has no bounds tests.
     */
    private void im2col(float[] xt, int c, int n, int h, int w, int ho, int wo, float[] col) {
        int cols = ho * wo * n;
        for (int ky = 0; ky < kernel; ky++) {
            for (int kx = 0; kx < kernel; kx++) {
                int row = ((c * kernel + ky) * kernel + kx) * cols;
                int lo = firstInside(kx);
                int hi = Math.max(lo, endInside(kx, w, wo));
                for (int oy = 0; oy < ho; oy++) {
                    int iy = oy * stride - padding + ky;
                    int dst = row + oy * wo * n;
                    if (iy < 0 || iy >= h) {
                        Arrays.fill(col, dst, dst + wo * n, 0f);
                        continue;
                    }
                    Arrays.fill(col, dst, dst + lo * n, 0f);
                    Arrays.fill(col, dst + hi * n, dst + wo * n, 0f);
                    // Pixel (c, iy, ix) starts at src + ix·N with ix = ox·stride − padding + kx.
                    int src = (c * h + iy) * w * n + (kx - padding) * n;
                    if (stride == 1) {
                        System.arraycopy(xt, src + lo * n, col, dst + lo * n, (hi - lo) * n);
                    } else {
                        for (int ox = lo; ox < hi; ox++) {
                            System.arraycopy(xt, src + ox * stride * n, col, dst + ox * n, n);
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col}: adds channel c's rows of col back onto dxt (C, H, W, N). */
    private void col2im(float[] col, int c, int n, int h, int w, int ho, int wo, float[] dxt) {
        int cols = ho * wo * n;
        for (int ky = 0; ky < kernel; ky++) {
            for (int kx = 0; kx < kernel; kx++) {
                int row = ((c * kernel + ky) * kernel + kx) * cols;
                int lo = firstInside(kx);
                int hi = endInside(kx, w, wo);
                for (int oy = 0; oy < ho; oy++) {
                    int iy = oy * stride - padding + ky;
                    if (iy < 0 || iy >= h) {
                        continue;
                    }
                    int src = row + oy * wo * n;
                    int dst = (c * h + iy) * w * n + (kx - padding) * n;
                    if (stride == 1) {
                        addInto(col, src + lo * n, dxt, dst + lo * n, (hi - lo) * n);
                    } else {
                        for (int ox = lo; ox < hi; ox++) {
                            addInto(col, src + ox * n, dxt, dst + ox * stride * n, n);
                        }
                    }
                }
            }
        }
    }

    /** The layer's (O, Ho·Wo·N) buffer for the GEMM output in forward and dy in backward. */
    private float[] scratch(int size) {
        if (!training) {
            return new float[size];
        }
        if (outputRows == null || outputRows.length != size) {
            outputRows = new float[size];
        }
        return outputRows;
    }

    /** dst[dOff + j] += src[sOff + j] for j in [0, len). */
    private static void addInto(float[] src, int sOff, float[] dst, int dOff, int len) {
        for (int j = 0; j < len; j++) {
            dst[dOff + j] += src[sOff + j];
        }
    }

    /** Evaluation drops the kept columns and scratch, which only training reuses. */
    @Override
    public void setTraining(boolean training) {
        this.training = training;
        if (!training) {
            kept = null;
            outputRows = null;
            columnsOfInput = false;
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
