package lessismore.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import lessismore.cuda.GpuTest;
import lessismore.cuda.CudaStream;
import lessismore.cuda.DeviceBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every variant of the CUDA NT-Xent kernels (simple, fp32 tiled, 3xTF32 tensor cores) against the
 * Java reference {@link NtXent} (itself checked against PyTorch by {@link NtXentTest}) on fresh
 * seeded Gaussian z. Tolerance as there: |Δloss| ≤ 1e-5 · |loss| and max|Δdz| ≤ 1e-5 · max|dz|.
 * Sizes cover 2 rows, row counts that are no multiple of the 64/128-row tiles, D not a multiple of
 * the 16-wide padding or of the 128-column gradient chunk, D = 2048 (the limit), several column
 * splits, τ from 0.07 to 1. Skips visibly without a GPU.
 */
class CudaNtXentTest extends GpuTest {
    private static final double TOLERANCE = 1e-5;
    private static final Map<String, NtXent.Result> REFERENCE = new ConcurrentHashMap<>();



    static List<Arguments> sizes() {
        int[][] bd = {{1, 3}, {3, 5}, {65, 128}, {130, 33}, {150, 136}, {129, 260}, {1000, 128}, {37, 2048}, {2048, 128}};
        float[] tau = {0.5f, 0.1f, 0.2f, 1f, 0.5f, 0.07f, 0.5f, 0.5f, 0.2f};
        List<Arguments> out = new ArrayList<>();
        for (CudaNtXent.Variant v : CudaNtXent.Variant.values()) {
            for (int k = 0; k < bd.length; k++) {
                out.add(Arguments.of(v, bd[k][0], bd[k][1], tau[k]));
            }
        }
        return out;
    }

    static float[] randomZ(int rows, int dim, long seed) {
        Random r = new Random(seed);
        float[] z = new float[rows * dim];
        for (int e = 0; e < z.length; e++) {
            z[e] = (float) r.nextGaussian();
        }
        return z;
    }

    static void assertClose(NtXent.Result want, NtXent.Result got, String what) {
        assertTrue(Math.abs(got.loss() - want.loss()) <= TOLERANCE * Math.abs(want.loss()),
                () -> what + ": loss " + got.loss() + " vs reference " + want.loss());
        double max = 0;
        double err = 0;
        int worst = 0;
        for (int e = 0; e < want.dz().length; e++) {
            max = Math.max(max, Math.abs(want.dz()[e]));
            double d = Math.abs((double) got.dz()[e] - want.dz()[e]);
            if (!(d <= err)) {  // also catches NaN
                err = d;
                worst = e;
            }
        }
        double maxAbs = max;
        double maxErr = err;
        int at = worst;
        assertTrue(maxErr <= TOLERANCE * maxAbs, () -> what + ": max|Δdz| " + maxErr + " at " + at + " ("
                + got.dz()[at] + " vs " + want.dz()[at] + "), max|dz| " + maxAbs);
    }

    @ParameterizedTest(name = "{0} B={1} D={2} tau={3}")
    @MethodSource("sizes")
    void matchesReference(CudaNtXent.Variant variant, int b, int d, float tau) {
        float[] z = randomZ(2 * b, d, 1000L * b + d);
        // Both variants see the same z: compute the (costlier) reference once per size.
        NtXent.Result want = REFERENCE.computeIfAbsent(b + " " + d + " " + tau, key -> NtXent.forwardBackward(z, 2 * b, d, tau));
        try (CudaNtXent k = new CudaNtXent(ctx, variant)) {
            assertClose(want, k.forwardBackward(z, 2 * b, d, tau), variant + " B=" + b + " D=" + d);
        }
    }

    /** A row with ‖z‖ below 1e-12 takes PyTorch's clamped branch (dz = dẑ / 1e-12). */
    @Test
    void clampedNormFollowsPyTorch() {
        int rows = 300;
        int dim = 40;
        float[] z = randomZ(rows, dim, 7);
        for (int k = 0; k < dim; k++) {
            z[17 * dim + k] *= 1e-14f;
        }
        NtXent.Result want = NtXent.forwardBackward(z, rows, dim, 0.5f);
        for (CudaNtXent.Variant v : CudaNtXent.Variant.values()) {
            try (CudaNtXent k = new CudaNtXent(ctx, v)) {
                assertClose(want, k.forwardBackward(z, rows, dim, 0.5f), v + " clamped row");
            }
        }
    }

    /**
     * The device-resident call on a stream: repeated calls give identical bits (no float atomics),
     * and scratch grown for a large call serves a smaller one and then the large one again.
     */
    @Test
    void deviceCallIsRepeatableAcrossSizes() {
        int[][] shapes = {{4096, 128}, {250, 72}, {4096, 128}};
        float[] lastLoss = new float[1];
        float[] lastDz = null;
        try (CudaNtXent k = new CudaNtXent(ctx); CudaStream s = ctx.createStream()) {
            for (int[] shape : shapes) {
                int rows = shape[0];
                int dim = shape[1];
                float[] z = randomZ(rows, dim, rows + dim);
                try (DeviceBuffer zb = ctx.allocate((long) rows * dim * 4);
                     DeviceBuffer dzb = ctx.allocate((long) rows * dim * 4)) {
                    zb.upload(z);
                    float loss = k.forwardBackward(zb, rows, dim, 0.5f, dzb, s);
                    float[] dz = new float[rows * dim];
                    dzb.download(dz);
                    assertClose(NtXent.forwardBackward(z, rows, dim, 0.5f), new NtXent.Result(loss, dz), "rows " + rows);
                    float again = k.forwardBackward(zb, rows, dim, 0.5f, dzb, s);
                    float[] dz2 = new float[rows * dim];
                    dzb.download(dz2);
                    assertEquals(Float.floatToIntBits(loss), Float.floatToIntBits(again), "loss repeatable");
                    assertArrayEquals(dz, dz2, "dz repeatable");
                    if (rows == 4096 && lastDz != null) {
                        assertEquals(lastLoss[0], loss, 0f, "same input after a smaller call");
                        assertArrayEquals(lastDz, dz);
                    }
                    if (rows == 4096) {
                        // Only the large call's results are compared after the smaller one.
                        lastLoss[0] = loss;
                        lastDz = dz;
                    }
                }
            }
        }
    }

    @Test
    void rejectsDimAboveLimit() {
        try (CudaNtXent k = new CudaNtXent(ctx); DeviceBuffer z = ctx.allocate(2L * 2049 * 4);
             DeviceBuffer dz = ctx.allocate(2L * 2049 * 4)) {
            assertThrows(IllegalArgumentException.class, () -> k.forwardBackward(z, 2, 2049, 0.5f, dz, null));
        }
    }
}
