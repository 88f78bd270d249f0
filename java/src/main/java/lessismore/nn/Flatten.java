package lessismore.nn;

/** torch.flatten(x, 1): input (N, d1, d2, …), output (N, d1·d2·…), the same data. */
public final class Flatten implements Layer {
    private int[] inputShape;

    @Override
    public Tensor forward(Tensor x) {
        inputShape = x.shape();
        return x.reshape(x.dim(0), x.numel() / Math.max(x.dim(0), 1));
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        return gradOut.reshape(inputShape);
    }
}
