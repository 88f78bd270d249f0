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
    // Momentum buffers, one per parameter (none without momentum); the first step sets them to d.
    private final float[][] buffers;
    // Steps taken so far, in an array so that visitState can expose it live.
    private final long[] steps = new long[1];

    /** SGD over {@code parameters} with momentum μ and L2 weight decay. */
    public Sgd(List<Parameter> parameters, float momentum, float weightDecay) {
        this.parameters = List.copyOf(parameters);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.buffers = new float[this.parameters.size()][];
        if (momentum != 0f) {
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = new float[this.parameters.get(i).value.numel()];
            }
        }
    }

    @Override
    public void step(float lr) {
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            float[] w = p.value.data;
            float[] g = p.grad.data;
            boolean first = steps[0] == 0;
            float[] b = buffers[i];
            // Element-wise, so the large weights are split across threads.
            Parallel.ranges(w.length, (lo, hi) -> {
                for (int k = lo; k < hi; k++) {
                    float d = g[k] + weightDecay * w[k];
                    if (b != null) {
                        b[k] = first ? d : momentum * b[k] + d;
                        d = b[k];
                    }
                    w[k] -= lr * d;
                }
            });
        }
        steps[0]++;
    }

    @Override
    public void visitState(StateVisitor visitor) {
        visitor.counter("step", steps);
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] != null) {
                visitor.buffer(i + ".momentum_buffer", new Tensor(buffers[i], parameters.get(i).value.shape()));
            }
        }
    }
}
