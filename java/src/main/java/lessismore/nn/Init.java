package lessismore.nn;

import java.util.random.RandomGenerator;

/** torch's weight initialisations, drawn from a caller-seeded generator. */
public final class Init {
    private Init() {
    }

    /**
     * kaiming_normal_(mode="fan_out", nonlinearity="relu") as torchvision's ResNet uses for
     * convolutions: N(0, 2 / fan_out) with fan_out = out_channels · k · k.
     */
    public static void kaimingNormalFanOut(Parameter convWeight, RandomGenerator rng) {
        Tensor w = convWeight.value;
        double std = Math.sqrt(2.0 / (w.numel() / w.dim(1)));
        for (int i = 0; i < w.data.length; i++) {
            w.data[i] = (float) (rng.nextGaussian() * std);
        }
    }

    /**
     * torch.nn.Linear's default: weight and bias uniform in ±1/√in (kaiming_uniform_ with a = √5
     * gives that bound for the weight).
     */
    public static void linearDefault(Linear linear, RandomGenerator rng) {
        Tensor w = linear.weight.value;
        double bound = 1.0 / Math.sqrt(w.dim(1));
        uniform(w, bound, rng);
        if (linear.bias != null) {
            uniform(linear.bias.value, bound, rng);
        }
    }

    private static void uniform(Tensor t, double bound, RandomGenerator rng) {
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
    }
}
