package lessismore.nn;

import java.util.Arrays;

/**
 * {@code relu(branch(x) + shortcut(x))}, ResNet's residual unit: the shortcut is the identity or a
 * "downsample" (1×1 convolution and batch norm) when the shape changes. The branch's layers are
 * named as torchvision's BasicBlock/Bottleneck attributes (conv1, bn1, …) directly under the
 * block's prefix; the downsample sits under {@code downsample.0} and {@code downsample.1}.
 * Shapes: input (N, C, H, W), output (N, C', H', W') as the branch produces.
 */
public final class ResidualBlock implements Layer {
    private final Sequential branch;
    private final Sequential downsample;
    // relu(branch + shortcut) of the last forward: its positive entries pass the gradient.
    private Tensor output;

    /** A block; {@code downsample} is null for the identity shortcut. */
    public ResidualBlock(Sequential branch, Sequential downsample) {
        this.branch = branch;
        this.downsample = downsample;
    }

    /** The residual branch. */
    public Sequential branch() {
        return branch;
    }

    /** The projection shortcut, or null for the identity shortcut. */
    public Sequential downsample() {
        return downsample;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor main = branch.forward(x);
        Tensor shortcut = downsample != null ? downsample.forward(x) : x;
        if (!Arrays.equals(main.shape(), shortcut.shape())) {
            throw new IllegalStateException("residual shapes differ: " + main + " vs " + shortcut);
        }
        // The addition and the ReLU in one pass over the (N, C, H, W) tensors.
        Tensor y = Tensor.zeros(main.shape());
        Parallel.ranges(y.data.length, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                y.data[i] = Math.max(main.data[i] + shortcut.data[i], 0f);
            }
        });
        output = y;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        // d(sum) flows unchanged into both terms of the addition.
        Tensor dSum = ReLU.backward(output, gradOut);
        Tensor dx = branch.backward(dSum);
        Tensor dShortcut = downsample != null ? downsample.backward(dSum) : dSum;
        Parallel.ranges(dx.data.length, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                dx.data[i] += dShortcut.data[i];
            }
        });
        return dx;
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        branch.visitState(prefix, visitor);
        if (downsample != null) {
            downsample.visitState(prefix + "downsample.", visitor);
        }
    }

    @Override
    public void setTraining(boolean training) {
        branch.setTraining(training);
        if (downsample != null) {
            downsample.setTraining(training);
        }
    }
}
