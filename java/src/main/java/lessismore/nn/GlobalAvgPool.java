package lessismore.nn;

/**
 * torch's AdaptiveAvgPool2d((1, 1)): the mean of each channel's plane. Input (N, C, H, W), output
 * (N, C, 1, 1).
 */
public final class GlobalAvgPool implements Layer {
    private int[] inputShape;

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("GlobalAvgPool expects (N, C, H, W), got " + x);
        }
        inputShape = x.shape();
        int planes = x.dim(0) * x.dim(1), s = x.dim(2) * x.dim(3);
        Tensor y = Tensor.zeros(x.dim(0), x.dim(1), 1, 1);
        for (int p = 0; p < planes; p++) {
            double sum = 0;
            for (int k = 0; k < s; k++) {
                sum += x.data[p * s + k];
            }
            y.data[p] = (float) (sum / s);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor dx = Tensor.zeros(inputShape);
        int s = inputShape[2] * inputShape[3];
        for (int p = 0; p < gradOut.numel(); p++) {
            float g = gradOut.data[p] / s;
            for (int k = 0; k < s; k++) {
                dx.data[p * s + k] = g;
            }
        }
        return dx;
    }
}
