package lessismore.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import lessismore.bench.gpu.PairwiseSimilarityDeviceBenchmark;
import lessismore.kernels.PairwiseSimilarity;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The plain Java reference of {@code pairwise_similarity} (one thread, dot products in double) on
 * the device benchmark's CT-like data: volumes of 200 slices, each a random walk on the sphere.
 * Reports milliseconds per op over all n(n-1)/2 pairs, the yardstick the GPU kernels replace.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class PairwiseSimilarityBenchmark {
    /** maxEarlier, edgesAtLeast, topK or hammingAtMost. */
    @Param({"maxEarlier", "edgesAtLeast", "topK", "hammingAtMost"})
    public String op;

    /** Rows. */
    @Param({"2048"})
    public int n;

    /** Embedding width. */
    @Param({"128"})
    public int d;

    private float[] x;
    private long[] hashes;

    @Setup
    public void setUp() {
        x = PairwiseSimilarityDeviceBenchmark.walk(n, d, 1);
        SplittableRandom r = new SplittableRandom(2);
        hashes = new long[n];
        for (int i = 0; i < n; i++) {
            hashes[i] = i % 200 == 0 ? r.nextLong() : hashes[i - 1] ^ (1L << r.nextInt(64)) ^ (1L << r.nextInt(64));
        }
    }

    /** One op over all pairs; returns something derived from the result so it is not elided. */
    @Benchmark
    public int pairs() {
        return switch (op) {
            case "maxEarlier" -> PairwiseSimilarity.maxEarlier(x, n, d, null).argmax()[n - 1];
            case "edgesAtLeast" -> PairwiseSimilarity.edgesAtLeast(x, n, d, 0.9f, null).count();
            case "topK" -> PairwiseSimilarity.topK(x, n, d, 8, null).index()[0];
            case "hammingAtMost" -> PairwiseSimilarity.hammingAtMost(hashes, n, 1, 6, null).count();
            default -> throw new IllegalArgumentException("unknown op " + op);
        };
    }
}
