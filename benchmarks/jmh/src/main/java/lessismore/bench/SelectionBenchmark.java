package lessismore.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import lessismore.select.Candidates;
import lessismore.select.Rule;
import lessismore.select.SignatureStrategy;
import lessismore.signature.HashMethod;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Each selection rule on synthetic 64-bit dHash signatures shaped like CT: volumes of 200 slices
 * whose neighbours differ in two bits, a new random start per volume. Reports milliseconds per
 * selection over the whole dataset (100k slices by default, as the issue asks for {@code global});
 * the kept count is printed once per trial so the O(N·K) cost can be read against K.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class SelectionBenchmark {
    /** reference, consecutive or global. */
    @Param({"reference", "consecutive", "global"})
    public String rule;

    /** Slices in the dataset. */
    @Param({"100000"})
    public int slices;

    /** Worker threads for the comparisons. */
    @Param({"2"})
    public int threads;

    private Candidates candidates;
    private SignatureStrategy<long[]> strategy;

    @Setup
    public void setUp() {
        SplittableRandom r = new SplittableRandom(2026);
        int perVolume = 200;
        int volumes = (slices + perVolume - 1) / perVolume;
        int[] starts = new int[volumes + 1];
        List<long[]> sig = new ArrayList<>(slices);
        long h = 0;
        for (int i = 0; i < slices; i++) {
            if (i % perVolume == 0) {
                starts[i / perVolume] = i;
                h = r.nextLong();
            }
            h ^= (1L << r.nextInt(64)) ^ (1L << r.nextInt(64));
            sig.add(new long[] {h});
        }
        starts[volumes] = slices;
        boolean[] eligible = new boolean[slices];
        Arrays.fill(eligible, true);
        candidates = new Candidates(starts, eligible, sig, threads);
        strategy = new SignatureStrategy<>(new HashMethod(HashMethod.Kind.DHASH, 8), Rule.parse(rule), 6);
        System.out.printf("%n%s: %d slices, %d kept%n", rule, slices, strategy.select(candidates).keptCount());
    }

    /** One selection over the whole dataset. */
    @Benchmark
    public int select() {
        return strategy.select(candidates).keptCount();
    }
}
