package lessismore.nn;

/**
 * torch.nn.CrossEntropyLoss with integer class labels and mean reduction: for logits (N, K) and
 * labels (N), the mean over rows of {@code logsumexp(logits_i) − logits_i,label_i}.
 */
public final class CrossEntropyLoss {
    // Cached by forward: softmax of the logits (N, K) and the labels.
    private float[] softmax;
    private int[] labels;
    private int classes;

    /** The mean loss. */
    public float forward(Tensor logits, int[] labels) {
        if (logits.rank() != 2 || logits.dim(0) != labels.length) {
            throw new IllegalArgumentException("cross-entropy expects (N, K) logits and N labels, got "
                    + logits + " and " + labels.length);
        }
        int n = logits.dim(0);
        classes = logits.dim(1);
        this.labels = labels.clone();
        for (int label : labels) {
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " outside 0.." + (classes - 1));
            }
        }
        softmax = logits.data.clone();
        double[] logSumExp = Softmax.inPlace(softmax, n, classes);
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += logSumExp[i] - logits.data[i * classes + labels[i]];
        }
        return (float) (total / n);
    }

    /** dLoss/dlogits (N, K) = (softmax − onehot(label)) / N for the last forward. */
    public Tensor backward() {
        int n = labels.length;
        Tensor d = Tensor.zeros(n, classes);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < classes; j++) {
                d.data[i * classes + j] = (softmax[i * classes + j] - (j == labels[i] ? 1f : 0f)) / n;
            }
        }
        return d;
    }
}
