package lessismore.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One SimCLR step of our ResNet-18 + projection head against PyTorch (values from
 * scripts/golden/make_simclr_golden.py): loss, every parameter's gradient, BN running statistics,
 * and the weights after one SGD and one LARS step from the same start. Both sides generate the
 * start weights ({@link GoldenWeights}) instead of storing 11 M floats. Gradients and weights are
 * compared at the same up-to-512 spread elements the script stored, as ‖ours − torch‖ / ‖torch‖;
 * gradients also by their full norms. Runs the forward and backward once (about 5 s with the
 * reference GEMM).
 */
class SimclrGoldenTest {
    private static final int SAMPLE = 512;
    private static final long STRIDE = 1000003;
    private static final float LR = 0.1f;

    private static Safetensors.Contents golden;
    private static StateDict state;
    private static float loss;
    private static Map<String, float[]> start;

    @BeforeAll
    static void trainStep() throws IOException, URISyntaxException {
        golden = Safetensors.read(Path.of(SimclrGoldenTest.class.getResource("/golden/simclr/golden.safetensors").toURI()));
        Sequential model = new Sequential()
                .add("backbone", ResNet.resnet18(1, 0, 0))
                .add("head", SimclrHead.create(512, 512, 128, true, new SplittableRandom(0)));
        state = StateDict.of(model);
        GoldenWeights.fill(state);
        start = new HashMap<>();
        state.parameters().forEach((name, p) -> start.put(name, p.value.data.clone()));
        model.setTraining(true);
        NtXentLoss ntXent = new NtXentLoss(0.5f);
        loss = ntXent.forward(model.forward(golden.floats().get("input")));
        model.backward(ntXent.backward());
    }

    @Test
    void keysAreTorchs() {
        TreeSet<String> torchParams = new TreeSet<>();
        TreeSet<String> torchBuffers = new TreeSet<>();
        golden.floats().keySet().stream().filter(k -> k.startsWith("grad/")).forEach(k -> torchParams.add(k.substring(5)));
        golden.floats().keySet().stream().filter(k -> k.startsWith("state/")).forEach(k -> torchBuffers.add(k.substring(6)));
        golden.longs().keySet().forEach(k -> torchBuffers.add(k.substring(6)));
        assertEquals(torchParams, new TreeSet<>(state.parameters().keySet()));
        TreeSet<String> ours = new TreeSet<>(state.floats().keySet());
        ours.removeAll(state.parameters().keySet());
        ours.addAll(state.counters().keySet());
        assertEquals(torchBuffers, ours);
    }

    @Test
    void lossMatches() {
        float expected = golden.floats().get("loss").data[0];
        System.out.printf("golden: loss relative error %.2e%n", Math.abs(loss - expected) / expected);
        assertEquals(expected, loss, 1e-5 * Math.abs(expected));
    }

    @Test
    void gradientsMatch() {
        double worst = 0;
        for (Map.Entry<String, Parameter> e : state.parameters().entrySet()) {
            String name = e.getKey();
            double norm = norm(e.getValue().grad.data);
            double torchNorm = golden.floats().get("grad_norm/" + name).data[0];
            if (vanishing(name)) {
                // Both sides hold rounding noise, so only its size counts.
                assertTrue(norm < 1e-6 * layerGradientNorm(name), name + " gradient should vanish, norm " + norm);
                continue;
            }
            double err = sampleError(e.getValue().grad.data, "grad/" + name);
            err = Math.max(err, Math.abs(norm - torchNorm) / torchNorm);
            worst = Math.max(worst, err);
            assertTrue(err <= 1e-4, name + " gradient relative error " + err);
        }
        System.out.printf("golden: max gradient relative error %.2e%n", worst);
    }

    @Test
    void runningStatisticsMatch() {
        double worst = 0;
        for (Map.Entry<String, Tensor> e : golden.floats().entrySet()) {
            if (e.getKey().startsWith("state/")) {
                float[] ours = state.floats().get(e.getKey().substring(6)).data;
                double err = relativeError(ours, e.getValue().data);
                worst = Math.max(worst, err);
                assertTrue(err <= 1e-4, e.getKey() + " relative error " + err);
            }
        }
        golden.longs().forEach((k, v) -> assertEquals(v.data()[0], state.counters().get(k.substring(6))[0], k));
        System.out.printf("golden: max running-statistics relative error %.2e%n", worst);
    }

    @Test
    void sgdAndLarsStepsMatch() {
        checkStep("sgd/", new Sgd(state.parameterList(), 0.9f, 1e-4f));
        checkStep("lars/", new Lars(state.parameterList(), 0.9f, 1e-4f, Lars.DEFAULT_TRUST));
    }

    /**
     * One step of {@code optimizer} from the start weights, compared with torch's weights after it:
     * the weights within 1e-4, and the update (after − before) within 5e-4. The update is the
     * stricter check (a step that did nothing would still pass the first) but is limited by float32:
     * torch's weights after the step are rounded to 2⁻²⁴ of their size, and a LARS update is only
     * about 1e-4 of the weight, so that rounding alone leaves ~1e-4 relative noise in the update.
     * Parameters whose gradient vanishes are left out of the update check (their update is noise).
     */
    private static void checkStep(String prefix, Optimizer optimizer) {
        state.parameters().forEach((name, p) -> System.arraycopy(start.get(name), 0, p.value.data, 0, p.value.numel()));
        optimizer.step(LR);
        double worstWeight = 0;
        double worstUpdate = 0;
        for (Map.Entry<String, Parameter> e : state.parameters().entrySet()) {
            String name = e.getKey();
            float[] after = e.getValue().value.data;
            double err = sampleError(after, prefix + name);
            worstWeight = Math.max(worstWeight, err);
            assertTrue(err <= 1e-4, prefix + name + " relative error " + err);
            if (!vanishing(name)) {
                float[] before = start.get(name);
                float[] ourUpdate = new float[after.length];
                for (int i = 0; i < after.length; i++) {
                    ourUpdate[i] = after[i] - before[i];
                }
                float[] torchUpdate = golden.floats().get(prefix + name).data.clone();
                for (int i = 0; i < torchUpdate.length; i++) {
                    torchUpdate[i] -= before[sampleIndex(i, before.length)];
                }
                double updateErr = relativeError(sample(ourUpdate), torchUpdate);
                worstUpdate = Math.max(worstUpdate, updateErr);
                assertTrue(updateErr <= 5e-4, prefix + name + " update relative error " + updateErr);
            }
        }
        System.out.printf("golden: max %s weight relative error %.2e, update %.2e%n", prefix, worstWeight, worstUpdate);
    }

    /**
     * Whether torch's gradient of {@code name} is zero up to rounding: true of a bias right before
     * batch norm (head.0.bias), whose effect the mean subtraction cancels exactly.
     */
    private static boolean vanishing(String name) {
        return golden.floats().get("grad_norm/" + name).data[0] < 1e-6 * layerGradientNorm(name);
    }

    /** The norm of our gradient of the weight of the layer that {@code name} belongs to. */
    private static double layerGradientNorm(String name) {
        return norm(state.parameters().get(name.substring(0, name.lastIndexOf('.')) + ".weight").grad.data);
    }

    private static int sampleIndex(int i, int numel) {
        return (int) (i * STRIDE % numel);
    }

    /** The elements of {@code x} the script sampled, in its order. */
    private static float[] sample(float[] x) {
        float[] picked = new float[Math.min(x.length, SAMPLE)];
        for (int i = 0; i < picked.length; i++) {
            picked[i] = x[sampleIndex(i, x.length)];
        }
        return picked;
    }

    /** ‖ours − torch‖ / ‖torch‖ over the elements the script sampled. */
    private static double sampleError(float[] ours, String key) {
        float[] expected = golden.floats().get(key).data;
        assertEquals(Math.min(ours.length, SAMPLE), expected.length, key);
        return relativeError(sample(ours), expected);
    }

    private static double relativeError(float[] ours, float[] expected) {
        double diff = 0;
        for (int i = 0; i < ours.length; i++) {
            double d = ours[i] - expected[i];
            diff += d * d;
        }
        return Math.sqrt(diff) / norm(expected);
    }

    private static double norm(float[] x) {
        double sum = 0;
        for (float v : x) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }
}
