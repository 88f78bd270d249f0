package lessismore.nn;

import java.util.Arrays;

/**
 * Batch normalisation over the channel dimension, as torch.nn.BatchNorm2d for (N, C, H, W) input
 * and torch.nn.BatchNorm1d for (N, C) input (eps 1e-5, momentum 0.1, affine, running stats).
 *
 * <p>Training normalises with the batch mean and biased variance over N·H·W values per channel and
 * updates {@code running = (1 − momentum)·running + momentum·batch}, with the unbiased variance for
 * running_var. Evaluation normalises with the running statistics.
 */
public final class BatchNorm implements Layer {
    private static final float EPS = 1e-5f;
    private static final float MOMENTUM = 0.1f;

    private final int channels;
    /** Scale γ, (C). */
    public final Parameter weight;
    /** Shift β, (C). */
    public final Parameter bias;
    /** Running mean, (C). */
    public final Tensor runningMean;
    /** Running (unbiased) variance, (C). */
    public final Tensor runningVar;
    /** Number of training batches seen, in element 0 (torch's num_batches_tracked). */
    public final long[] numBatchesTracked = new long[1];
    private boolean training = true;

    // Cached by forward for backward: normalised input x̂ (same shape as x), 1/σ per channel.
    private Tensor xhat;
    private float[] invStd;
    private boolean trainedForward;

    /** A batch norm over {@code channels} channels: γ = 1, β = 0, running mean 0, variance 1. */
    public BatchNorm(int channels) {
        this.channels = channels;
        this.weight = new Parameter(Parameter.Kind.NORM, channels);
        this.bias = new Parameter(Parameter.Kind.NORM, channels);
        this.runningMean = Tensor.zeros(channels);
        this.runningVar = Tensor.zeros(channels);
        Arrays.fill(weight.value.data, 1f);
        Arrays.fill(runningVar.data, 1f);
    }

    /** The ε added to the variance before the square root. */
    public float eps() {
        return EPS;
    }

    /** Values per channel per sample: H·W for images, 1 for vectors. */
    private int spatial(Tensor x) {
        if ((x.rank() != 2 && x.rank() != 4) || x.dim(1) != channels) {
            throw new IllegalArgumentException("BatchNorm expects (N, " + channels + "[, H, W]), got " + x);
        }
        return x.rank() == 4 ? x.dim(2) * x.dim(3) : 1;
    }

    @Override
    public Tensor forward(Tensor x) {
        int n = x.dim(0), s = spatial(x);
        Tensor y = Tensor.zeros(x.shape());
        xhat = Tensor.zeros(x.shape());
        invStd = new float[channels];
        trainedForward = training;
        long count = (long) n * s;
        if (training && count < 2) {
            throw new IllegalArgumentException("BatchNorm in training needs more than one value per channel");
        }
        for (int c = 0; c < channels; c++) {
            float mean;
            float var;
            if (training) {
                // Two passes in double: the mean, then the squared deviations.
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * channels + c) * s;
                    for (int k = 0; k < s; k++) {
                        sum += x.data[base + k];
                    }
                }
                double m = sum / count;
                double sq = 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * channels + c) * s;
                    for (int k = 0; k < s; k++) {
                        double d = x.data[base + k] - m;
                        sq += d * d;
                    }
                }
                mean = (float) m;
                var = (float) (sq / count);
                runningMean.data[c] = (1 - MOMENTUM) * runningMean.data[c] + MOMENTUM * mean;
                runningVar.data[c] = (1 - MOMENTUM) * runningVar.data[c]
                        + MOMENTUM * (float) (sq / (count - 1));
            } else {
                mean = runningMean.data[c];
                var = runningVar.data[c];
            }
            float is = (float) (1.0 / Math.sqrt(var + EPS));
            invStd[c] = is;
            float g = weight.value.data[c], b = bias.value.data[c];
            for (int i = 0; i < n; i++) {
                int base = (i * channels + c) * s;
                for (int k = 0; k < s; k++) {
                    float h = (x.data[base + k] - mean) * is;
                    xhat.data[base + k] = h;
                    y.data[base + k] = g * h + b;
                }
            }
        }
        if (training) {
            numBatchesTracked[0]++;
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int n = gradOut.dim(0), s = spatial(gradOut);
        long count = (long) n * s;
        Tensor dx = Tensor.zeros(gradOut.shape());
        for (int c = 0; c < channels; c++) {
            double sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * channels + c) * s;
                for (int k = 0; k < s; k++) {
                    float dy = gradOut.data[base + k];
                    sumDy += dy;
                    sumDyXhat += dy * xhat.data[base + k];
                }
            }
            weight.grad.data[c] += (float) sumDyXhat;
            bias.grad.data[c] += (float) sumDy;
            float scale = weight.value.data[c] * invStd[c];
            // Training: the batch statistics depend on x too, which subtracts the mean of dy and
            // the projection of dy on x̂: dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy·x̂)).
            float meanDy = trainedForward ? (float) (sumDy / count) : 0f;
            float meanDyXhat = trainedForward ? (float) (sumDyXhat / count) : 0f;
            for (int i = 0; i < n; i++) {
                int base = (i * channels + c) * s;
                for (int k = 0; k < s; k++) {
                    dx.data[base + k] = scale * (gradOut.data[base + k] - meanDy - xhat.data[base + k] * meanDyXhat);
                }
            }
        }
        return dx;
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        visitor.parameter(prefix + "weight", weight);
        visitor.parameter(prefix + "bias", bias);
        visitor.buffer(prefix + "running_mean", runningMean);
        visitor.buffer(prefix + "running_var", runningVar);
        visitor.counter(prefix + "num_batches_tracked", numBatchesTracked);
    }

    @Override
    public void setTraining(boolean training) {
        this.training = training;
    }
}
