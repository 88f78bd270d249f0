package lessismore.kernels;

import java.util.Arrays;
import java.util.Random;
import lessismore.cuda.CudaContext;
import lessismore.kernels.CudaPairwiseSimilarity.Precision;
import lessismore.kernels.CudaPairwiseSimilarity.Variant;
import lessismore.kernels.PairwiseSimilarity.Edges;
import lessismore.kernels.PairwiseSimilarity.MaxEarlier;
import lessismore.kernels.PairwiseSimilarity.TopK;

/**
 * The {@code doctor --selftest} check of {@code pairwise_similarity} (signature of a
 * {@link KernelSelfTest} check): random sizes (n 1..600, d 1..160), random volumes or none, every
 * op. Passes when the tiled FP32, tiled BF16 and simple kernels return identical records and those
 * agree with the double-precision {@link PairwiseSimilarity} within the fp32 chain's bound
 * d 2^-24 (argmax, edges and top-k order may differ only between scores that close).
 */
public final class PairwiseSimilaritySelfTest {
    private PairwiseSimilaritySelfTest() {
    }

    /** Runs cases until {@code deadlineNanos} (at least one). */
    public static KernelSelfTest.Result run(CudaContext ctx, Random rnd, long deadlineNanos) {
        long t0 = System.nanoTime();
        int cases = 0;
        String name = "pairwise_similarity";
        try (CudaPairwiseSimilarity tiled = new CudaPairwiseSimilarity(ctx, Variant.TILED);
                CudaPairwiseSimilarity simple = new CudaPairwiseSimilarity(ctx, Variant.SIMPLE)) {
            do {
                int n = 1 + rnd.nextInt(600);
                int d = 1 + rnd.nextInt(160);
                float[] x = unitRows(n, d, rnd);
                int[] volume = rnd.nextBoolean() ? null : volumes(n, rnd);
                float tol = d * 0x1p-24f + 0x1p-24f;
                String c = "n=" + n + " d=" + d + (volume == null ? "" : " volumes");

                MaxEarlier m = tiled.maxEarlier(x, n, d, volume, Precision.FP32);
                if (!same(m, tiled.maxEarlier(x, n, d, volume, Precision.BF16))
                        || !same(m, simple.maxEarlier(x, n, d, volume, Precision.FP32))) {
                    return fail(name, c + ": maxEarlier variants differ", t0);
                }
                String bad = checkMax(x, d, volume, m, PairwiseSimilarity.maxEarlier(x, n, d, volume), tol);
                if (bad != null) {
                    return fail(name, c + ": maxEarlier " + bad, t0);
                }

                float tau = (float) (0.2 + 0.6 * rnd.nextDouble());
                Edges e = tiled.edgesAtLeast(x, n, d, tau, volume, Precision.FP32);
                if (!same(e, tiled.edgesAtLeast(x, n, d, tau, volume, Precision.BF16))
                        || !same(e, simple.edgesAtLeast(x, n, d, tau, volume, Precision.FP32))) {
                    return fail(name, c + " tau=" + tau + ": edgesAtLeast variants differ", t0);
                }
                bad = checkEdges(x, d, tau, e, PairwiseSimilarity.edgesAtLeast(x, n, d, tau, volume), tol);
                if (bad != null) {
                    return fail(name, c + " tau=" + tau + ": edgesAtLeast " + bad, t0);
                }

                int k = 1 + rnd.nextInt(32);
                TopK got = tiled.topK(x, n, d, k, volume);
                TopK want = PairwiseSimilarity.topK(x, n, d, k, volume);
                for (int q = 0; q < n * k; q++) {
                    boolean pad = want.index()[q] < 0;
                    if (pad != (got.index()[q] < 0) || !pad && Math.abs(got.score()[q] - want.score()[q]) > tol) {
                        return fail(name, c + " k=" + k + ": topK entry " + q + " is " + got.index()[q] + "/"
                                + got.score()[q] + ", reference " + want.index()[q] + "/" + want.score()[q], t0);
                    }
                }

                int words = 1 + rnd.nextInt(4);
                long[] h = hashes(n, words, rnd);
                int t = rnd.nextInt(8 * words);
                Edges he = tiled.hammingAtMost(h, n, words, t, volume);
                if (!same(he, PairwiseSimilarity.hammingAtMost(h, n, words, t, volume))
                        || !same(he, simple.hammingAtMost(h, n, words, t, volume))) {
                    return fail(name, c + " words=" + words + " t=" + t + ": hammingAtMost differs", t0);
                }
                cases++;
            } while (System.nanoTime() < deadlineNanos);
        }
        return new KernelSelfTest.Result(name, true, cases + " cases, variants bit-equal, within d 2^-24 of double",
                (System.nanoTime() - t0) / 1e6);
    }

    private static KernelSelfTest.Result fail(String name, String detail, long t0) {
        return new KernelSelfTest.Result(name, false, detail, (System.nanoTime() - t0) / 1e6);
    }

    /** Unit rows (n, d), every third a near copy of an earlier row (close scores, real ties). */
    private static float[] unitRows(int n, int d, Random rnd) {
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            int src = i > 0 && rnd.nextInt(3) == 0 ? rnd.nextInt(i) : -1;
            double norm = 0;
            for (int k = 0; k < d; k++) {
                double v = src >= 0 ? x[src * d + k] + 0.01 * rnd.nextGaussian() : rnd.nextGaussian();
                x[i * d + k] = (float) v;
                norm += v * v;
            }
            float s = (float) (1 / Math.sqrt(norm));
            for (int k = 0; k < d; k++) {
                x[i * d + k] *= s;
            }
        }
        return x;
    }

    private static int[] volumes(int n, Random rnd) {
        int[] v = new int[n];
        int id = 0;
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(40) == 0) {
                id = rnd.nextInt(6);
            }
            v[i] = id;
        }
        return v;
    }

    private static long[] hashes(int n, int words, Random rnd) {
        long[] h = new long[n * words];
        for (int i = 0; i < n * words; i++) {
            h[i] = i >= words && rnd.nextInt(3) == 0 ? h[i - words] ^ (1L << rnd.nextInt(64)) : rnd.nextLong();
        }
        return h;
    }

    private static boolean same(MaxEarlier a, MaxEarlier b) {
        return Arrays.equals(a.argmax(), b.argmax()) && Arrays.equals(a.max(), b.max());
    }

    private static boolean same(Edges a, Edges b) {
        return Arrays.equals(a.row(), b.row()) && Arrays.equals(a.col(), b.col()) && Arrays.equals(a.score(), b.score());
    }

    /** Null when the device result is the reference's up to scores within tol; else the first difference. */
    private static String checkMax(float[] x, int d, int[] volume, MaxEarlier got, MaxEarlier want, float tol) {
        for (int i = 0; i < want.max().length; i++) {
            if ((want.argmax()[i] < 0) != (got.argmax()[i] < 0)) {
                return "row " + i + ": argmax " + got.argmax()[i] + ", reference " + want.argmax()[i];
            }
            if (want.argmax()[i] < 0) {
                continue;
            }
            int j = got.argmax()[i];
            boolean valid = j < i && (volume == null || volume[j] == volume[i]);
            if (!valid || Math.abs(got.max()[i] - want.max()[i]) > tol
                    || Math.abs(PairwiseSimilarity.cos(x, d, i, j) - want.max()[i]) > tol) {
                return "row " + i + ": " + j + "/" + got.max()[i] + ", reference " + want.argmax()[i] + "/"
                        + want.max()[i];
            }
        }
        return null;
    }

    /** Null when the edge sets differ only in pairs whose reference score is within tol of tau. */
    private static String checkEdges(float[] x, int d, float tau, Edges got, Edges want, float tol) {
        int a = 0;
        int b = 0;
        while (a < got.count() || b < want.count()) {
            long ka = a < got.count() ? ((long) got.row()[a] << 32) | got.col()[a] : Long.MAX_VALUE;
            long kb = b < want.count() ? ((long) want.row()[b] << 32) | want.col()[b] : Long.MAX_VALUE;
            if (ka == kb) {
                if (Math.abs(got.score()[a] - want.score()[b]) > tol) {
                    return "pair " + got.row()[a] + "," + got.col()[a] + " scores " + got.score()[a] + ", reference "
                            + want.score()[b];
                }
                a++;
                b++;
                continue;
            }
            long k = Math.min(ka, kb);
            int i = (int) (k >>> 32);
            int j = (int) k;
            if (Math.abs(PairwiseSimilarity.cos(x, d, i, j) - tau) > tol) {
                return "pair " + i + "," + j + (ka < kb ? " only on the device" : " missing on the device");
            }
            if (ka < kb) {
                a++;
            } else {
                b++;
            }
        }
        return null;
    }
}
