package lessismore.nn;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The weights of the golden SimCLR model, generated here exactly as scripts/golden/make_simclr_golden.py
 * generates them (so 11 M floats need not be stored): element i of parameter "name" is
 * {@code center + bound · u} rounded to float32, with u in [−1, 1) from splitmix64's finaliser of
 * {@code fnv1a64(name) + (i + 1) · 0x9E3779B97F4A7C15}. Convolutions get the standard deviation of
 * torchvision's kaiming_normal_(fan_out), linear layers torch's default bound 1/√fan_in, batch norms
 * a scale in 1 ± 0.2 and a shift in ±0.2 (not 1 and 0, so their gradients are exercised too).
 * Public for the golden tests of other packages (lessismore.nn.onnx's PyTorch round trip).
 */
public final class GoldenWeights {
    private GoldenWeights() {
    }

    /** Fills every parameter of {@code state} (buffers are left as they are). */
    public static void fill(StateDict state) {
        Map<String, Parameter> params = state.parameters();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String name = e.getKey();
            Tensor w = e.getValue().value;
            double center = 0;
            double bound;
            if (e.getValue().kind == Parameter.Kind.NORM) {
                center = name.endsWith("weight") ? 1 : 0;
                bound = 0.2;
            } else if (w.rank() == 4) {
                bound = Math.sqrt(3.0) * Math.sqrt(2.0 / (w.dim(0) * w.dim(2) * w.dim(3)));
            } else {
                String weightName = name.substring(0, name.lastIndexOf('.')) + ".weight";
                bound = 1.0 / Math.sqrt(params.get(weightName).value.dim(1));
            }
            fill(w, name, center, bound);
        }
    }

    /**
     * Fills the batch-norm running statistics of {@code state} the same way, for evaluation-mode
     * goldens: running_mean in ±0.2, running_var in 1 ± 0.5 (scripts/golden/make_torch_roundtrip_golden.py).
     */
    public static void fillRunningStatistics(StateDict state) {
        state.floats().forEach((name, t) -> {
            if (name.endsWith(".running_mean")) {
                fill(t, name, 0, 0.2);
            } else if (name.endsWith(".running_var")) {
                fill(t, name, 1, 0.5);
            }
        });
    }

    private static void fill(Tensor w, String name, double center, double bound) {
        long key = fnv1a64(name);
        for (int i = 0; i < w.data.length; i++) {
            long z = key + (i + 1L) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            double u = (z >>> 11) * 0x1p-53 * 2.0 - 1.0;
            w.data[i] = (float) (center + bound * u);
        }
    }

    private static long fnv1a64(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001B3L;
        }
        return h;
    }
}
