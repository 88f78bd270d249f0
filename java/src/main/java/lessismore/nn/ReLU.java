package lessismore.nn;

/** max(x, 0) elementwise, any shape. */
public final class ReLU implements Layer {
    private Tensor output;

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = Tensor.zeros(x.shape());
        for (int i = 0; i < y.data.length; i++) {
            y.data[i] = Math.max(x.data[i], 0f);
        }
        output = y;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor dx = Tensor.zeros(gradOut.shape());
        for (int i = 0; i < dx.data.length; i++) {
            // Like torch: the gradient at exactly 0 is 0.
            dx.data[i] = output.data[i] > 0f ? gradOut.data[i] : 0f;
        }
        return dx;
    }
}
