package lessismore.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stratified, seeded, group-aware splits. */
class SplitsTest {
    private static final double[] DEFAULT = {0.6, 0.2, 0.2};

    /** 100 samples of class 0 and 20 of class 1; groups of 4 consecutive samples when {@code grouped}. */
    private static LabelledData data(boolean grouped) {
        int n = 120;
        int[] labels = new int[n];
        String[] groups = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i < 100 ? 0 : 1;
            groups[i] = "p" + i / 4;
        }
        return new LabelledData(null, new int[n], labels, List.of("a", "b"), grouped ? groups : null, null, Map.of());
    }

    @Test
    void perImageSplitIsStratifiedAndSeeded() {
        LabelledData d = data(false);
        int[] s = Splits.assign(d, DEFAULT, 3);
        int[][] count = new int[3][2];
        for (int i = 0; i < s.length; i++) {
            count[s[i]][d.labels()[i]]++;
        }
        assertArrayEquals(new int[] {60, 12}, count[Splits.TRAIN]);
        assertArrayEquals(new int[] {20, 4}, count[Splits.VAL]);
        assertArrayEquals(new int[] {20, 4}, count[Splits.TEST]);
        assertArrayEquals(s, Splits.assign(d, DEFAULT, 3));
        assertNotEquals(Arrays.toString(s), Arrays.toString(Splits.assign(d, DEFAULT, 4)));
    }

    @Test
    void aGroupNeverSpansTwoSplits() {
        LabelledData d = data(true);
        int[] s = Splits.assign(d, DEFAULT, 0);
        Map<String, Integer> side = new HashMap<>();
        for (int i = 0; i < s.length; i++) {
            Integer before = side.putIfAbsent(d.groups()[i], s[i]);
            assertFalse(before != null && before != s[i], "group " + d.groups()[i] + " on two sides");
        }
        assertEquals(72, Splits.members(s, Splits.TRAIN).length);
    }

    @Test
    void aGivenSplitIsKept() {
        LabelledData d = data(false);
        int[] given = new int[d.size()];
        given[5] = Splits.TEST;
        LabelledData withSplit = new LabelledData(null, d.indices(), d.labels(), d.classes(), null, given, Map.of());
        assertArrayEquals(given, Splits.assign(withSplit, DEFAULT, 0));
    }
}
