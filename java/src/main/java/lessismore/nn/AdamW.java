package lessismore.nn;

import java.util.List;

/**
 * torch.optim.AdamW (no amsgrad): {@code p −= lr·wd·p}, then with t the step count,
 * {@code m = β1·m + (1−β1)·g}, {@code v = β2·v + (1−β2)·g²} and
 * {@code p −= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)}. {@link #adam} gives torch.optim.Adam instead,
 * whose weight decay is an L2 term added to the gradient ({@code g += wd·p}) before the moments,
 * as the published downstream notebooks use it.
 */
public final class AdamW implements Optimizer {
    private final List<Parameter> parameters;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    /** True for Adam's L2 weight decay (added to the gradient), false for AdamW's decoupled decay. */
    private final boolean l2;
    private final float[][] m;
    private final float[][] v;
    // Step count t, in an array so that visitState can expose it live.
    private final long[] t = new long[1];

    /** AdamW with torch's defaults β = (0.9, 0.999), ε = 1e-8 and the given weight decay (torch: 0.01). */
    public AdamW(List<Parameter> parameters, float weightDecay) {
        this(parameters, 0.9f, 0.999f, 1e-8f, weightDecay);
    }

    /** AdamW with explicit coefficients. */
    public AdamW(List<Parameter> parameters, float beta1, float beta2, float eps, float weightDecay) {
        this(parameters, beta1, beta2, eps, weightDecay, false);
    }

    /** torch.optim.Adam with torch's defaults β = (0.9, 0.999), ε = 1e-8 and L2 weight decay. */
    public static AdamW adam(List<Parameter> parameters, float weightDecay) {
        return new AdamW(parameters, 0.9f, 0.999f, 1e-8f, weightDecay, true);
    }

    private AdamW(List<Parameter> parameters, float beta1, float beta2, float eps, float weightDecay, boolean l2) {
        this.l2 = l2;
        this.parameters = List.copyOf(parameters);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = new float[this.parameters.size()][];
        this.v = new float[this.parameters.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = new float[this.parameters.get(i).value.numel()];
            v[i] = new float[this.parameters.get(i).value.numel()];
        }
    }

    @Override
    public void step(float lr) {
        long step = ++t[0];
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = (float) (lr / biasCorrection1);
        for (int i = 0; i < parameters.size(); i++) {
            float[] w = parameters.get(i).value.data;
            float[] g = parameters.get(i).grad.data;
            float[] mi = m[i];
            float[] vi = v[i];
            for (int k = 0; k < w.length; k++) {
                float gk = g[k];
                if (l2) {
                    gk += weightDecay * w[k];
                } else {
                    w[k] *= 1 - lr * weightDecay;
                }
                mi[k] = beta1 * mi[k] + (1 - beta1) * gk;
                vi[k] = beta2 * vi[k] + (1 - beta2) * gk * gk;
                float denom = (float) (Math.sqrt(vi[k]) / biasCorrection2Sqrt) + eps;
                w[k] -= stepSize * mi[k] / denom;
            }
        }
    }

    @Override
    public void visitState(StateVisitor visitor) {
        visitor.counter("step", t);
        for (int i = 0; i < m.length; i++) {
            int[] shape = parameters.get(i).value.shape();
            visitor.buffer(i + ".exp_avg", new Tensor(m[i], shape));
            visitor.buffer(i + ".exp_avg_sq", new Tensor(v[i], shape));
        }
    }
}
