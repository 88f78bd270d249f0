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
    private final ReLU relu = new ReLU();

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
        Tensor sum = Tensor.zeros(main.shape());
        for (int i = 0; i < sum.data.length; i++) {
            sum.data[i] = main.data[i] + shortcut.data[i];
        }
        return relu.forward(sum);
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        // d(sum) flows unchanged into both terms of the addition.
        Tensor dSum = relu.backward(gradOut);
        Tensor dx = branch.backward(dSum);
        Tensor dShortcut = downsample != null ? downsample.backward(dSum) : dSum;
        for (int i = 0; i < dx.data.length; i++) {
            dx.data[i] += dShortcut.data[i];
        }
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
