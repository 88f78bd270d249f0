package lessismore.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Views: shape, value range, crop parameters as torchvision's, and reproducibility from the seed. */
class AugmentationTest {
    /** A gradient in [0, 1) with a bright square: varied enough that every transform shows. */
    static float[] image(int side) {
        float[] img = new float[side * side];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                img[y * side + x] = (x + y) / (4f * side) + (x > side / 3 && x < side / 2 && y > side / 4 ? 0.5f : 0f);
            }
        }
        return img;
    }

    @Test
    void viewsHaveTheOutputSizeStayInRangeAndFollowTheSeed() {
        Augmentation aug = Augmentation.defaults(24);
        float[] src = image(48);
        for (int seed = 0; seed < 50; seed++) {
            float[] a = new float[2 + 24 * 24];
            float[] b = new float[2 + 24 * 24];
            aug.apply(src, 48, new SplittableRandom(seed), a, 2);
            aug.apply(src, 48, new SplittableRandom(seed), b, 2);
            assertArrayEquals(a, b, "same seed, same view");
            assertEquals(0f, a[0]);
            assertEquals(0f, a[1]);
            for (int i = 2; i < a.length; i++) {
                assertTrue(a[i] >= 0f && a[i] <= 1f, "value " + a[i]);
            }
        }
        float[] a = new float[24 * 24];
        float[] b = new float[24 * 24];
        aug.apply(src, 48, new SplittableRandom(1), a, 0);
        aug.apply(src, 48, new SplittableRandom(2), b, 0);
        assertFalse(Arrays.equals(a, b), "different seeds give different views");
    }

    @Test
    void cropBoxesLieInsideTheImageWithTorchvisionScaleAndRatio() {
        Augmentation aug = Augmentation.defaults(32);
        SplittableRandom rng = new SplittableRandom(7);
        int fallbacks = 0;
        for (int i = 0; i < 2000; i++) {
            int[] box = aug.cropBox(100, 100, rng);
            assertTrue(box[0] >= 0 && box[1] >= 0 && box[0] + box[2] <= 100 && box[1] + box[3] <= 100,
                    Arrays.toString(box));
            double area = box[2] * box[3] / 10000.0;
            double ratio = (double) box[3] / box[2];
            if (box[2] == 100 && box[3] == 100) {
                fallbacks++;
                continue;
            }
            // Rounding of w and h moves area and ratio slightly outside the drawn ranges.
            assertTrue(area >= 0.08 * 0.9 && area <= 1.0, "area " + area);
            assertTrue(ratio >= 0.75 * 0.9 && ratio <= 4.0 / 3 * 1.1, "ratio " + ratio);
        }
        assertTrue(fallbacks < 40, "centre-crop fallbacks " + fallbacks);
    }

    @Test
    void bilinearResizeOfTheWholeImageAtItsSizeIsTheIdentityAndBlurKeepsConstants() {
        float[] src = image(16);
        float[] out = new float[16 * 16];
        Augmentation.resizeBilinear(src, 16, new int[] {0, 0, 16, 16}, out, 16);
        assertArrayEquals(src, out, 1e-6f);
        float[] flat = new float[20 * 20];
        Arrays.fill(flat, 0.25f);
        float[] blurred = Augmentation.gaussianBlur(flat, 20, 1.5);
        for (float v : blurred) {
            assertEquals(0.25f, v, 1e-6f);
        }
    }
}
