package lessismore.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import lessismore.nn.Tensor;
import lessismore.train.PretrainConfig;
import lessismore.train.Trainer;

/**
 * Throughput of one SimCLR training step of our engine, the peer of
 * benchmarks/pretrain_vs_pytorch.py: ResNet-18 (1 channel) + projection head (Linear–BN–ReLU–Linear
 * to 128) on 2 × batch random views, NT-Xent (τ 0.5), backward, SGD with momentum. The data pipeline
 * is left out on both sides. Prints the median step time and images/s (source images: batch / step
 * time, each image being two views).
 *
 * <p>Usage: SimclrStepThroughput SIZE BATCH STEPS WARMUP
 */
public final class SimclrStepThroughput {
    private SimclrStepThroughput() {
    }

    /** Runs WARMUP untimed and STEPS timed steps and prints one result line. */
    public static void main(String[] args) {
        int size = Integer.parseInt(args[0]);
        int batch = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        PretrainConfig config = new PretrainConfig("resnet18", "bn", 128, size, batch, 0, warmup + steps, "sgd",
                0.1, 0, 1e-6, 0.9, 0.5, 0);
        Trainer trainer = new Trainer(config);
        // (2B, 1, size, size) uniform views, fixed across steps as the PyTorch side's.
        float[] x = new float[2 * batch * size * size];
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        Tensor views = new Tensor(x, 2 * batch, 1, size, size);
        double[] seconds = new double[steps];
        float loss = 0;
        for (int s = 0; s < warmup + steps; s++) {
            long t0 = System.nanoTime();
            loss = trainer.step(views, s);
            if (s >= warmup) {
                seconds[s - warmup] = (System.nanoTime() - t0) / 1e9;
            }
        }
        Arrays.sort(seconds);
        double median = seconds[steps / 2];
        System.out.printf(Locale.ROOT, "lessismore size %d batch %d: median step %.3f s, %.2f images/s "
                + "(%d timed steps, last loss %.4f, %d processors)%n", size, batch, median, batch / median, steps,
                loss, Runtime.getRuntime().availableProcessors());
    }
}
