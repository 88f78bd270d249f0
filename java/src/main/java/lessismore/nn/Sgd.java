package lessismore.nn;

import java.util.List;

/**
 * torch.optim.SGD (dampening 0, no Nesterov): {@code d = g + wd·p}; the momentum buffer is
 * {@code b = d} on the first step and {@code b = μ·b + d} after; then {@code p −= lr·b}.
 */
public final class Sgd implements Optimizer {
    private final List<Parameter> parameters;
    private final float momentum;
    private final float weightDecay;
    // Momentum buffers, one per parameter, created on the first step as torch does.
    private final float[][] buffers;

    /** SGD over {@code parameters} with momentum μ and L2 weight decay. */
    public Sgd(List<Parameter> parameters, float momentum, float weightDecay) {
        this.parameters = List.copyOf(parameters);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.buffers = new float[this.parameters.size()][];
    }

    @Override
    public void step(float lr) {
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            float[] w = p.value.data;
            float[] g = p.grad.data;
            boolean first = buffers[i] == null;
            if (first && momentum != 0f) {
                buffers[i] = new float[w.length];
            }
            float[] b = buffers[i];
            for (int k = 0; k < w.length; k++) {
                float d = g[k] + weightDecay * w[k];
                if (b != null) {
                    b[k] = first ? d : momentum * b[k] + d;
                    d = b[k];
                }
                w[k] -= lr * d;
            }
        }
    }
}
