package lessismore.reduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lessismore.cuda.Backend;
import lessismore.cuda.GpuTest;
import lessismore.select.Rule;
import lessismore.select.SelectionStrategy;
import lessismore.select.SignatureStrategy;
import lessismore.signature.EmbeddingMethod;
import lessismore.signature.HashMethod;
import lessismore.synth.PhantomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reduce --device cuda} decides exactly what {@code --device cpu} decides: the same
 * manifest, byte for byte, for every hash the GPU computes and for the global rule's candidate
 * pairs (hashes and embeddings). Runs on a generated phantom study, so it needs no shared data on
 * the GPU machine; skips (saying why) where no GPU answers.
 */
class ReduceOnGpuTest extends GpuTest {
    @TempDir
    Path tmp;

    private String manifest(Path study, SelectionStrategy s, Backend b, String name) throws Exception {
        Reducer.Options o = new Reducer.Options(study, tmp.resolve(name), s, VolumeGrouper.Order.ANATOMICAL,
                Export.NONE, false, 4).withBackend(b);
        Reducer.Result r = new Reducer(o).run();
        @SuppressWarnings("unchecked")
        Map<String, Object> p = (Map<String, Object>) r.summary().get("parameters");
        assertTrue(String.valueOf(p.get("device")).startsWith(b.context() == null ? "cpu" : "cuda:"), p.toString());
        return Files.readString(r.outputDir().resolve("manifest.csv"));
    }

    @Test
    void gpuAndCpuWriteTheSameManifest() throws Exception {
        Path study = PhantomGenerator.generate(tmp.resolve("study"), PhantomGenerator.Options.defaults().withSize(192)).root();
        List<SelectionStrategy> strategies = List.of(
                new SignatureStrategy<>(new HashMethod(HashMethod.Kind.DHASH, 8), Rule.REFERENCE, 6),
                new SignatureStrategy<>(new HashMethod(HashMethod.Kind.DHASH, 8), Rule.GLOBAL, 6.4),
                new SignatureStrategy<>(new HashMethod(HashMethod.Kind.AHASH, 8), Rule.REFERENCE, 4),
                new SignatureStrategy<>(new HashMethod(HashMethod.Kind.PHASH, 16), Rule.GLOBAL, 40),
                new SignatureStrategy<>(new HashMethod(HashMethod.Kind.DHASH, 16), Rule.CONSECUTIVE, 20),
                new SignatureStrategy<>(EmbeddingMethod.create(EmbeddingMethod.Config.defaults()), Rule.GLOBAL, 0.95));
        int k = 0;
        try (Backend gpu = Backend.choose("cuda"); Backend cpu = Backend.choose("cpu")) {
            for (SelectionStrategy s : strategies) {
                String want = manifest(study, s, cpu, "cpu" + k);
                String got = manifest(study, s, gpu, "gpu" + k);
                assertEquals(want, got, s.name() + " " + s.method().name());
                k++;
            }
        }
    }
}
