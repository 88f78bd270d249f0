package lessismore.nn;

/** max(x, 0) elementwise, any shape. */
public final class ReLU implements Layer {
    private Tensor output;

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = Tensor.zeros(x.shape());
        Parallel.ranges(y.data.length, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                y.data[i] = Math.max(x.data[i], 0f);
            }
        });
        output = y;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        return backward(output, gradOut);
    }

    /** dx = dy where the ReLU's output y is positive, else 0 (like torch, 0 at exactly 0); any shape. */
    static Tensor backward(Tensor y, Tensor gradOut) {
        Tensor dx = Tensor.zeros(gradOut.shape());
        Parallel.ranges(dx.data.length, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                dx.data[i] = y.data[i] > 0f ? gradOut.data[i] : 0f;
            }
        });
        return dx;
    }
}
