package lessismore.signature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * MI and NMI against sklearn on real CT pairs (golden file, relative |Δ| ≤ 1e-9 at 256 and 32
 * bins), properties on random images, sklearn's special cases, and {@link MutualInformationMethod}.
 */
class MutualInformationTest {
    private static final double RELATIVE_TOLERANCE = 1e-9;

    @Test
    void goldenPairsMatchSklearn() throws Exception {
        List<SsimMiGolden.Pair> pairs = SsimMiGolden.pairs();
        assertTrue(pairs.size() >= 40, "golden file has " + pairs.size() + " pairs");
        MutualInformation bins256 = new MutualInformation(256);
        MutualInformation bins32 = new MutualInformation(32);
        double worst = 0;
        for (SsimMiGolden.Pair p : pairs) {
            int n = p.w() * p.h();
            worst = Math.max(worst, check(p.mi256(), bins256.mutualInformation(p.a(), p.b(), n), p.label() + " mi 256"));
            worst = Math.max(worst, check(p.nmi256(), bins256.normalizedMutualInformation(p.a(), p.b(), n),
                    p.label() + " nmi 256"));
            worst = Math.max(worst, check(p.mi32(), bins32.mutualInformation(p.a(), p.b(), n), p.label() + " mi 32"));
            worst = Math.max(worst, check(p.nmi32(), bins32.normalizedMutualInformation(p.a(), p.b(), n),
                    p.label() + " nmi 32"));
        }
        System.out.printf("MI/NMI: %d golden pairs × 4 values, max relative |Δ| = %.3g%n", pairs.size(), worst);
    }

    @Test
    void methodSignsAndComparesLikeTheGolden() throws Exception {
        for (SsimMiGolden.Pair p : SsimMiGolden.pairs()) {
            MutualInformationMethod mi = new MutualInformationMethod(32, false, p.size());
            MutualInformationMethod nmi = new MutualInformationMethod(256, true, p.size());
            byte[] a = SsimMiGolden.sign(mi, p.nativeA(), 512, 512);
            byte[] b = SsimMiGolden.sign(mi, p.nativeB(), 512, 512);
            check(p.mi32(), mi.compare(a, b), p.label() + " mi 32");
            check(p.nmi256(), nmi.compare(a, b), p.label() + " nmi 256");
        }
    }

    /** Asserts relative agreement; returns the relative difference. */
    private static double check(double want, double got, String label) {
        double rel = Math.abs(got - want) / Math.abs(want);
        assertTrue(rel <= RELATIVE_TOLERANCE, label + ": want " + want + ", got " + got);
        return rel;
    }

    @Test
    void identicalImagesShareTheirEntropy() {
        Random rnd = new Random(1);
        for (int bins : new int[] {256, 32, 7}) {
            MutualInformation m = new MutualInformation(bins);
            byte[] a = SsimMiGolden.random(rnd, 50, 40);
            assertEquals(entropy(a, bins), m.mutualInformation(a, a.clone(), a.length), 1e-12, "bins " + bins);
            assertEquals(1.0, m.normalizedMutualInformation(a, a.clone(), a.length), 1e-12, "bins " + bins);
        }
    }

    /** −Σ p ln p of the binned values, straight from the definition. */
    private static double entropy(byte[] img, int bins) {
        int[] counts = new int[bins];
        for (byte v : img) {
            counts[(v & 0xFF) * bins / 256]++;
        }
        double h = 0;
        for (int c : counts) {
            if (c > 0) {
                double p = (double) c / img.length;
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    @Test
    void symmetric() {
        Random rnd = new Random(2);
        MutualInformation m = new MutualInformation(64);
        byte[] a = SsimMiGolden.random(rnd, 30, 30);
        byte[] b = a.clone();
        for (int i = 0; i < b.length; i += 3) {
            b[i] = (byte) rnd.nextInt(256);
        }
        assertEquals(m.mutualInformation(a, b, 900), m.mutualInformation(b, a, 900), 1e-12);
        assertEquals(m.normalizedMutualInformation(a, b, 900), m.normalizedMutualInformation(b, a, 900), 1e-12);
    }

    @Test
    void binsGroupValues() {
        // 32 bins of an image are 256 bins of the image with every value replaced by its bin.
        Random rnd = new Random(3);
        byte[] a = SsimMiGolden.random(rnd, 40, 40);
        byte[] b = SsimMiGolden.random(rnd, 40, 40);
        byte[] ga = new byte[a.length];
        byte[] gb = new byte[b.length];
        for (int i = 0; i < a.length; i++) {
            ga[i] = (byte) ((a[i] & 0xFF) * 32 / 256);
            gb[i] = (byte) ((b[i] & 0xFF) * 32 / 256);
        }
        assertEquals(new MutualInformation(256).mutualInformation(ga, gb, a.length),
                new MutualInformation(32).mutualInformation(a, b, a.length), 1e-12);
    }

    @Test
    void constantImagesFollowSklearn() {
        MutualInformation m = new MutualInformation(256);
        byte[] flat = new byte[400];
        byte[] other = new byte[400];
        Arrays.fill(flat, (byte) 90);
        Arrays.fill(other, (byte) 7);
        byte[] noisy = SsimMiGolden.random(new Random(4), 20, 20);
        // One image in a single bin: zero entropy, so MI 0 and NMI 0 ...
        assertEquals(0.0, m.mutualInformation(flat, noisy, 400));
        assertEquals(0.0, m.mutualInformation(noisy, flat, 400));
        assertEquals(0.0, m.normalizedMutualInformation(flat, noisy, 400));
        // ... unless both are: sklearn calls two unsplit labellings a perfect match.
        assertEquals(0.0, m.mutualInformation(flat, other, 400));
        assertEquals(1.0, m.normalizedMutualInformation(flat, other, 400));
        // Values 0..7 share bin 0 of 32: that image is constant at 32 bins.
        byte[] dark = new byte[400];
        for (int i = 0; i < dark.length; i++) {
            dark[i] = (byte) (i % 8);
        }
        assertEquals(1.0, new MutualInformation(32).normalizedMutualInformation(dark, flat, 400));
    }

    @Test
    void independentLabellingsGiveZero() {
        // Every (a, b) combination once: the joint histogram is the product of the marginals.
        byte[] a = {0, 0, (byte) 200, (byte) 200};
        byte[] b = {10, (byte) 250, 10, (byte) 250};
        MutualInformation m = new MutualInformation(256);
        assertEquals(0.0, m.mutualInformation(a, b, 4));
        assertEquals(0.0, m.normalizedMutualInformation(a, b, 4));
    }

    @Test
    void reusedWorkspaceForgetsThePreviousPair() {
        Random rnd = new Random(5);
        byte[] a = SsimMiGolden.random(rnd, 64, 64);
        byte[] b = SsimMiGolden.random(rnd, 64, 64);
        byte[] c = SsimMiGolden.random(rnd, 10, 10);
        byte[] d = SsimMiGolden.random(rnd, 10, 10);
        MutualInformation reused = new MutualInformation(256);
        reused.mutualInformation(a, b, a.length);
        assertEquals(new MutualInformation(256).mutualInformation(c, d, 100), reused.mutualInformation(c, d, 100), 0.0);
    }

    @Test
    void methodNamesAndErrors() {
        assertEquals("mi", new MutualInformationMethod(256, false, 128).name());
        MutualInformationMethod nmi = new MutualInformationMethod(32, true, 128);
        assertEquals("nmi", nmi.name());
        assertEquals(SignatureMethod.Direction.SIMILARITY, nmi.direction());
        assertEquals(32, nmi.parameters().get("bins"));
        assertEquals(128, nmi.parameters().get("compare_size"));
        assertTrue(nmi.parameters().get("resample").toString().contains("LANCZOS"));
        assertThrows(IllegalArgumentException.class, () -> new MutualInformationMethod(1, false, 128));
        assertThrows(IllegalArgumentException.class, () -> new MutualInformationMethod(257, false, 128));
        assertThrows(IllegalArgumentException.class, () -> new MutualInformationMethod(256, false, -1));

        MutualInformationMethod nativeSize = new MutualInformationMethod(256, false, 0);
        Random rnd = new Random(6);
        byte[] a = SsimMiGolden.sign(nativeSize, SsimMiGolden.random(rnd, 20, 30), 20, 30);
        byte[] b = SsimMiGolden.sign(nativeSize, SsimMiGolden.random(rnd, 30, 20), 30, 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> nativeSize.compare(a, b));
        assertTrue(e.getMessage().contains("--compare-size"), e.getMessage());
    }
}
