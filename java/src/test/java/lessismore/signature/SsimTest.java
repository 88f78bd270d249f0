package lessismore.signature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SSIM against skimage on real CT pairs (golden file, |Δ| ≤ 1e-6), properties on random images, and
 * the signature and errors of {@link SsimMethod}.
 */
class SsimTest {
    private static final double GOLDEN_TOLERANCE = 1e-6;

    @Test
    void goldenPairsMatchSkimage() throws Exception {
        List<SsimMiGolden.Pair> pairs = SsimMiGolden.pairs();
        assertTrue(pairs.size() >= 40, "golden file has " + pairs.size() + " pairs");
        Ssim ssim = new Ssim();
        double worst = 0;
        for (SsimMiGolden.Pair p : pairs) {
            double got = ssim.mean(p.a(), p.b(), p.w(), p.h());
            assertEquals(p.ssim(), got, GOLDEN_TOLERANCE, p.label());
            worst = Math.max(worst, Math.abs(got - p.ssim()));
        }
        System.out.printf("SSIM: %d golden pairs, max |Δ| = %.3g%n", pairs.size(), worst);
    }

    @Test
    void methodSignsAndComparesLikeTheGolden() throws Exception {
        for (SsimMiGolden.Pair p : SsimMiGolden.pairs()) {
            SsimMethod m = new SsimMethod(p.size());
            byte[] a = SsimMiGolden.sign(m, p.nativeA(), 512, 512);
            byte[] b = SsimMiGolden.sign(m, p.nativeB(), 512, 512);
            assertEquals(p.ssim(), m.compare(a, b), GOLDEN_TOLERANCE, p.label());
        }
    }

    @Test
    void identicalImagesGiveOne() {
        Random rnd = new Random(1);
        byte[] a = SsimMiGolden.random(rnd, 64, 48);
        assertEquals(1.0, new Ssim().mean(a, a.clone(), 64, 48), 1e-12);
    }

    @Test
    void symmetric() {
        Random rnd = new Random(2);
        Ssim ssim = new Ssim();
        for (int t = 0; t < 5; t++) {
            int w = 11 + rnd.nextInt(60);
            int h = 11 + rnd.nextInt(60);
            byte[] a = SsimMiGolden.random(rnd, w, h);
            byte[] b = SsimMiGolden.random(rnd, w, h);
            assertEquals(ssim.mean(a, b, w, h), ssim.mean(b, a, w, h), 0.0);
        }
    }

    @Test
    void constantImagesFollowTheFormula() {
        // No variance anywhere: SSIM is the luminance term (2xy + C1) / (x² + y² + C1) everywhere.
        Ssim ssim = new Ssim();
        byte[] a = new byte[20 * 30];
        byte[] b = new byte[20 * 30];
        Arrays.fill(a, (byte) 40);
        Arrays.fill(b, (byte) 200);
        double c1 = (0.01 * 255) * (0.01 * 255);
        assertEquals((2 * 40 * 200 + c1) / (40 * 40 + 200 * 200 + c1), ssim.mean(a, b, 20, 30), 1e-12);
        assertEquals(1.0, ssim.mean(a, a, 20, 30), 1e-12);
    }

    @Test
    void reusedWorkspaceGivesTheSameResultsAcrossSizes() {
        Random rnd = new Random(3);
        byte[] big1 = SsimMiGolden.random(rnd, 90, 70);
        byte[] big2 = SsimMiGolden.random(rnd, 90, 70);
        byte[] small1 = SsimMiGolden.random(rnd, 13, 12);
        byte[] small2 = SsimMiGolden.random(rnd, 13, 12);
        Ssim reused = new Ssim();
        reused.mean(big1, big2, 90, 70);
        assertEquals(new Ssim().mean(small1, small2, 13, 12), reused.mean(small1, small2, 13, 12), 0.0);
    }

    @Test
    void imagesSmallerThanTheWindowAreRefused() {
        byte[] a = new byte[10 * 40];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Ssim().mean(a, a, 10, 40));
        assertTrue(e.getMessage().contains("11×11"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SsimMethod(10));
    }

    @Test
    void signatureIsTheImageAtTheCompareSize() {
        Random rnd = new Random(4);
        byte[] img = SsimMiGolden.random(rnd, 40, 30);
        SsimMethod nativeSize = new SsimMethod(0);
        byte[] sig = SsimMiGolden.sign(nativeSize, img, 40, 30);
        assertEquals(40, SampledImage.width(sig));
        assertEquals(30, SampledImage.height(sig));
        assertArrayEquals(img, Arrays.copyOf(sig, 40 * 30));

        byte[] square = SsimMiGolden.random(rnd, 32, 32);
        assertArrayEquals(square, Arrays.copyOf(SsimMiGolden.sign(new SsimMethod(32), square, 32, 32), 32 * 32),
                "an image already at the compare size is kept as it is");

        byte[] resized = SsimMiGolden.sign(new SsimMethod(16), img, 40, 30);
        int[] want = PilLanczos.resize(img, 40, 30, 16, 16);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], resized[i] & 0xFF);
        }
        assertEquals(16, SampledImage.width(resized));
    }

    @Test
    void signerCopiesThePixels() {
        byte[] img = SsimMiGolden.random(new Random(5), 20, 20);
        byte[] before = img.clone();
        byte[] sig = SsimMiGolden.sign(new SsimMethod(0), img, 20, 20);
        Arrays.fill(img, (byte) 0);
        assertArrayEquals(before, Arrays.copyOf(sig, 400));
    }

    @Test
    void nativeSizesMustAgree() {
        SsimMethod m = new SsimMethod(0);
        Random rnd = new Random(6);
        byte[] a = SsimMiGolden.sign(m, SsimMiGolden.random(rnd, 20, 30), 20, 30);
        byte[] b = SsimMiGolden.sign(m, SsimMiGolden.random(rnd, 30, 20), 30, 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.compare(a, b));
        assertTrue(e.getMessage().contains("--compare-size"), e.getMessage());
    }

    @Test
    void describesItself() {
        SsimMethod m = new SsimMethod(128);
        assertEquals("ssim", m.name());
        assertEquals(SignatureMethod.Direction.SIMILARITY, m.direction());
        assertEquals(128, m.parameters().get("compare_size"));
        assertTrue(m.parameters().get("resample").toString().contains("LANCZOS"));
        assertTrue(m.redundant(0.95, 0.9));
        assertEquals("native", new SsimMethod(0).parameters().get("compare_size"));
    }
}
