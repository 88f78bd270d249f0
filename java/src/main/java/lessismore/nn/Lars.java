package lessismore.nn;

import java.util.List;

/**
 * LARS as in SimCLR's TensorFlow code (classic momentum, no Nesterov). For each parameter, with
 * weight decay wd and trust coefficient η:
 * <pre>
 *   d = g + wd·w                          (weights only)
 *   r = η·‖w‖/‖d‖  if ‖w‖ &gt; 0 and ‖d‖ &gt; 0, else 1   (weights only; 1 for the others)
 *   v = μ·v + lr·r·d                      (v starts at 0)
 *   w −= v
 * </pre>
 * Batch-norm parameters and biases get neither weight decay nor adaptation (r = 1), SimCLR's
 * {@code exclude_from_weight_decay} and {@code exclude_from_layer_adaptation}. Note that the
 * learning rate goes into the momentum, unlike torch's SGD.
 */
public final class Lars implements Optimizer {
    /** SimCLR's trust coefficient η. */
    public static final float DEFAULT_TRUST = 0.001f;

    private final List<Parameter> parameters;
    private final float momentum;
    private final float weightDecay;
    private final float trust;
    private final float[][] velocities;

    /** LARS over {@code parameters} with momentum μ, weight decay and trust coefficient η. */
    public Lars(List<Parameter> parameters, float momentum, float weightDecay, float trust) {
        this.parameters = List.copyOf(parameters);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.trust = trust;
        this.velocities = new float[this.parameters.size()][];
        for (int i = 0; i < velocities.length; i++) {
            velocities[i] = new float[this.parameters.get(i).value.numel()];
        }
    }

    @Override
    public void step(float lr) {
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            float[] w = p.value.data;
            float[] g = p.grad.data;
            float[] v = velocities[i];
            boolean adapt = p.kind == Parameter.Kind.WEIGHT;
            float decay = adapt ? weightDecay : 0f;
            float scaledLr = lr;
            if (adapt) {
                double wSq = 0, dSq = 0;
                for (int k = 0; k < w.length; k++) {
                    double d = g[k] + decay * w[k];
                    wSq += (double) w[k] * w[k];
                    dSq += d * d;
                }
                if (wSq > 0 && dSq > 0) {
                    scaledLr = (float) (lr * trust * Math.sqrt(wSq) / Math.sqrt(dSq));
                }
            }
            for (int k = 0; k < w.length; k++) {
                float d = g[k] + decay * w[k];
                v[k] = momentum * v[k] + scaledLr * d;
                w[k] -= v[k];
            }
        }
    }

    @Override
    public void visitState(StateVisitor visitor) {
        for (int i = 0; i < velocities.length; i++) {
            visitor.buffer(i + ".momentum_buffer", new Tensor(velocities[i], parameters.get(i).value.shape()));
        }
    }
}
