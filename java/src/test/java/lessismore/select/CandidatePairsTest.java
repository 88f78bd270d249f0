package lessismore.select;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import lessismore.signature.HashMethod;
import lessismore.signature.SignatureMethod;
import org.junit.jupiter.api.Test;

/**
 * The greedy rule driven by candidate pairs (what a GPU supplies) selects exactly what the plain
 * scan selects, for whole and fractional Hamming thresholds, both rules that use pairs, low
 * information slices, and pair sets that are supersets of the redundant pairs.
 */
class CandidatePairsTest {
    private static final HashMethod DHASH = new HashMethod(HashMethod.Kind.DHASH, 8);

    /** Every pair within distance ceil(t) + slack (slack > 0: a superset, as a GPU margin gives). */
    private static class BruteForce implements CandidatePairs {
        private final int slack;

        BruteForce(int slack) {
            this.slack = slack;
        }

        @Override
        public boolean supports(SignatureMethod<?> method) {
            return method.hamming();
        }

        @Override
        public Pairs find(List<?> signatures, int[] groups, SignatureMethod<?> method, double threshold) {
            List<int[]> out = new ArrayList<>();
            for (int i = 0; i < signatures.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (groups != null && groups[i] != groups[j]) {
                        continue;
                    }
                    long a = ((long[]) signatures.get(i))[0];
                    long b = ((long[]) signatures.get(j))[0];
                    if (Long.bitCount(a ^ b) <= Math.ceil(threshold) + slack) {
                        out.add(new int[] {i, j});
                    }
                }
            }
            return new Pairs(out.stream().mapToInt(p -> p[0]).toArray(), out.stream().mapToInt(p -> p[1]).toArray());
        }

        @Override
        public String describe() {
            return "brute force";
        }
    }

    @Test
    void pairsGiveTheSameSelectionAsTheScan() {
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 150; trial++) {
            int n = 1 + r.nextInt(400);
            long[] sig = SelectionStrategyTest.randomHashes(r, n);
            int[] vs = SelectionStrategyTest.randomVolumes(r, n);
            Candidates c = SelectionStrategyTest.candidates(sig, vs, 2);
            for (int i = 0; i < n; i++) {
                c.eligible()[i] = r.nextInt(15) != 0;
            }
            double t = r.nextBoolean() ? r.nextInt(12) : r.nextInt(12) - 1 + r.nextDouble();
            for (Rule rule : List.of(Rule.REFERENCE, Rule.GLOBAL)) {
                SignatureStrategy<long[]> plain = new SignatureStrategy<>(DHASH, rule, t);
                Selection want = plain.select(c);
                Selection got = plain.withCandidatePairs(new BruteForce(r.nextInt(3))).select(c);
                String what = "trial " + trial + " " + rule + " t=" + t;
                assertArrayEquals(want.kept(), got.kept(), what);
                assertArrayEquals(want.reference(), got.reference(), what);
                assertArrayEquals(want.score(), got.score(), what);
            }
        }
    }

    @Test
    void aFinderThatDeclinesLeavesTheScan() {
        SplittableRandom r = new SplittableRandom(3);
        long[] sig = SelectionStrategyTest.randomHashes(r, 300);
        Candidates c = SelectionStrategyTest.candidates(sig, new int[] {0, 300}, 2);
        CandidatePairs declines = new BruteForce(0) {
            @Override
            public Pairs find(List<?> signatures, int[] groups, SignatureMethod<?> method, double threshold) {
                return null;
            }
        };
        SignatureStrategy<long[]> plain = new SignatureStrategy<>(DHASH, Rule.GLOBAL, 6);
        assertArrayEquals(plain.select(c).kept(), plain.withCandidatePairs(declines).select(c).kept());
    }

    @Test
    void consecutiveRuleAndUnsupportedMethodsKeepTheScan() {
        SignatureStrategy<long[]> s = new SignatureStrategy<>(DHASH, Rule.CONSECUTIVE, 6).withCandidatePairs(new BruteForce(0));
        assertNull(s.candidatePairs());
    }

    @Test
    void unsortedPairsAreRefused() {
        long[] sig = {1, 1, 1};
        CandidatePairs reversed = new BruteForce(0) {
        };
        CandidatePairs bad = new CandidatePairs() {
            @Override
            public boolean supports(SignatureMethod<?> method) {
                return true;
            }

            @Override
            public Pairs find(List<?> signatures, int[] groups, SignatureMethod<?> method, double threshold) {
                return new Pairs(new int[] {2, 1}, new int[] {0, 0});
            }

            @Override
            public String describe() {
                return "unsorted";
            }
        };
        Candidates c = SelectionStrategyTest.candidates(sig, new int[] {0, 3}, 1);
        assertThrows(IllegalStateException.class,
                () -> new SignatureStrategy<>(DHASH, Rule.GLOBAL, 6).withCandidatePairs(bad).select(c));
        Arrays.fill(c.eligible(), true);
        assertArrayEquals(new boolean[] {true, false, false},
                new SignatureStrategy<>(DHASH, Rule.GLOBAL, 0).withCandidatePairs(reversed).select(c).kept());
    }
}
