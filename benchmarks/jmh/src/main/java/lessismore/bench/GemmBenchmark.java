package lessismore.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import lessismore.tensor.Gemm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link Gemm#sgemm} on the shapes of one SimCLR step of ResNet-18 on 64 × 64 images, batch 64,
 * with convolutions as im2col + GEMM: C[Cout × N] = W[Cout × Cin·kh·kw] · col[Cin·kh·kw × N] with
 * N = batch · Hout · Wout (forward); the weight gradient dW = dY · colᵀ (transB) and the input
 * gradient dcol = Wᵀ · dY (transA) reuse the same three sizes in other roles.
 *
 * <p>Spatial sizes at 64 px: conv1 7×7/2 gives 32×32, max-pool 16×16, then layer1 16×16,
 * layer2 8×8, layer3 4×4, layer4 2×2. Shapes are "name m n k transposes" (NN, NT, TN):
 * <ul>
 *   <li>conv1 forward: 64 × 65536 × 147 (Cin 3 · 49)
 *   <li>layer1 3×3 conv forward: 64 × 16384 × 576
 *   <li>layer1 weight gradient: 64 × 576 × 16384, NT; input gradient: 576 × 16384 × 64, TN
 *   <li>layer2 3×3 conv forward: 128 × 4096 × 1152
 *   <li>layer3 3×3 conv forward: 256 × 1024 × 2304
 *   <li>layer4 3×3 conv forward: 512 × 256 × 4608
 *   <li>projection head 512 → 512 on 2 × 64 views: 128 × 512 × 512, NT (x · Wᵀ)
 *   <li>square 1024³ for comparison with published numbers
 * </ul>
 *
 * <p>The score is calls per second; GFLOP/s = score · 2·m·n·k / 10⁹. benchmarks/gemm-vs-pytorch.sh
 * converts it, compares with the machine's peak and with PyTorch at the same shapes, and
 * {@link #main} prints a clock estimate for that peak. Threads per call: the {@code threads} param
 * (the JMH thread count stays 1).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class GemmBenchmark {
    /** "name m n k transposes". */
    @Param({
        "conv1.fwd 64 65536 147 NN",
        "layer1.fwd 64 16384 576 NN",
        "layer1.dW 64 576 16384 NT",
        "layer1.dX 576 16384 64 TN",
        "layer2.fwd 128 4096 1152 NN",
        "layer3.fwd 256 1024 2304 NN",
        "layer4.fwd 512 256 4608 NN",
        "head.fwd 128 512 512 NT",
        "square 1024 1024 1024 NN",
    })
    public String shape;

    /** Threads per call ({@link Gemm#setThreads}). */
    @Param({"1", "2"})
    public int threads;

    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setUp() {
        String[] f = shape.split(" ");
        m = Integer.parseInt(f[1]);
        n = Integer.parseInt(f[2]);
        k = Integer.parseInt(f[3]);
        transA = f[4].charAt(0) == 'T';
        transB = f[4].charAt(1) == 'T';
        Random rnd = new Random(42);
        a = randoms(m * k, rnd);
        b = randoms(k * n, rnd);
        c = new float[m * n];
        Gemm.setThreads(threads);
    }

    /** C = op(A) · op(B), packed leading dimensions. */
    @Benchmark
    public float[] sgemm() {
        Gemm.sgemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n);
        return c;
    }

    private static float[] randoms(int size, Random rnd) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }

    /**
     * Prints the core clock in GHz, measured as the rate of a chain of dependent fused multiply-adds
     * (4 cycles each on Intel cores since Skylake and on AMD Zen 4 and 5: the optional argument
     * overrides it). A VM's /proc/cpuinfo shows only the nominal clock, and turbo runs above it.
     * Best of 2000 windows of 1 ms: shorter than a scheduler time slice, so on a shared machine
     * some windows run undisturbed.
     */
    public static void main(String[] args) {
        int latency = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        double best = 0;
        float x = 1f;
        for (int run = 0; run < 2000; run++) {
            long steps = 0;
            long start = System.nanoTime();
            long elapsed;
            do {
                for (int i = 0; i < 10_000; i++) {
                    x = Math.fma(x, 0.999999f, 1e-6f); // each waits for the last: pure latency
                }
                steps += 10_000;
                elapsed = System.nanoTime() - start;
            } while (elapsed < 1_000_000L);
            best = Math.max(best, (double) steps * latency / elapsed);
        }
        // x stays near 1; printing it keeps the chain from being optimised away.
        System.out.printf("%.3f GHz (chain value %.3f)%n", best, x);
    }
}
