package lessismore.kernels;

import java.util.ArrayList;
import java.util.List;
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
        List<Check> checks = List.of(KernelSelfTest::runtimeCheck);
        List<Result> out = new ArrayList<>();
        Random rnd = new Random(seed);
        long share = budgetMillis * 1_000_000L / checks.size();
        for (Check c : checks) {
            long start = System.nanoTime();
            Result r;
            try {
                r = c.run(ctx, rnd, start + share);
            } catch (RuntimeException e) {
                r = new Result(c.getClass().getSimpleName(), false, e.toString(), 0);
            }
            out.add(r);
        }
        return out;
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
