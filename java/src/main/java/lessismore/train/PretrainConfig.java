package lessismore.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Everything that determines a SimCLR pre-training run's result besides the data: the model, the
 * optimisation and the seed. It is stored in every checkpoint (as safetensors metadata strings),
 * so a resumed run continues with exactly the same settings.
 *
 * @param arch          backbone: resnet18 or resnet50 (1 input channel)
 * @param head          projection head: bn (Linear–BatchNorm–ReLU–Linear, SimCLR v1) or plain (no BatchNorm)
 * @param projectionDim output width of the head (SimCLR: 128); its hidden width is the backbone's
 * @param size          side of the training views in pixels
 * @param batch         images per step (2 × batch views)
 * @param epochs        epochs asked for, or 0 when the run was given a step budget
 * @param totalSteps    steps of the whole run, which the learning-rate schedule spans
 * @param optimizer     sgd, lars or adamw
 * @param lr            peak learning rate, reached after warm-up
 * @param warmup        linear warm-up steps before the cosine decay
 * @param weightDecay   weight decay (L2 for sgd and lars, decoupled for adamw)
 * @param momentum      momentum of sgd and lars
 * @param temperature   NT-Xent temperature τ
 * @param seed          seeds the weights, the epoch order and every view
 */
public record PretrainConfig(String arch, String head, int projectionDim, int size, int batch, int epochs,
                             long totalSteps, String optimizer, double lr, int warmup, double weightDecay,
                             double momentum, double temperature, long seed) {
    /** Checks names and ranges; messages are meant for the command line. */
    public PretrainConfig {
        if (!arch.equals("resnet18") && !arch.equals("resnet50")) {
            throw new IllegalArgumentException("--arch must be resnet18 or resnet50, got " + arch);
        }
        if (!head.equals("bn") && !head.equals("plain")) {
            throw new IllegalArgumentException("--head must be bn or plain, got " + head);
        }
        if (!optimizer.equals("sgd") && !optimizer.equals("lars") && !optimizer.equals("adamw")) {
            throw new IllegalArgumentException("--optimizer must be sgd, lars or adamw, got " + optimizer);
        }
        if (size < 8 || size > 1024) {
            throw new IllegalArgumentException("--size must be 8..1024, got " + size);
        }
        if (batch < 2) {
            throw new IllegalArgumentException("--batch must be at least 2, got " + batch);
        }
        if (totalSteps < 1 || totalSteps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the run must have 1.." + Integer.MAX_VALUE + " steps, got " + totalSteps);
        }
        if (warmup < 0 || warmup > totalSteps) {
            throw new IllegalArgumentException("--warmup must be 0.." + totalSteps + " steps, got " + warmup);
        }
        if (!(lr > 0) || !(temperature > 0) || !(weightDecay >= 0) || !(momentum >= 0 && momentum < 1)
                || projectionDim < 1) {
            throw new IllegalArgumentException("--lr and --temperature must be positive, --weight-decay "
                    + "non-negative, momentum in [0, 1)");
        }
    }

    /** SimCLR's learning-rate rule for sgd and lars (0.3 × batch / 256), 1e-3 for adamw. */
    public static double defaultLr(String optimizer, int batch) {
        return optimizer.equals("adamw") ? 1e-3 : 0.3 * batch / 256;
    }

    /** SimCLR's 1e-6 for sgd and lars, 0.05 for adamw. */
    public static double defaultWeightDecay(String optimizer) {
        return optimizer.equals("adamw") ? 0.05 : 1e-6;
    }

    /** Every field as a string, exact for numbers (shortest round-trip form). */
    public Map<String, String> toStrings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("arch", arch);
        m.put("head", head);
        m.put("projection_dim", Integer.toString(projectionDim));
        m.put("size", Integer.toString(size));
        m.put("batch", Integer.toString(batch));
        m.put("epochs", Integer.toString(epochs));
        m.put("total_steps", Long.toString(totalSteps));
        m.put("optimizer", optimizer);
        m.put("lr", Double.toString(lr));
        m.put("warmup", Integer.toString(warmup));
        m.put("weight_decay", Double.toString(weightDecay));
        m.put("momentum", Double.toString(momentum));
        m.put("temperature", Double.toString(temperature));
        m.put("seed", Long.toString(seed));
        return m;
    }

    /** The configuration {@link #toStrings()} wrote. */
    public static PretrainConfig fromStrings(Map<String, String> m) {
        try {
            return new PretrainConfig(get(m, "arch"), get(m, "head"), Integer.parseInt(get(m, "projection_dim")),
                    Integer.parseInt(get(m, "size")), Integer.parseInt(get(m, "batch")),
                    Integer.parseInt(get(m, "epochs")), Long.parseLong(get(m, "total_steps")), get(m, "optimizer"),
                    Double.parseDouble(get(m, "lr")), Integer.parseInt(get(m, "warmup")),
                    Double.parseDouble(get(m, "weight_decay")), Double.parseDouble(get(m, "momentum")),
                    Double.parseDouble(get(m, "temperature")), Long.parseLong(get(m, "seed")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number in checkpoint configuration: " + e.getMessage());
        }
    }

    private static String get(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("checkpoint configuration lacks " + key);
        }
        return v;
    }

    /** The fields for JSON: numbers as numbers. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        toStrings().forEach((k, v) -> m.put(k, switch (k) {
            case "arch", "head", "optimizer" -> v;
            case "lr", "weight_decay", "momentum", "temperature" -> Double.parseDouble(v);
            default -> Long.parseLong(v);
        }));
        return m;
    }

    /** A one-line summary for logs. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s/%s %dpx batch %d, %d steps, %s lr %s wd %s warm-up %d, tau %s, seed %d",
                arch, head, size, batch, totalSteps, optimizer, lr, weightDecay, warmup, temperature, seed);
    }
}
