package lessismore.reduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import lessismore.TestData;
import lessismore.select.Candidates;
import lessismore.select.Rule;
import lessismore.select.SignatureStrategy;
import lessismore.select.ThresholdSearch;
import lessismore.signature.EmbeddingMethod;
import lessismore.signature.HashMethod;
import lessismore.signature.MutualInformationMethod;
import lessismore.signature.SampledImage;
import lessismore.signature.SsimMethod;
import lessismore.signature.SignatureMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --keep-fraction} hits its target within ±2% on the shared CT data, for every rule. */
class KeepFractionTest {
    static final double[] TARGETS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9};

    /** The shared CT as selection sees it, signed with {@code method}. */
    static Candidates sharedCt(SignatureMethod<?> method, Path tmp) throws Exception {
        Reducer.Result r = new Reducer(new Reducer.Options(TestData.sharedData().resolve("ct"), tmp.resolve("out"),
                new SignatureStrategy<>(method, Rule.REFERENCE, 0), VolumeGrouper.Order.ANATOMICAL, Export.NONE,
                false, 2)).run();
        List<Object> sig = new ArrayList<>();
        int[] starts = new int[r.volumes().size() + 1];
        for (int v = 0; v < r.volumes().size(); v++) {
            starts[v] = sig.size();
            r.volumes().get(v).slices().forEach(s -> sig.add(s.signature()));
        }
        starts[r.volumes().size()] = sig.size();
        boolean[] eligible = new boolean[sig.size()];
        Arrays.fill(eligible, true);
        return new Candidates(starts, eligible, sig, 2);
    }

    /** Searches every target under every rule and checks the fraction and the threshold's selection. */
    static <S> void checkTargets(SignatureMethod<S> method, Candidates c, double[] targets) {
        for (Rule rule : Rule.values()) {
            for (double target : targets) {
                ThresholdSearch.Found f = ThresholdSearch.search(method, rule, c, target);
                double kept = (double) f.selection().keptCount() / c.size();
                assertEquals(kept, f.keptFraction(), 1e-12);
                assertEquals(target, kept, 0.02, method.name() + " " + rule + " target " + target
                        + " threshold " + f.threshold());
                // The selection reported is the one its threshold gives.
                assertEquals(f.selection().keptCount(),
                        new SignatureStrategy<>(method, rule, f.threshold()).select(c).keptCount());
                assertTrue(f.trace().size() <= 80, "search steps " + f.trace().size());
            }
        }
    }

    @Test
    void hashTargetsAreHitOnSharedCt(@TempDir Path tmp) throws Exception {
        HashMethod dhash = new HashMethod(HashMethod.Kind.DHASH, 8);
        checkTargets(dhash, sharedCt(dhash, tmp), TARGETS);
    }

    /**
     * Similarity strategies: fewer targets, and SSIM at 64 px, where a pair costs ~0.1 ms instead of
     * ~0.4 ms at the default 128 (the global search may compare all 36k pairs once).
     */
    @Test
    void similarityTargetsAreHitOnSharedCt(@TempDir Path tmp) throws Exception {
        double[] targets = {0.2, 0.6};
        SignatureMethod<?>[] methods = {new SsimMethod(64),
            new MutualInformationMethod(256, true, SampledImage.DEFAULT_COMPARE_SIZE),
            EmbeddingMethod.create(EmbeddingMethod.Config.defaults())};
        for (SignatureMethod<?> m : methods) {
            long t0 = System.nanoTime();
            checkTargets(m, sharedCt(m, tmp.resolve(m.name())), targets);
            System.out.printf("%s: %.1f s%n", m.name(), (System.nanoTime() - t0) / 1e9);
        }
    }
}
