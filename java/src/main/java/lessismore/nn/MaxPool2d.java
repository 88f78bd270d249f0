package lessismore.nn;

/**
 * Max pooling over square windows with implicit −∞ padding, as torch.nn.MaxPool2d (ResNet's stem
 * uses kernel 3, stride 2, padding 1). Input (N, C, H, W), output (N, C, Ho, Wo) with
 * {@code Ho = (H + 2·padding − kernel) / stride + 1}. Ties go to the first maximum in row-major
 * window order, as in torch, and only that input receives the gradient.
 */
public final class MaxPool2d implements Layer {
    private final int kernel;
    private final int stride;
    private final int padding;
    private int[] inputShape;
    // For each output element, the flat index of the input element it copied.
    private int[] argmax;

    /** A max pool with the given window, stride and padding. */
    public MaxPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /** Side of the square window. */
    public int kernel() {
        return kernel;
    }

    /** Stride along both axes. */
    public int stride() {
        return stride;
    }

    /** −∞ padding on each of the four sides. */
    public int padding() {
        return padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("MaxPool2d expects (N, C, H, W), got " + x);
        }
        inputShape = x.shape();
        int planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
        int ho = (h + 2 * padding - kernel) / stride + 1, wo = (w + 2 * padding - kernel) / stride + 1;
        Tensor y = Tensor.zeros(x.dim(0), x.dim(1), ho, wo);
        // Planes are independent: each task owns whole (n, c) planes of y, argmax and, in
        // backward, of dx (every argmax points into its own plane).
        int[] idx = new int[y.numel()];
        Parallel.ranges(planes, Math.max(1, Parallel.GRAIN / (h * w)), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int in = p * h * w;
                for (int oy = 0; oy < ho; oy++) {
                    // The window rows [ky0, ky1) and columns [kx0, kx1) that lie inside the image.
                    int y0 = oy * stride - padding;
                    int ky0 = Math.max(0, -y0), ky1 = Math.min(kernel, h - y0);
                    for (int ox = 0; ox < wo; ox++) {
                        int x0 = ox * stride - padding;
                        int kx0 = Math.max(0, -x0), kx1 = Math.min(kernel, w - x0);
                        float best = Float.NEGATIVE_INFINITY;
                        int bestIndex = -1;
                        for (int ky = ky0; ky < ky1; ky++) {
                            int iy = y0 + ky;
                            for (int kx = kx0; kx < kx1; kx++) {
                                int ix = x0 + kx;
                                float v = x.data[in + iy * w + ix];
                                if (v > best || Float.isNaN(v) || bestIndex < 0) {
                                    best = v;
                                    bestIndex = in + iy * w + ix;
                                }
                            }
                        }
                        int o = (p * ho + oy) * wo + ox;
                        y.data[o] = best;
                        idx[o] = bestIndex;
                    }
                }
            }
        });
        argmax = idx;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor dx = Tensor.zeros(inputShape);
        int planes = inputShape[0] * inputShape[1];
        int perPlane = argmax.length / planes;
        Parallel.ranges(planes, Math.max(1, Parallel.GRAIN / perPlane), (lo, hi) -> {
            for (int o = lo * perPlane; o < hi * perPlane; o++) {
                dx.data[argmax[o]] += gradOut.data[o];
            }
        });
        return dx;
    }
}
