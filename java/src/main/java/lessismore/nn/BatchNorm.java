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

    // Cached by forward for backward: the input (layers never modify it), and the mean and 1/σ
    // per channel, from which backward recomputes x̂ rather than forward writing a tensor of it.
    private Tensor input;
    private float[] mean;
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
        input = x;
        mean = new float[channels];
        invStd = new float[channels];
        trainedForward = training;
        long count = (long) n * s;
        if (training && count < 2) {
            throw new IllegalArgumentException("BatchNorm in training needs more than one value per channel");
        }
        // Channels are independent: each task owns whole channels of y and of the statistics.
        Parallel.ranges(channels, channelGrain(count), (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                forwardChannel(x.data, y.data, c, n, s);
            }
        });
        if (training) {
            numBatchesTracked[0]++;
        }
        return y;
    }

    /** Channels per parallel task: enough that each task touches at least {@link Parallel#GRAIN} values. */
    private static int channelGrain(long perChannel) {
        return (int) Math.max(1, Parallel.GRAIN / perChannel);
    }

    /** Channel c of y (N, C, S) from x: statistics (and running statistics in training), then γ·x̂ + β. */
    private void forwardChannel(float[] x, float[] y, int c, int n, int s) {
        long count = (long) n * s;
        float m;
        float var;
        if (training) {
            // Two passes in double: the mean, then the squared deviations.
            double sum = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * channels + c) * s;
                for (int k = 0; k < s; k++) {
                    sum += x[base + k];
                }
            }
            double md = sum / count;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * channels + c) * s;
                for (int k = 0; k < s; k++) {
                    double d = x[base + k] - md;
                    sq += d * d;
                }
            }
            m = (float) md;
            var = (float) (sq / count);
            runningMean.data[c] = (1 - MOMENTUM) * runningMean.data[c] + MOMENTUM * m;
            runningVar.data[c] = (1 - MOMENTUM) * runningVar.data[c]
                    + MOMENTUM * (float) (sq / (count - 1));
        } else {
            m = runningMean.data[c];
            var = runningVar.data[c];
        }
        float is = (float) (1.0 / Math.sqrt(var + EPS));
        mean[c] = m;
        invStd[c] = is;
        float g = weight.value.data[c], b = bias.value.data[c];
        for (int i = 0; i < n; i++) {
            int base = (i * channels + c) * s;
            for (int k = 0; k < s; k++) {
                y[base + k] = g * ((x[base + k] - m) * is) + b;
            }
        }
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int n = gradOut.dim(0), s = spatial(gradOut);
        long count = (long) n * s;
        Tensor dx = Tensor.zeros(gradOut.shape());
        Parallel.ranges(channels, channelGrain(count), (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                backwardChannel(gradOut.data, dx.data, c, n, s);
            }
        });
        return dx;
    }

    /** Channel c of dx (N, C, S) from dy, and the channel's γ and β gradients. */
    private void backwardChannel(float[] dy, float[] dx, int c, int n, int s) {
        long count = (long) n * s;
        float[] x = input.data;
        // x̂ = (x − mean)·(1/σ) again, bit for bit as forward computed it.
        float m = mean[c], is = invStd[c];
        double sumDy = 0, sumDyXhat = 0;
        for (int i = 0; i < n; i++) {
            int base = (i * channels + c) * s;
            for (int k = 0; k < s; k++) {
                float d = dy[base + k];
                sumDy += d;
                sumDyXhat += d * ((x[base + k] - m) * is);
            }
        }
        weight.grad.data[c] += (float) sumDyXhat;
        bias.grad.data[c] += (float) sumDy;
        float scale = weight.value.data[c] * is;
        // Training: the batch statistics depend on x too, which subtracts the mean of dy and
        // the projection of dy on x̂: dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy·x̂)).
        float meanDy = trainedForward ? (float) (sumDy / count) : 0f;
        float meanDyXhat = trainedForward ? (float) (sumDyXhat / count) : 0f;
        for (int i = 0; i < n; i++) {
            int base = (i * channels + c) * s;
            for (int k = 0; k < s; k++) {
                dx[base + k] = scale * (dy[base + k] - meanDy - ((x[base + k] - m) * is) * meanDyXhat);
            }
        }
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
