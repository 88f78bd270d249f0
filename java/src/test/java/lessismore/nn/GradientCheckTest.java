package lessismore.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * Every backward pass against central finite differences.
 *
 * <p>The layers compute in float32 only (one implementation, the one that trains), so the check
 * works around float32 rather than running a double copy: the scalar objective
 * f = Σ R ⊙ layer(x) for a fixed random R is summed in double, on inputs of size ~1. The forward's
 * rounding (2⁻²⁴ relative per output, summed over ~100–1000 outputs) perturbs f by ~1e-6, which
 * the difference quotient divides by 2h; the truncation error is h²·f'''/6. Single layers use
 * h = 1e-2 with inputs kept more than h from the kinks of ReLU (|x| ≥ 0.1) and the ties of max
 * pooling (values 0.05 apart): measured errors ≤ 4e-5. Residual blocks have inner ReLUs whose
 * inputs we cannot place, and h = 1e-2 can step across one, so they use h = 1e-3, where rounding
 * dominates: measured errors ≤ 1.2e-3. Hence ‖numeric − analytic‖ / ‖analytic‖ ≤ 3e-3 over up to
 * 16 sampled coordinates of the input and of each parameter; a wrong or missing term in a backward
 * pass gives errors of order 1.
 */
class GradientCheckTest {
    /** The step for single layers, whose inputs are kept away from kinks. */
    private static final float H = 1e-2f;
    /** The step for residual blocks, whose inner ReLUs see values we do not control. */
    private static final float H_BLOCK = 1e-3f;
    private static final double TOLERANCE = 3e-3;
    private static final int COORDINATES = 16;

    private final SplittableRandom rng = new SplittableRandom(42);

    @Test
    void conv2dStridedPaddedWithBias() {
        Conv2d conv = new Conv2d(3, 4, 3, 2, 1, true);
        randomize(conv);
        checkLayer(conv, gaussian(2, 3, 7, 7));
    }

    @Test
    void conv2dPointwiseAndStridedPointwise() {
        Conv2d pointwise = new Conv2d(3, 5, 1, 1, 0, false);
        randomize(pointwise);
        checkLayer(pointwise, gaussian(2, 3, 4, 4));
        Conv2d downsample = new Conv2d(3, 5, 1, 2, 0, false);
        randomize(downsample);
        checkLayer(downsample, gaussian(2, 3, 5, 5));
    }

    @Test
    void conv2dStem() {
        Conv2d stem = new Conv2d(1, 2, 7, 2, 3, false);
        randomize(stem);
        checkLayer(stem, gaussian(2, 1, 9, 9));
    }

    @Test
    void batchNorm2dTrainAndEval() {
        BatchNorm bn = new BatchNorm(3);
        randomize(bn);
        checkLayer(bn, gaussian(4, 3, 3, 3));
        bn.setTraining(false);
        checkLayer(bn, gaussian(4, 3, 3, 3));
    }

    @Test
    void batchNorm1dTrain() {
        BatchNorm bn = new BatchNorm(5);
        randomize(bn);
        checkLayer(bn, gaussian(6, 5));
    }

    @Test
    void relu() {
        checkLayer(new ReLU(), awayFromZero(gaussian(2, 3, 4, 4)));
    }

    @Test
    void maxPool() {
        checkLayer(new MaxPool2d(3, 2, 1), distinct(2, 2, 7, 7));
    }

    @Test
    void globalAvgPoolAndFlatten() {
        checkLayer(new GlobalAvgPool(), gaussian(2, 3, 3, 4));
        checkLayer(new Flatten(), gaussian(2, 3, 2, 2));
    }

    @Test
    void linear() {
        Linear linear = new Linear(6, 4, true);
        Init.linearDefault(linear, rng);
        checkLayer(linear, gaussian(3, 6));
    }

    @Test
    void basicBlockWithDownsample() {
        Sequential downsample = new Sequential().add(ResNet.conv(3, 4, 1, 2, 0, rng)).add(new BatchNorm(4));
        ResidualBlock block = new ResidualBlock(ResNet.basicBranch(3, 4, 2, rng), downsample);
        randomize(block);
        checkLayer(block, gaussian(2, 3, 6, 6), H_BLOCK);
    }

    @Test
    void bottleneckWithIdentityShortcut() {
        ResidualBlock block = new ResidualBlock(ResNet.bottleneckBranch(8, 2, 1, rng), null);
        randomize(block);
        checkLayer(block, gaussian(2, 8, 3, 3), H_BLOCK);
    }

    @Test
    void ntXentLoss() {
        NtXentLoss loss = new NtXentLoss(0.5f);
        Tensor z = gaussian(6, 5);
        loss.forward(z);
        Tensor analytic = loss.backward();
        compare("NT-Xent dz", z, analytic, () -> loss.forward(z), H);
    }

    @Test
    void crossEntropyLoss() {
        CrossEntropyLoss loss = new CrossEntropyLoss();
        Tensor logits = gaussian(4, 5);
        int[] labels = {0, 3, 4, 3};
        loss.forward(logits, labels);
        Tensor analytic = loss.backward();
        compare("cross-entropy dlogits", logits, analytic, () -> loss.forward(logits, labels), H);
    }

    /** Checks dx and every parameter gradient of {@code layer} at {@code x} with step {@link #H}. */
    private void checkLayer(Layer layer, Tensor x) {
        checkLayer(layer, x, H);
    }

    /** Checks dx and every parameter gradient of {@code layer} at {@code x} with step {@code h}. */
    private void checkLayer(Layer layer, Tensor x, float h) {
        Tensor r = gaussian(layer.forward(x).shape());
        StateDict state = StateDict.of(layer);
        state.zeroGrad();
        layer.forward(x);
        Tensor dx = layer.backward(r);
        DoubleSupplier objective = () -> dot(layer.forward(x), r);
        compare("input", x, dx, objective, h);
        for (Map.Entry<String, Parameter> e : state.parameters().entrySet()) {
            compare(e.getKey(), e.getValue().value, e.getValue().grad, objective, h);
        }
    }

    /** Central differences (step h) of {@code objective} in sampled coordinates of {@code t} against {@code analytic}. */
    private void compare(String what, Tensor t, Tensor analytic, DoubleSupplier objective, float h) {
        List<Integer> coords = new ArrayList<>();
        for (int i = 0; i < Math.min(COORDINATES, t.numel()); i++) {
            coords.add(t.numel() <= COORDINATES ? i : rng.nextInt(t.numel()));
        }
        double diff = 0, norm = 0;
        for (int k : coords) {
            float saved = t.data[k];
            t.data[k] = saved + h;
            double plus = objective.getAsDouble();
            t.data[k] = saved - h;
            double minus = objective.getAsDouble();
            t.data[k] = saved;
            // The step actually taken, after float32 rounding of saved ± h.
            double numeric = (plus - minus) / ((double) (saved + h) - (double) (saved - h));
            diff += (numeric - analytic.data[k]) * (numeric - analytic.data[k]);
            norm += (double) analytic.data[k] * analytic.data[k];
        }
        double err = Math.sqrt(diff / norm);
        assertTrue(err <= TOLERANCE, what + ": relative error " + err);
    }

    private static double dot(Tensor a, Tensor b) {
        double sum = 0;
        for (int i = 0; i < a.numel(); i++) {
            sum += (double) a.data[i] * b.data[i];
        }
        return sum;
    }

    private Tensor gaussian(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.data[i] = (float) rng.nextGaussian();
        }
        return t;
    }

    /** Moves every value at least 0.1 away from 0, keeping its sign. */
    private static Tensor awayFromZero(Tensor t) {
        for (int i = 0; i < t.numel(); i++) {
            t.data[i] += Math.copySign(0.1f, t.data[i]);
        }
        return t;
    }

    /** The values 0.05·k for k = 0 … n−1 in random order, so no two are within 2h. */
    private Tensor distinct(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            int j = rng.nextInt(i + 1);
            t.data[i] = t.data[j];
            t.data[j] = 0.05f * i;
        }
        return t;
    }

    /** Random convolution weights and non-trivial batch-norm scales and shifts. */
    private void randomize(Layer layer) {
        for (Parameter p : StateDict.of(layer).parameterList()) {
            if (p.kind == Parameter.Kind.WEIGHT && p.value.rank() == 4) {
                Init.kaimingNormalFanOut(p, rng);
            } else {
                for (int i = 0; i < p.value.numel(); i++) {
                    p.value.data[i] = (p.kind == Parameter.Kind.NORM && i % 2 == 0 ? 1f : 0f)
                            + 0.3f * (float) rng.nextGaussian();
                }
            }
        }
    }
}
