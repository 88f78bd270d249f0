package lessismore.nn;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * torchvision's ResNet-18 (BasicBlock) and ResNet-50 (Bottleneck, stride on the 3×3 convolution as
 * in torchvision's "v1.5"), with the same layer names, so state dicts are interchangeable
 * ({@code conv1.weight}, {@code bn1.running_mean}, {@code layer2.0.downsample.0.weight}, …).
 *
 * <p>Input (N, inChannels, H, W): 1 channel for CT, 3 for RGB. Output (N, featureDim) after the
 * global average pool (512 for ResNet-18, 2048 for ResNet-50), or (N, numClasses) when built with
 * a classifier {@code fc}.
 */
public final class ResNet implements Layer {
    private final Sequential net;
    private final int featureDim;

    private ResNet(Sequential net, int featureDim) {
        this.net = net;
        this.featureDim = featureDim;
    }

    /** ResNet-18; {@code numClasses} 0 leaves out {@code fc}. Weights as torchvision, from {@code seed}. */
    public static ResNet resnet18(int inChannels, int numClasses, long seed) {
        return build(false, new int[] {2, 2, 2, 2}, inChannels, numClasses, new SplittableRandom(seed));
    }

    /** ResNet-50; {@code numClasses} 0 leaves out {@code fc}. Weights as torchvision, from {@code seed}. */
    public static ResNet resnet50(int inChannels, int numClasses, long seed) {
        return build(true, new int[] {3, 4, 6, 3}, inChannels, numClasses, new SplittableRandom(seed));
    }

    /** Width of the pooled features: 512 (ResNet-18) or 2048 (ResNet-50). */
    public int featureDim() {
        return featureDim;
    }

    /** The layers in torchvision's order, named as its attributes (conv1, bn1, …, layer4, avgpool, flatten[, fc]). */
    public Sequential body() {
        return net;
    }

    private static ResNet build(boolean bottleneck, int[] blocks, int inChannels, int numClasses,
                                RandomGenerator rng) {
        int expansion = bottleneck ? 4 : 1;
        Sequential net = new Sequential()
                .add("conv1", conv(inChannels, 64, 7, 2, 3, rng))
                .add("bn1", new BatchNorm(64))
                .add("relu", new ReLU())
                .add("maxpool", new MaxPool2d(3, 2, 1));
        int channels = 64;
        for (int stage = 0; stage < 4; stage++) {
            int width = 64 << stage;
            Sequential layer = new Sequential();
            for (int b = 0; b < blocks[stage]; b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                int out = width * expansion;
                Sequential downsample = null;
                if (stride != 1 || channels != out) {
                    downsample = new Sequential()
                            .add(conv(channels, out, 1, stride, 0, rng))
                            .add(new BatchNorm(out));
                }
                Sequential branch = bottleneck
                        ? bottleneckBranch(channels, width, stride, rng)
                        : basicBranch(channels, width, stride, rng);
                layer.add(new ResidualBlock(branch, downsample));
                channels = out;
            }
            net.add("layer" + (stage + 1), layer);
        }
        net.add("avgpool", new GlobalAvgPool()).add("flatten", new Flatten());
        if (numClasses > 0) {
            Linear fc = new Linear(channels, numClasses, true);
            Init.linearDefault(fc, rng);
            net.add("fc", fc);
        }
        return new ResNet(net, channels);
    }

    /** BasicBlock: 3×3 (stride) – BN – ReLU – 3×3 – BN. */
    static Sequential basicBranch(int in, int width, int stride, RandomGenerator rng) {
        return new Sequential()
                .add("conv1", conv(in, width, 3, stride, 1, rng))
                .add("bn1", new BatchNorm(width))
                .add("relu", new ReLU())
                .add("conv2", conv(width, width, 3, 1, 1, rng))
                .add("bn2", new BatchNorm(width));
    }

    /** Bottleneck: 1×1 – BN – ReLU – 3×3 (stride) – BN – ReLU – 1×1 (4× width) – BN. */
    static Sequential bottleneckBranch(int in, int width, int stride, RandomGenerator rng) {
        return new Sequential()
                .add("conv1", conv(in, width, 1, 1, 0, rng))
                .add("bn1", new BatchNorm(width))
                .add("relu1", new ReLU())
                .add("conv2", conv(width, width, 3, stride, 1, rng))
                .add("bn2", new BatchNorm(width))
                .add("relu2", new ReLU())
                .add("conv3", conv(width, width * 4, 1, 1, 0, rng))
                .add("bn3", new BatchNorm(width * 4));
    }

    static Conv2d conv(int in, int out, int kernel, int stride, int padding, RandomGenerator rng) {
        Conv2d conv = new Conv2d(in, out, kernel, stride, padding, false);
        Init.kaimingNormalFanOut(conv.weight, rng);
        return conv;
    }

    @Override
    public Tensor forward(Tensor x) {
        return net.forward(x);
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        return net.backward(gradOut);
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        net.visitState(prefix, visitor);
    }

    @Override
    public void setTraining(boolean training) {
        net.setTraining(training);
    }
}
