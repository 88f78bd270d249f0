package lessismore.select;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import lessismore.signature.HashMethod;
import org.junit.jupiter.api.Test;

/** The selection rules, checked against direct transcriptions of their definitions. */
class SelectionStrategyTest {
    private static final HashMethod DHASH = new HashMethod(HashMethod.Kind.DHASH, 8);

    /** The published loop as written in the paper's scripts: lists, remove, repeat. */
    static boolean[] publishedLoop(long[] sig, int from, int to, double t, boolean[] out) {
        List<Integer> remaining = new ArrayList<>();
        for (int i = from; i < to; i++) {
            remaining.add(i);
        }
        while (!remaining.isEmpty()) {
            int ref = remaining.removeFirst();
            out[ref] = true;
            remaining.removeIf(j -> Long.bitCount(sig[ref] ^ sig[j]) <= t);
        }
        return out;
    }

    /** Volumes of hashes where neighbours differ in a few bits, like real CT, with some jumps. */
    static long[] randomHashes(SplittableRandom r, int n) {
        long[] sig = new long[n];
        long base = r.nextLong();
        for (int i = 0; i < n; i++) {
            base = r.nextInt(10) == 0 ? r.nextLong() : base ^ (1L << r.nextInt(64)) ^ (1L << r.nextInt(64));
            sig[i] = base;
        }
        return sig;
    }

    static Candidates candidates(long[] sig, int[] volumeStart, int threads) {
        List<long[]> words = new ArrayList<>();
        for (long s : sig) {
            words.add(new long[] {s});
        }
        boolean[] eligible = new boolean[sig.length];
        Arrays.fill(eligible, true);
        return new Candidates(volumeStart, eligible, words, threads);
    }

    static int[] randomVolumes(SplittableRandom r, int n) {
        List<Integer> starts = new ArrayList<>(List.of(0));
        for (int i = 1; i < n; i++) {
            if (r.nextInt(40) == 0) {
                starts.add(i);
            }
        }
        starts.add(n);
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void referenceRuleEqualsThePublishedLoopPerVolume() {
        SplittableRandom r = new SplittableRandom(99);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(300);
            long[] sig = randomHashes(r, n);
            int[] vs = randomVolumes(r, n);
            int t = r.nextInt(12);
            Selection s = new SignatureStrategy<>(DHASH, Rule.REFERENCE, t).select(candidates(sig, vs, 2));
            boolean[] expected = new boolean[n];
            for (int v = 0; v + 1 < vs.length; v++) {
                publishedLoop(sig, vs[v], vs[v + 1], t, expected);
            }
            assertArrayEquals(expected, s.kept(), "trial " + trial);
            checkReferences(sig, s, t);
        }
    }

    /** Dropped slices point at an earlier kept slice within the threshold, the first such. */
    static void checkReferences(long[] sig, Selection s, double t) {
        for (int i = 0; i < sig.length; i++) {
            if (!s.kept()[i]) {
                int ref = s.reference()[i];
                assertTrue(ref >= 0 && ref < i && s.kept()[ref]);
                assertEquals(Long.bitCount(sig[ref] ^ sig[i]), s.score()[i]);
                assertTrue(s.score()[i] <= t);
            } else {
                assertEquals(-1, s.reference()[i]);
                assertTrue(Double.isNaN(s.score()[i]));
            }
        }
    }

    @Test
    void globalRuleEqualsThePublishedLoopOverTheWholeDatasetInBlocksAndThreads() {
        SplittableRandom r = new SplittableRandom(7);
        // Larger than a block (512) so that the parallel block scan and in-block resolution both run;
        // repeated volumes make cross-volume duplicates.
        int n = 2600;
        long[] sig = randomHashes(r, n);
        System.arraycopy(sig, 0, sig, 1300, 700);
        int[] vs = {0, 650, 1300, 2000, n};
        for (int t : new int[] {0, 3, 6}) {
            Selection s = new SignatureStrategy<>(DHASH, Rule.GLOBAL, t).select(candidates(sig, vs, 2));
            assertArrayEquals(publishedLoop(sig, 0, n, t, new boolean[n]), s.kept(), "t " + t);
            checkReferences(sig, s, t);
        }
        Selection s = new SignatureStrategy<>(DHASH, Rule.GLOBAL, 0).select(candidates(sig, vs, 1));
        for (int i = 1300; i < 2000; i++) {
            assertTrue(!s.kept()[i] || !s.kept()[i - 1300] || sig[i] != sig[i - 1300]);
        }
    }

    @Test
    void consecutiveRuleComparesWithTheLastKeptSliceOnly() {
        SplittableRandom r = new SplittableRandom(5);
        long[] sig = randomHashes(r, 500);
        int[] vs = {0, 200, 500};
        Selection s = new SignatureStrategy<>(DHASH, Rule.CONSECUTIVE, 4).select(candidates(sig, vs, 2));
        for (int v = 0; v < 2; v++) {
            int last = -1;
            for (int i = vs[v]; i < vs[v + 1]; i++) {
                boolean redundant = last >= 0 && Long.bitCount(sig[last] ^ sig[i]) <= 4;
                assertEquals(!redundant, s.kept()[i], "slice " + i);
                if (redundant) {
                    assertEquals(last, s.reference()[i]);
                } else {
                    last = i;
                }
            }
        }
    }

    @Test
    void ineligibleSlicesAreNeitherKeptNorReferences() {
        long[] sig = {0, 0, 0b1L, 0b11L};
        Candidates c = candidates(sig, new int[] {0, 4}, 1);
        c.eligible()[0] = false;
        Selection s = new SignatureStrategy<>(DHASH, Rule.REFERENCE, 1).select(c);
        assertArrayEquals(new boolean[] {false, true, false, true}, s.kept());
        assertEquals(-1, s.reference()[0]);
        assertEquals(1, s.reference()[2]);
    }

    @Test
    void thresholdIsInclusive() {
        long[] sig = {0, 0b111111L, 0b1111111L};
        Selection s = new SignatureStrategy<>(DHASH, Rule.REFERENCE, 6).select(candidates(sig, new int[] {0, 3}, 1));
        assertArrayEquals(new boolean[] {true, false, true}, s.kept());
        assertEquals(6, s.score()[1]);
    }

    @Test
    void fractionalThresholdDropsAFixedShareOfTheNextDistance() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 4000;
        long[] sig = randomHashes(r, n);
        double t = 6.3;
        Selection s = new SignatureStrategy<>(DHASH, Rule.REFERENCE, t).select(candidates(sig, new int[] {0, n}, 2));
        // Transcription of the documented rule: distance <= 6 redundant, distance 7 redundant when
        // the slice's fixed draw is below 0.3; the first earlier kept slice that is redundant wins.
        List<Integer> kept = new ArrayList<>();
        int boundary = 0;
        int boundaryDropped = 0;
        for (int i = 0; i < n; i++) {
            int ref = -1;
            for (int k : kept) {
                int d = Long.bitCount(sig[k] ^ sig[i]);
                if (d <= 6 || d == 7 && SignatureStrategy.unitDraw(i) < 0.3) {
                    ref = k;
                    break;
                }
            }
            assertEquals(ref < 0, s.kept()[i], "slice " + i);
            assertEquals(ref, s.reference()[i]);
            if (ref < 0) {
                kept.add(i);
            }
        }
        for (int i = 0; i < n; i++) {
            boundary += SignatureStrategy.unitDraw(i) < 0.3 ? 1 : 0;
        }
        boundaryDropped = boundary;
        // The draws are uniform: about 30% of the slices are eligible for the distance-7 rule.
        assertEquals(0.3, (double) boundaryDropped / n, 0.03);
    }

    @Test
    void baselines() {
        long[] sig = new long[7];
        Candidates c = candidates(sig, new int[] {0, 7}, 1);
        assertEquals(7, new KeepAll().select(c).keptCount());
        assertArrayEquals(new boolean[] {true, false, false, true, false, false, true}, new EveryNth(3).select(c).kept());
        assertThrows(IllegalArgumentException.class, () -> new EveryNth(0));
        assertThrows(IllegalArgumentException.class, () -> new SignatureStrategy<>(DHASH, Rule.REFERENCE, -1.5));
        assertThrows(IllegalArgumentException.class, () -> Rule.parse("nearest"));
    }
}
