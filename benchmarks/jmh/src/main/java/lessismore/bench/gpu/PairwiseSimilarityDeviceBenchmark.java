package lessismore.bench.gpu;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import lessismore.cuda.CudaContext;
import lessismore.cuda.CudaDevice;
import lessismore.cuda.CudaEvent;
import lessismore.cuda.DeviceBuffer;
import lessismore.kernels.CudaPairwiseSimilarity;
import lessismore.kernels.CudaPairwiseSimilarity.EdgeBuffers;
import lessismore.kernels.CudaPairwiseSimilarity.Precision;
import lessismore.kernels.CudaPairwiseSimilarity.Variant;
import lessismore.kernels.PairwiseSimilarity.Edges;

/**
 * Device timings of {@code pairwise_similarity} (tiled kernels), each with a correctness check in
 * the same run: maxEarlier at n=32768 d=512 and n=65536 d=128 in fp32 and bf16 (+ fp32 re-check),
 * edgesAtLeast at n=65536 d=128 in both precisions, hammingAtMost at n=65536 on one 64-bit word.
 * The same work, with the same op/size/precision strings, is timed in PyTorch by
 * benchmarks/gpu/pairwise_similarity_pytorch.py.
 *
 * <p>Data: CT-like embeddings, volumes of 200 slices each a random walk on the sphere
 * (x_i = normalise(x_{i-1} + 0.33 g / sqrt(d)), neighbour cos about 0.95), so edges at tau = 0.9
 * link each slice to its one or two nearest neighbours; hashes likewise, two random bit flips per
 * slice, t = 6. No volume restriction (PyTorch's version has none).
 */
public final class PairwiseSimilarityDeviceBenchmark {
    private static final int RUNS = 20;
    private static final int WARMUP = 3;
    private static final int PER_VOLUME = 200;
    private static final float TAU = 0.9f;
    private static final int T = 6;
    /** Rows checked against the Java emulation of the device's fp32 arithmetic. */
    private static final int SAMPLE = 96;

    private PairwiseSimilarityDeviceBenchmark() {
    }

    /** Runs every case on {@code ctx}, one {@link DeviceTiming} per case. */
    public static void run(CudaContext ctx, Consumer<DeviceTiming> out) {
        try (CudaPairwiseSimilarity sim = new CudaPairwiseSimilarity(ctx, Variant.TILED);
                CudaPairwiseSimilarity simple = new CudaPairwiseSimilarity(ctx, Variant.SIMPLE)) {
            maxEarlier(ctx, sim, 32768, 512, out);
            maxEarlier(ctx, sim, 65536, 128, out);
            edges(ctx, sim, 65536, 128, out);
            hamming(ctx, sim, simple, 65536, out);
        }
    }

    /**
     * CT-like unit rows (n, d): volumes of 200 slices, each a random walk on the sphere (also the
     * data of the CPU benchmark {@code lessismore.bench.PairwiseSimilarityBenchmark}).
     */
    public static float[] walk(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * d];
        double step = 0.33 / Math.sqrt(d);
        double[] v = new double[d];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int k = 0; k < d; k++) {
                v[k] = i % PER_VOLUME == 0 ? r.nextGaussian() / Math.sqrt(d) : v[k] + step * r.nextGaussian();
                norm += v[k] * v[k];
            }
            double s = 1 / Math.sqrt(norm);
            for (int k = 0; k < d; k++) {
                v[k] *= s;
                x[i * d + k] = (float) v[k];
            }
        }
        return x;
    }

    /** The device's fp32 cosine (fma chain over k, ld == d here). */
    static float chain(float[] x, int d, int i, int j) {
        float acc = 0f;
        for (int k = 0; k < d; k++) {
            acc = Math.fma(x[i * d + k], x[j * d + k], acc);
        }
        return acc;
    }

    private static int[] sampleRows(int n, long seed) {
        return new SplittableRandom(seed).ints(SAMPLE, 1, n).sorted().toArray();
    }

    /** Median milliseconds of {@code op} over RUNS timed runs after WARMUP. */
    private static double time(CudaContext ctx, IntConsumer op) {
        try (CudaEvent a = ctx.createEvent(); CudaEvent b = ctx.createEvent()) {
            for (int w = 0; w < WARMUP; w++) {
                op.accept(w);
            }
            ctx.synchronize();
            double[] ms = new double[RUNS];
            for (int r = 0; r < RUNS; r++) {
                a.record(null);
                op.accept(r);
                b.record(null);
                b.synchronize();
                ms[r] = b.millisSince(a);
            }
            Arrays.sort(ms);
            return (ms[RUNS / 2 - 1] + ms[RUNS / 2]) / 2;
        }
    }

    private static double fp32PeakTflops(CudaDevice dev) {
        return dev.multiprocessors() * 128 * 2 * 1.98e9 / 1e12;  // 128 fp32 FMA/clock/SM, 1.98 GHz boost
    }

    private static double bf16PeakTflops(CudaDevice dev) {
        return 989.4 * dev.multiprocessors() / 132;  // H100/H200 SXM dense bf16
    }

    private static void maxEarlier(CudaContext ctx, CudaPairwiseSimilarity sim, int n, int d,
            Consumer<DeviceTiming> out) {
        float[] x = walk(n, d, n + d);
        String size = "n=" + n + " d=" + d;
        double flops = (double) n * (n - 1) * d;  // n(n-1)/2 pairs x 2d
        try (DeviceBuffer dx = ctx.allocate(4L * n * d); DeviceBuffer max = ctx.allocate(4L * n);
                DeviceBuffer arg = ctx.allocate(4L * n); DeviceBuffer max2 = ctx.allocate(4L * n);
                DeviceBuffer arg2 = ctx.allocate(4L * n)) {
            dx.upload(x);
            double fp32 = time(ctx, r -> sim.maxEarlier(dx, n, d, null, Precision.FP32,
                    CudaPairwiseSimilarity.NORMALISED, max, arg, null));
            float[] m = new float[n];
            int[] a = new int[n];
            max.download(m);
            arg.download(a);
            // fp32 against the Java emulation of the device arithmetic, on sampled rows.
            int[] rows = sampleRows(n, d);
            long bad = Arrays.stream(rows).parallel().filter(i -> {
                float best = Float.NEGATIVE_INFINITY;
                int at = -1;
                for (int j = 0; j < i; j++) {
                    float v = chain(x, d, i, j);
                    if (at < 0 || v > best) {
                        best = v;
                        at = j;
                    }
                }
                return at != a[i] || Float.compare(best, m[i]) != 0;
            }).count();
            double floor = flops / (fp32PeakTflops(ctx.device()) * 1e12) * 1e3;
            out.accept(new DeviceTiming("maxEarlier", size, "fp32", fp32, floor,
                    String.format("%.1f of %.0f TFLOP/s fp32", flops / fp32 / 1e9, fp32PeakTflops(ctx.device())),
                    (bad == 0 ? "bit-equal" : bad + " rows DIFFER") + " vs Java fp32 fma chain on " + SAMPLE + " rows"));

            double bf16 = time(ctx, r -> sim.maxEarlier(dx, n, d, null, Precision.BF16,
                    CudaPairwiseSimilarity.NORMALISED, max2, arg2, null));
            float[] m2 = new float[n];
            int[] a2 = new int[n];
            max2.download(m2);
            arg2.download(a2);
            int differ = 0;
            for (int i = 0; i < n; i++) {
                differ += a2[i] != a[i] || Float.compare(m2[i], m[i]) != 0 ? 1 : 0;
            }
            floor = flops / (bf16PeakTflops(ctx.device()) * 1e12) * 1e3;
            out.accept(new DeviceTiming("maxEarlier", size, "bf16", bf16, floor,
                    String.format("%.0f of %.0f TFLOP/s bf16 dense (incl. fp32 re-check)", flops / bf16 / 1e9,
                            bf16PeakTflops(ctx.device())),
                    (differ == 0 ? "equal to fp32 kernel" : differ + " rows DIFFER from fp32") + " on all " + n + " rows"));
        }
    }

    private static void edges(CudaContext ctx, CudaPairwiseSimilarity sim, int n, int d, Consumer<DeviceTiming> out) {
        float[] x = walk(n, d, 7 * n + d);
        String size = "n=" + n + " d=" + d + " tau=" + TAU;
        double flops = (double) n * (n - 1) * d;
        try (DeviceBuffer dx = ctx.allocate(4L * n * d)) {
            dx.upload(x);
            int capacity = 1 << 22;
            Edges[] got = new Edges[2];
            double[] ms = new double[2];
            for (Precision p : Precision.values()) {
                try (EdgeBuffers eb = sim.edgeBuffers(capacity)) {
                    long[] count = new long[1];
                    ms[p.ordinal()] = time(ctx, r -> count[0] = sim.edgesAtLeast(dx, n, d, null, TAU, p,
                            CudaPairwiseSimilarity.NORMALISED, eb, null));
                    if (count[0] > capacity) {
                        throw new IllegalStateException(count[0] + " edges do not fit " + capacity);
                    }
                    got[p.ordinal()] = eb.download((int) count[0]);
                }
            }
            Edges e = got[0];
            // fp32 against the Java emulation on sampled rows: the same set of columns per row.
            int[] rows = sampleRows(n, 3 * d);
            long bad = Arrays.stream(rows).parallel().filter(i -> {
                int[] want = IntStream.range(0, i).filter(j -> chain(x, d, i, j) >= TAU).toArray();
                int from = lowerBound(e.row(), i);
                int to = lowerBound(e.row(), i + 1);
                return !Arrays.equals(want, Arrays.copyOfRange(e.col(), from, to));
            }).count();
            String fp32Check = (bad == 0 ? "equal" : bad + " rows DIFFER") + " vs Java fp32 fma chain on " + SAMPLE
                    + " rows; " + e.count() + " edges";
            boolean same = Arrays.equals(e.row(), got[1].row()) && Arrays.equals(e.col(), got[1].col())
                    && Arrays.equals(e.score(), got[1].score());
            out.accept(new DeviceTiming("edgesAtLeast", size, "fp32", ms[0],
                    flops / (fp32PeakTflops(ctx.device()) * 1e12) * 1e3,
                    String.format("%.1f of %.0f TFLOP/s fp32", flops / ms[0] / 1e9, fp32PeakTflops(ctx.device())),
                    fp32Check));
            out.accept(new DeviceTiming("edgesAtLeast", size, "bf16", ms[1],
                    flops / (bf16PeakTflops(ctx.device()) * 1e12) * 1e3,
                    String.format("%.0f of %.0f TFLOP/s bf16 dense (incl. fp32 re-check)", flops / ms[1] / 1e9,
                            bf16PeakTflops(ctx.device())),
                    (same ? "equal to fp32 kernel" : "DIFFERS from fp32 kernel") + "; " + got[1].count() + " edges"));
        }
    }

    private static void hamming(CudaContext ctx, CudaPairwiseSimilarity sim, CudaPairwiseSimilarity simple, int n,
            Consumer<DeviceTiming> out) {
        SplittableRandom r = new SplittableRandom(n);
        long[] h = new long[n];
        for (int i = 0; i < n; i++) {
            h[i] = i % PER_VOLUME == 0 ? r.nextLong() : h[i - 1] ^ (1L << r.nextInt(64)) ^ (1L << r.nextInt(64));
        }
        String size = "n=" + n + " words=1 t=" + T;
        double pairs = (double) n * (n - 1) / 2;
        try (DeviceBuffer dh = ctx.allocate(8L * n); EdgeBuffers eb = sim.edgeBuffers(1 << 22)) {
            dh.upload(h);
            long[] count = new long[1];
            double ms = time(ctx, q -> count[0] = sim.hammingAtMost(dh, n, 1, T, null, eb, null));
            Edges e = eb.download((int) count[0]);
            Edges s;
            try (EdgeBuffers sb = simple.edgeBuffers(1 << 22)) {
                s = sb.download((int) simple.hammingAtMost(dh, n, 1, T, null, sb, null));
            }
            boolean same = Arrays.equals(e.row(), s.row()) && Arrays.equals(e.col(), s.col())
                    && Arrays.equals(e.score(), s.score());
            // 2 POPC (32-bit) per 64-bit word and pair; 16 POPC per clock per SM at 1.98 GHz.
            double popcPerS = ctx.device().multiprocessors() * 16 * 1.98e9;
            double floor = pairs * 2 / popcPerS * 1e3;
            out.accept(new DeviceTiming("hammingAtMost", size, "u64", ms, floor,
                    String.format("%.0f G pairs/s (POPC floor %.0f)", pairs / ms / 1e6, popcPerS / 2 / 1e9),
                    (same ? "equal to simple kernel" : "DIFFERS from simple kernel") + "; " + e.count() + " edges"));
        }
    }

    /** First index q with a[q] >= key in ascending {@code a}. */
    private static int lowerBound(int[] a, int key) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
