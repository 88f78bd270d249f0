package lessismore.kernels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Random;
import lessismore.cuda.CudaContext;
import lessismore.cuda.DeviceBuffer;
import lessismore.cuda.KernelArgs;

/**
 * {@code lessismore doctor --selftest}: every kernel family against its plain Java reference on
 * fresh random inputs of random sizes, for a time budget shared among the families (each runs at
 * least once).
 */
public final class KernelSelfTest {
    private KernelSelfTest() {
    }

    /**
     * One family's outcome.
     *
     * @param kernel  what was checked, e.g. "pairwise_similarity maxEarlier fp32"
     * @param passed  whether every case agreed within the stated tolerance
     * @param detail  cases run and the largest difference, or the first disagreement
     * @param millis  wall time spent
     */
    public record Result(String kernel, boolean passed, String detail, double millis) {
    }

    /** One check: runs cases until its deadline (at least one), returns its result. */
    private interface Check {
        Result run(CudaContext ctx, Random rnd, long deadlineNanos);
    }

    /**
     * Runs every check on {@code ctx}.
     *
     * @param budgetMillis total time to spend, shared equally
     * @param seed         random seed (printed by the caller so a failure can be repeated)
     */
    public static List<Result> run(CudaContext ctx, long budgetMillis, long seed) {
        // Family name (for a check that throws) and its check, in the order doctor prints them.
        Map<String, Check> checks = new LinkedHashMap<>();
        checks.put("runtime_check", KernelSelfTest::runtimeCheck);
        checks.put("pairwise_similarity", PairwiseSimilaritySelfTest::run);
        checks.put("perceptual_hash", KernelSelfTest::perceptualHashCheck);
        checks.put("nt_xent", KernelSelfTest::ntXentCheck);
        List<Result> out = new ArrayList<>();
        Random rnd = new Random(seed);
        long share = budgetMillis * 1_000_000L / checks.size();
        for (Map.Entry<String, Check> c : checks.entrySet()) {
            long start = System.nanoTime();
            Result r;
            try {
                r = c.getValue().run(ctx, rnd, start + share);
            } catch (RuntimeException e) {
                r = new Result(c.getKey(), false, e.toString(), (System.nanoTime() - start) / 1e6);
            }
            out.add(r);
        }
        return out;
    }

    /**
     * NT-Xent loss and gradient, every {@link CudaNtXent.Variant} on the same input, against
     * {@link NtXent}: random B (1 to 400), D (1 to 200), τ (0.05 to 1), Gaussian z;
     * |Δloss| ≤ 1e-5 · |loss| and max|Δdz| ≤ 1e-5 · max|dz|.
     */
    private static Result ntXentCheck(CudaContext ctx, Random rnd, long deadline) {
        long t0 = System.nanoTime();
        int cases = 0;
        double worst = 0;
        do {
            int b = 1 + rnd.nextInt(400);
            int d = 1 + rnd.nextInt(200);
            float tau = 0.05f + 0.95f * rnd.nextFloat();
            int rows = 2 * b;
            float[] z = new float[rows * d];
            for (int e = 0; e < z.length; e++) {
                z[e] = (float) rnd.nextGaussian();
            }
            NtXent.Result want = NtXent.forwardBackward(z, rows, d, tau);
            double maxAbs = 0;
            for (float v : want.dz()) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
            for (CudaNtXent.Variant v : CudaNtXent.Variant.values()) {
                NtXent.Result got;
                try (CudaNtXent gpu = new CudaNtXent(ctx, v)) {
                    got = gpu.forwardBackward(z, rows, d, tau);
                }
                double lossErr = Math.abs(got.loss() - want.loss());
                double dzErr = 0;
                for (int e = 0; e < z.length; e++) {
                    double diff = Math.abs((double) got.dz()[e] - want.dz()[e]);
                    dzErr = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(dzErr, diff);
                }
                String what = String.format(Locale.ROOT, "%s B=%d D=%d tau=%.3f", v, b, d, tau);
                if (!(lossErr <= 1e-5 * Math.abs(want.loss())) || !(dzErr <= 1e-5 * maxAbs)) {
                    return new Result("nt_xent", false, what + ": loss " + got.loss() + " vs " + want.loss()
                            + ", max|Δdz| " + dzErr + " of max|dz| " + maxAbs, (System.nanoTime() - t0) / 1e6);
                }
                worst = Math.max(worst, maxAbs > 0 ? dzErr / maxAbs : 0);
            }
            cases++;
        } while (System.nanoTime() < deadline);
        return new Result("nt_xent", true, String.format(Locale.ROOT,
                "%d cases x 3 variants, max|Δdz|/max|dz| %.1e (tolerance 1e-5)", cases, worst), (System.nanoTime() - t0) / 1e6);
    }

    /**
     * Batch perceptual hashes (fused kernels) against {@link PerceptualHash}, bit for bit: random kind,
     * hash size, image size (odd ones included), batch size, and u8 or int16 + lookup-table input.
     */
    private static Result perceptualHashCheck(CudaContext ctx, Random rnd, long deadline) {
        long t0 = System.nanoTime();
        int cases = 0;
        try (CudaPerceptualHash gpu = new CudaPerceptualHash(ctx)) {
            do {
                PerceptualHash.Kind kind = PerceptualHash.Kind.values()[rnd.nextInt(3)];
                int hs = rnd.nextBoolean() ? 8 : 16;
                int w = 8 + rnd.nextInt(600);
                int h = 8 + rnd.nextInt(600);
                int count = 1 + rnd.nextInt(32);
                int n = w * h;
                boolean int16 = rnd.nextBoolean();
                long[] want;
                long[] got;
                if (int16) {
                    short[] px = new short[count * n];
                    int[] lutMin = new int[count];
                    int[] lutOffset = new int[count];
                    byte[] luts = new byte[count * 256];
                    for (int i = 0; i < count; i++) {
                        lutMin[i] = rnd.nextInt(4000) - 2000;
                        lutOffset[i] = 256 * i;
                        for (int p = 0; p < n; p++) {
                            px[i * n + p] = (short) (lutMin[i] + rnd.nextInt(256));
                        }
                    }
                    rnd.nextBytes(luts);
                    want = PerceptualHash.hashInt16(kind, hs, px, count, w, h, luts, lutMin, lutOffset);
                    got = gpu.hashInt16(kind, hs, px, count, w, h, luts, lutMin, lutOffset);
                } else {
                    byte[] images = new byte[count * n];
                    rnd.nextBytes(images);
                    want = PerceptualHash.hash(kind, hs, images, count, w, h);
                    got = gpu.hash(kind, hs, images, count, w, h);
                }
                for (int i = 0; i < want.length; i++) {
                    if (want[i] != got[i]) {
                        return new Result("perceptual_hash", false, String.format(Locale.ROOT,
                                "%s %d %s %dx%d x %d: word %d = %016x, want %016x", kind, hs, int16 ? "i16" : "u8", w, h,
                                count, i, got[i], want[i]), (System.nanoTime() - t0) / 1e6);
                    }
                }
                cases++;
            } while (System.nanoTime() < deadline);
        }
        return new Result("perceptual_hash", true, cases + " cases, bit-exact", (System.nanoTime() - t0) / 1e6);
    }

    /** The binding layer itself: y = a·x + y + bias, exact (two float roundings on both sides). */
    private static Result runtimeCheck(CudaContext ctx, Random rnd, long deadline) {
        long t0 = System.nanoTime();
        int cases = 0;
        do {
            int n = 1 + rnd.nextInt(1 << 20);
            float[] x = new float[n];
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) rnd.nextGaussian();
                y[i] = (float) rnd.nextGaussian();
            }
            float a = (float) rnd.nextGaussian();
            int bias = rnd.nextInt(21) - 10;
            float[] got = new float[n];
            try (DeviceBuffer dx = ctx.allocate(4L * n); DeviceBuffer dy = ctx.allocate(4L * n)) {
                dx.upload(x);
                dy.upload(y);
                ctx.module("runtime_check").function("runtime_check_scale_add")
                        .launch(Math.min(1024, (n + 255) / 256), 1, 1, 256, 1, 1, 0, null,
                                new KernelArgs().ptr(dx).ptr(dy).i64(n).f32(a).i32(bias));
                dy.download(got);
            }
            for (int i = 0; i < n; i++) {
                float want = a * x[i] + y[i] + bias;
                if (Float.floatToIntBits(want) != Float.floatToIntBits(got[i])) {
                    return new Result("runtime_check", false, "n=" + n + ": y[" + i + "] = " + got[i] + ", want " + want,
                            (System.nanoTime() - t0) / 1e6);
                }
            }
            cases++;
        } while (System.nanoTime() < deadline);
        return new Result("runtime_check", true, cases + " cases, bit-exact", (System.nanoTime() - t0) / 1e6);
    }
}
