package lessismore.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import lessismore.nn.NtXentLoss;
import lessismore.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NtXent} against PyTorch (golden values from scripts/golden/make_nt_xent_golden.py: F.normalize, masked
 * logits, cross-entropy, backward, in float64 from the same float32 z, which both sides generate).
 * Tolerance, as for the CUDA kernels: |Δloss| ≤ 1e-5 · |loss| and, for every stored element of dz,
 * |Δ| ≤ 1e-5 · max|dz| (relative to the tensor's largest entry, since single entries may be near
 * 0); also ‖dz‖₂ within 1e-5 relative. Cases cover 2 rows (B = 1), row counts that are no
 * multiple of any kernel tile, τ = 0.05, and a row whose norm is below F.normalize's eps.
 */
class NtXentTest {
    private static final double TOLERANCE = 1e-5;

    record Case(String name, int b, int d, float tau, double scale, int tinyRow, double loss, double maxAbs,
                double norm, int[] index, double[] value) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() throws IOException {
        try (InputStream in = NtXentTest.class.getResourceAsStream("/golden/nt_xent/golden.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(NtXentTest::parse).toList();
        }
    }

    private static Case parse(String line) {
        String[] f = line.trim().split(" +");
        int pairs = (f.length - 9) / 2;
        int[] index = new int[pairs];
        double[] value = new double[pairs];
        for (int k = 0; k < pairs; k++) {
            index[k] = Integer.parseInt(f[9 + 2 * k]);
            value[k] = Double.parseDouble(f[10 + 2 * k]);
        }
        return new Case(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Float.parseFloat(f[3]),
                Double.parseDouble(f[4]), Integer.parseInt(f[5]), Double.parseDouble(f[6]),
                Double.parseDouble(f[7]), Double.parseDouble(f[8]), index, value);
    }

    /** z (2B, D) as the script makes it. */
    static float[] input(Case c) {
        int rows = 2 * c.b();
        float[] z = new float[rows * c.d()];
        long key = fnv1a64("nt_xent/" + c.name());
        for (int e = 0; e < z.length; e++) {
            long x = key + (e + 1L) * 0x9E3779B97F4A7C15L;
            x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
            x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
            x ^= x >>> 31;
            double u = (x >>> 11) * 0x1p-53 * 2.0 - 1.0;
            z[e] = (float) (c.scale() * u);
        }
        if (c.tinyRow() >= 0) {
            for (int k = 0; k < c.d(); k++) {
                z[c.tinyRow() * c.d() + k] *= 1e-14f;
            }
        }
        return z;
    }

    private static long fnv1a64(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001B3L;
        }
        return h;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesPyTorch(Case c) {
        NtXent.Result r = NtXent.forwardBackward(input(c), 2 * c.b(), c.d(), c.tau());
        assertTrue(Math.abs(r.loss() - c.loss()) <= TOLERANCE * Math.abs(c.loss()),
                () -> c.name() + ": loss " + r.loss() + " vs torch " + c.loss());
        double sq = 0;
        double max = 0;
        for (float v : r.dz()) {
            sq += (double) v * v;
            max = Math.max(max, Math.abs(v));
        }
        assertEquals(c.norm(), Math.sqrt(sq), TOLERANCE * c.norm(), c.name() + ": ||dz||");
        assertEquals(c.maxAbs(), max, TOLERANCE * c.maxAbs(), c.name() + ": max|dz|");
        for (int k = 0; k < c.index().length; k++) {
            int e = c.index()[k];
            assertEquals(c.value()[k], r.dz()[e], TOLERANCE * c.maxAbs(), c.name() + ": dz[" + e + "]");
        }
    }

    /**
     * The training path's {@link NtXentLoss} (fp32 GEMMs) computes the same loss and gradient where no
     * norm is clamped (the two differ only for ‖z‖ &lt; 1e-12, where this class follows PyTorch).
     */
    @ParameterizedTest
    @MethodSource("cases")
    void agreesWithTrainingLoss(Case c) {
        assumeTrue(c.tinyRow() < 0, "NtXentLoss differs by design on clamped norms");
        float[] z = input(c);
        int rows = 2 * c.b();
        NtXent.Result r = NtXent.forwardBackward(z, rows, c.d(), c.tau());
        NtXentLoss loss = new NtXentLoss(c.tau());
        float l = loss.forward(new Tensor(z.clone(), rows, c.d()));
        float[] dz = loss.backward().data;
        assertEquals(r.loss(), l, TOLERANCE * Math.abs(r.loss()), c.name() + ": loss");
        double max = 0;
        for (float v : r.dz()) {
            max = Math.max(max, Math.abs(v));
        }
        for (int e = 0; e < dz.length; e++) {
            assertEquals(r.dz()[e], dz[e], TOLERANCE * max, c.name() + ": dz[" + e + "]");
        }
    }

    @Test
    void rejectsBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> NtXent.forwardBackward(new float[3], 3, 1, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> NtXent.forwardBackward(new float[4], 2, 3, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> NtXent.forwardBackward(new float[4], 2, 2, 0f));
    }
}
