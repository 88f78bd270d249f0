package lessismore.bench.gpu;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;
import lessismore.cuda.CudaContext;
import lessismore.cuda.CudaEvent;
import lessismore.cuda.CudaStream;
import lessismore.cuda.DeviceBuffer;
import lessismore.kernels.CudaNtXent;
import lessismore.kernels.NtXent;

/**
 * SimCLR's NT-Xent loss, forward and backward ({@link CudaNtXent}) on device-resident z (2B, D) fp32,
 * τ = 0.5, against benchmarks/gpu/nt_xent_pytorch.py (F.normalize, logits, masked cross-entropy,
 * autograd; same op/size/precision strings). Two rows per size: the fp32 CUDA-core kernels
 * (precision "fp32") and the 3xTF32 tensor-core ones (precision "fp32 (3xTF32)", held to the same
 * 1e-5 tolerance; the script prints PyTorch's fp32 time under both keys). Timed with CUDA events around batches
 * of {@value #BATCH} back-to-back calls (so the host's launch overhead overlaps the device's work,
 * as in a training step), per-call median over {@value #RUNS} batches after warm-up.
 *
 * <p>Floor: 6 N² D FLOP (N = 2B; the forward's logits 2 N² D, the backward's recomputed logits and
 * G ẑ 4 N² D) over 67 TFLOP/s, the fp32 CUDA-core peak of an H100/H200 SXM. The check runs the same
 * z through the double-precision Java reference {@link NtXent} (a few seconds at B = 4096 on 16
 * cores).
 */
public final class NtXentDeviceBenchmark {
    private static final double PEAK_TFLOPS = 67.0;
    private static final int WARMUP = 3;
    private static final int RUNS = 25;
    private static final int BATCH = 10;
    private static final float TAU = 0.5f;
    private static final int[][] SIZES = {{1024, 128}, {4096, 128}};

    private NtXentDeviceBenchmark() {
    }

    /** Times each size with both fast variants and reports one row per size and variant. */
    public static void run(CudaContext ctx, Consumer<DeviceTiming> out) {
        for (int[] size : SIZES) {
            int rows = 2 * size[0];
            float[] z = new float[rows * size[1]];
            Random r = new Random(size[0] * 31L + size[1]);
            for (int e = 0; e < z.length; e++) {
                z[e] = (float) r.nextGaussian();
            }
            NtXent.Result want = NtXent.forwardBackward(z, rows, size[1], TAU);
            run(ctx, CudaNtXent.Variant.TILED, "fp32", size[0], size[1], z, want, out);
            run(ctx, CudaNtXent.Variant.TF32X3, "fp32 (3xTF32)", size[0], size[1], z, want, out);
        }
    }

    private static void run(CudaContext ctx, CudaNtXent.Variant variant, String precision, int b, int d, float[] z,
            NtXent.Result want, Consumer<DeviceTiming> out) {
        int rows = 2 * b;
        try (CudaNtXent ntXent = new CudaNtXent(ctx, variant); CudaStream s = ctx.createStream();
             CudaEvent start = ctx.createEvent(); CudaEvent end = ctx.createEvent();
             DeviceBuffer zb = ctx.allocate(4L * rows * d); DeviceBuffer dzb = ctx.allocate(4L * rows * d);
             DeviceBuffer loss = ctx.allocate(4)) {
            zb.upload(z);
            float gotLoss = ntXent.forwardBackward(zb, rows, d, TAU, dzb, s);
            float[] gotDz = new float[rows * d];
            dzb.download(gotDz);
            String check = check(want, gotLoss, gotDz);

            for (int w = 0; w < WARMUP; w++) {
                ntXent.enqueue(zb, rows, d, TAU, dzb, loss, s);
            }
            double[] ms = new double[RUNS];
            for (int k = 0; k < RUNS; k++) {
                start.record(s);
                for (int c = 0; c < BATCH; c++) {
                    ntXent.enqueue(zb, rows, d, TAU, dzb, loss, s);
                }
                end.record(s);
                end.synchronize();
                ms[k] = end.millisSince(start) / BATCH;
            }
            Arrays.sort(ms);
            double median = ms[RUNS / 2];
            double flop = 6.0 * rows * (double) rows * d;
            double floor = flop / (PEAK_TFLOPS * 1e12) * 1e3;
            String rate = String.format(Locale.ROOT, "%.1f of %.0f TFLOP/s fp32 (6·N²·D FLOP)", flop / (median * 1e-3) / 1e12,
                    PEAK_TFLOPS);
            out.accept(new DeviceTiming("nt_xent fwd+bwd", "B=" + b + " D=" + d, precision, median, floor, rate, check));
        }
    }

    /** Loss and dz against the reference, relative as in CudaNtXentTest (1e-5 passes). */
    private static String check(NtXent.Result want, float loss, float[] dz) {
        double max = 0;
        double err = 0;
        for (int e = 0; e < dz.length; e++) {
            max = Math.max(max, Math.abs(want.dz()[e]));
            double diff = Math.abs((double) dz[e] - want.dz()[e]);
            err = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(err, diff);
        }
        return String.format(Locale.ROOT, "|Δloss|/|loss| %.1e, max|Δdz|/max|dz| %.1e vs fp64 CPU", Math.abs(loss - want.loss())
                / Math.abs(want.loss()), err / max);
    }
}
