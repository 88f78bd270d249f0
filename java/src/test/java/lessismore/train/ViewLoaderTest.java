package lessismore.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data pipeline: batches depend on (seed, epoch, step, index) only, never on thread count. */
class ViewLoaderTest {
    private static List<ViewLoader.Batch> batches(Dataset data, int threads, long seed, long from, long to)
            throws Exception {
        List<ViewLoader.Batch> out = new ArrayList<>();
        try (ViewLoader loader = new ViewLoader(data, Augmentation.defaults(16), 3, seed, threads, 2, from, to)) {
            for (long s = from; s < to; s++) {
                out.add(loader.next());
            }
        }
        return out;
    }

    @Test
    void sameSeedGivesTheSameViewsForAnyThreadCountAndStartingStep(@TempDir Path tmp) throws Exception {
        Dataset data = Dataset.load(DatasetTest.pngFolder(tmp, 7), 32, 2);
        assertEquals(7, data.size());
        assertEquals(2, ViewLoader.stepsPerEpoch(7, 3));
        List<ViewLoader.Batch> one = batches(data, 1, 42, 0, 6);
        List<ViewLoader.Batch> four = batches(data, 4, 42, 0, 6);
        List<ViewLoader.Batch> resumed = batches(data, 3, 42, 3, 6);
        for (int s = 0; s < 6; s++) {
            ViewLoader.Batch a = one.get(s);
            assertEquals(s, a.step());
            assertEquals(s / 2, a.epoch());
            assertArrayEquals(new int[] {6, 1, 16, 16}, a.views().shape());
            assertArrayEquals(a.indices(), four.get(s).indices());
            assertArrayEquals(a.views().data, four.get(s).views().data);
            if (s >= 3) {
                assertArrayEquals(a.views().data, resumed.get(s - 3).views().data);
            }
        }
        // Two views of one image differ; another seed gives other views.
        float[] v = one.getFirst().views().data;
        assertFalse(Arrays.equals(Arrays.copyOfRange(v, 0, 256), Arrays.copyOfRange(v, 3 * 256, 4 * 256)));
        assertFalse(Arrays.equals(v, batches(data, 1, 43, 0, 1).getFirst().views().data));
    }

    @Test
    void eachEpochIsAPermutationAndEpochsDiffer() {
        int[] a = ViewLoader.permutation(50, 5, 0);
        int[] b = ViewLoader.permutation(50, 5, 1);
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sorted[i]);
        }
        assertFalse(Arrays.equals(a, b));
        assertArrayEquals(a, ViewLoader.permutation(50, 5, 0));
    }
}
