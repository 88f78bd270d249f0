package lessismore.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Train / validation / test assignment of the samples of a {@link LabelledData}: the CSV's own
 * {@code split} column when it has one; otherwise a seeded split stratified by class, that keeps
 * each group (patient) on one side when groups are known, and each sample its own group when not.
 *
 * <p>The stratified split: units (groups, or single samples) are bucketed by their majority class,
 * shuffled within the bucket, and handed out in that order, a unit going to train while the
 * samples before it are under {@code train} × the bucket's samples, then to validation while under
 * {@code train + val}, then to test. With single samples that is exact stratification up to
 * rounding up: class c gets ⌈0.6·n_c⌉ training samples at 60%.
 */
public final class Splits {
    /** Split codes. */
    public static final int TRAIN = 0;
    /** Validation. */
    public static final int VAL = 1;
    /** Test. */
    public static final int TEST = 2;
    /** Names of the split codes, as in the CSV and eval.json. */
    public static final List<String> NAMES = List.of("train", "val", "test");

    private Splits() {
    }

    /** The code of a CSV split value. */
    static int parse(String value, Path csv) {
        int s = NAMES.indexOf(value);
        if (s < 0) {
            throw new IllegalArgumentException(csv + ": split '" + value + "' is not train, val or test");
        }
        return s;
    }

    /**
     * The split of each sample.
     *
     * @param fractions train, val and test fractions (summing to 1)
     */
    public static int[] assign(LabelledData data, double[] fractions, long seed) {
        if (data.splits() != null) {
            return data.splits().clone();
        }
        Map<String, List<Integer>> units = new LinkedHashMap<>();   // group -> its samples, in data order
        for (int i = 0; i < data.size(); i++) {
            units.computeIfAbsent(data.groups() == null ? "#" + i : data.groups()[i], k -> new ArrayList<>()).add(i);
        }
        List<List<List<Integer>>> buckets = new ArrayList<>();
        for (int c = 0; c < data.classes().size(); c++) {
            buckets.add(new ArrayList<>());
        }
        for (List<Integer> unit : units.values()) {
            buckets.get(majority(unit, data.labels(), data.classes().size())).add(unit);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] split = new int[data.size()];
        for (List<List<Integer>> bucket : buckets) {
            List<List<Integer>> copy = List.copyOf(bucket);
            int[] order = permutation(bucket.size(), random);
            for (int i = 0; i < order.length; i++) {
                bucket.set(i, copy.get(order[i]));
            }
            int total = bucket.stream().mapToInt(List::size).sum();
            int before = 0;
            for (List<Integer> unit : bucket) {
                int s = before < fractions[0] * total ? TRAIN : before < (fractions[0] + fractions[1]) * total ? VAL : TEST;
                for (int i : unit) {
                    split[i] = s;
                }
                before += unit.size();
            }
        }
        return split;
    }

    private static int majority(List<Integer> unit, int[] labels, int classes) {
        int[] count = new int[classes];
        int best = labels[unit.getFirst()];
        for (int i : unit) {
            if (++count[labels[i]] > count[best]) {
                best = labels[i];
            }
        }
        return best;
    }

    /** A random permutation of 0..n−1 (Fisher–Yates): the same generator state gives the same order. */
    static int[] permutation(int n, SplittableRandom random) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    /** Indices of the samples in split {@code s}. */
    public static int[] members(int[] split, int s) {
        return java.util.stream.IntStream.range(0, split.length).filter(i -> split[i] == s).toArray();
    }
}
