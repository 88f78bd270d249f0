package lessismore.select;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The greedy Hash-t rule, checked against a direct transcription of the published loop. */
class SelectionStrategyTest {
    /** The published loop as written in the paper's scripts: lists, remove, repeat. */
    static boolean[] publishedLoop(long[] sig, int t) {
        java.util.List<Integer> remaining = new java.util.ArrayList<>();
        for (int i = 0; i < sig.length; i++) {
            remaining.add(i);
        }
        boolean[] kept = new boolean[sig.length];
        while (!remaining.isEmpty()) {
            int ref = remaining.removeFirst();
            kept[ref] = true;
            remaining.removeIf(j -> Long.bitCount(sig[ref] ^ sig[j]) <= t);
        }
        return kept;
    }

    @Test
    void greedyEqualsThePublishedLoopOnRandomVolumes() {
        SplittableRandom r = new SplittableRandom(99);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + r.nextInt(120);
            long[] sig = new long[n];
            long base = r.nextLong();
            for (int i = 0; i < n; i++) {
                // Neighbouring slices differ in a few bits, like real CT; sometimes a jump.
                base = r.nextInt(10) == 0 ? r.nextLong() : base ^ (1L << r.nextInt(64)) ^ (1L << r.nextInt(64));
                sig[i] = base;
            }
            int t = r.nextInt(12);
            Selection s = new HashReferenceGreedy(t).select(sig);
            assertArrayEquals(publishedLoop(sig, t), s.kept(), "trial " + trial);
            for (int i = 0; i < n; i++) {
                if (!s.kept()[i]) {
                    int ref = s.reference()[i];
                    assertEquals(true, s.kept()[ref]);
                    assertEquals(Long.bitCount(sig[ref] ^ sig[i]), s.distance()[i]);
                    assertEquals(true, s.distance()[i] <= t && ref < i);
                }
            }
        }
    }

    @Test
    void thresholdIsInclusive() {
        long a = 0;
        long b = 0b111111L; // distance 6
        long c = 0b1111111L; // distance 7
        Selection s = new HashReferenceGreedy(6).select(new long[] {a, b, c});
        assertArrayEquals(new boolean[] {true, false, true}, s.kept());
        assertEquals(6, s.distance()[1]);
    }

    @Test
    void baselines() {
        long[] sig = new long[7];
        assertEquals(7, new KeepAll().select(sig).keptCount());
        assertArrayEquals(new boolean[] {true, false, false, true, false, false, true}, new EveryNth(3).select(sig).kept());
        assertThrows(IllegalArgumentException.class, () -> new EveryNth(0));
        assertThrows(IllegalArgumentException.class, () -> new HashReferenceGreedy(65));
    }
}
