package lessismore.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import lessismore.nn.AdamW;
import lessismore.nn.Lars;
import lessismore.nn.Optimizer;
import lessismore.nn.Parameter;
import lessismore.nn.Safetensors;
import lessismore.nn.Sgd;
import lessismore.nn.StateDict;
import lessismore.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Resuming is exact: 4 steps straight and 2 steps, then a resume from the step-2 checkpoint in a
 * fresh folder for 2 more, give bit-identical weights, batch-norm statistics and optimizer state.
 */
class ResumeTest {
    private static PretrainRun.Plan plan(String optimizer) {
        return new PretrainRun.Plan() {
            @Override
            public int size() {
                return 16;
            }

            @Override
            public PretrainConfig forImages(int images) {
                return new PretrainConfig("resnet18", "bn", 16, 16, 2, 0, 4, optimizer, 0.05, 1, 1e-4, 0.9, 0.5, 11);
            }
        };
    }

    @Test
    void fourStepsStraightEqualTwoStepsResumeAndTwoMore(@TempDir Path tmp) throws Exception {
        Path data = DatasetTest.pngFolder(tmp, 5);
        Path straight = tmp.resolve("straight");
        PretrainRun.Result a = PretrainRun.run(new PretrainRun.Options(data, straight, plan("sgd"), null, 2, 2, 5,
                false), null);
        assertEquals(List.of(2L, 4L), Checkpoint.steps(straight));
        // The interrupted run: only what existed after step 2.
        Path interrupted = Files.createDirectories(tmp.resolve("interrupted"));
        for (String f : List.of("checkpoint-2.safetensors", "checkpoint-2-head.safetensors",
                "checkpoint-2-optimizer.safetensors", "checkpoint-2.json")) {
            Files.copy(straight.resolve(f), interrupted.resolve(f));
        }
        List<String> lines = Files.readAllLines(straight.resolve(PretrainRun.METRICS));
        Files.write(interrupted.resolve(PretrainRun.METRICS), lines.subList(0, 2));
        Path resumed = tmp.resolve("resumed");
        PretrainRun.Result b = PretrainRun.run(new PretrainRun.Options(data, resumed, plan("lars"), interrupted, 1, 2,
                5, false), null);
        assertEquals(2, b.firstStep());
        assertEquals(a.config(), b.config(), "the configuration comes from the checkpoint");
        assertEquals(4, b.metrics().size());
        for (int i = 0; i < 4; i++) {
            // Steps 1-2 of the resumed run come from metrics.jsonl, where losses are floats.
            assertEquals((float) a.metrics().get(i).loss(), (float) b.metrics().get(i).loss(), "loss of step " + (i + 1));
        }
        for (String f : List.of("checkpoint-4.safetensors", "checkpoint-4-head.safetensors",
                "checkpoint-4-optimizer.safetensors")) {
            assertBitIdentical(straight.resolve(f), resumed.resolve(f));
        }
        assertTrue(Files.readString(resumed.resolve(PretrainRun.REPORT)).contains("<svg"));
        assertEquals(4, Files.readAllLines(resumed.resolve(PretrainRun.METRICS)).size());
    }

    @Test
    void resumingInPlaceContinuesTheSameFolder(@TempDir Path tmp) throws Exception {
        Path data = DatasetTest.pngFolder(tmp, 4);
        Path run = tmp.resolve("run");
        PretrainRun.run(new PretrainRun.Options(data, run, plan("lars"), null, 2, 1, 1, false), null);
        assertEquals(List.of(4L), Checkpoint.steps(run), "older checkpoints beyond --keep are removed");
        // A finished run resumes to nothing new but keeps its metrics and report.
        Files.copy(run.resolve(PretrainRun.METRICS), tmp.resolve("m"), StandardCopyOption.REPLACE_EXISTING);
        PretrainRun.Result again = PretrainRun.run(new PretrainRun.Options(data, run, null, run, 2, 2, 1, false), null);
        assertEquals(4, again.firstStep());
        assertEquals(Files.readAllLines(tmp.resolve("m")), Files.readAllLines(run.resolve(PretrainRun.METRICS)));
    }

    /** Optimizer state saved after 2 steps and loaded into a fresh optimizer continues exactly. */
    @ParameterizedTest
    @ValueSource(strings = {"sgd", "lars", "adamw"})
    void optimizerStateRoundTripsExactly(String name, @TempDir Path tmp) throws Exception {
        Parameter[] original = {new Parameter(Parameter.Kind.WEIGHT, 3, 4), new Parameter(Parameter.Kind.BIAS, 4)};
        Parameter[] copy = {new Parameter(Parameter.Kind.WEIGHT, 3, 4), new Parameter(Parameter.Kind.BIAS, 4)};
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (Parameter p : original) {
            for (int i = 0; i < p.value.numel(); i++) {
                p.value.data[i] = (float) rng.nextGaussian();
            }
        }
        Optimizer a = optimizer(name, List.of(original));
        for (int step = 0; step < 4; step++) {
            if (step == 2) {
                Path f = tmp.resolve("opt.safetensors");
                StateDict.of(a).save(f);
                for (int i = 0; i < copy.length; i++) {
                    System.arraycopy(original[i].value.data, 0, copy[i].value.data, 0, copy[i].value.numel());
                }
                Optimizer b = optimizer(name, List.of(copy));
                StateDict.of(b).load(f, true);
                a = new Both(a, b);
            }
            for (int i = 0; i < original.length; i++) {
                for (int k = 0; k < original[i].grad.numel(); k++) {
                    float g = (float) Math.sin(step * 7 + i * 3 + k);
                    original[i].grad.data[k] = g;
                    copy[i].grad.data[k] = g;
                }
            }
            a.step(0.1f);
        }
        for (int i = 0; i < original.length; i++) {
            assertArrayEquals(original[i].value.data, copy[i].value.data, name + " parameter " + i);
        }
    }

    /** Steps two optimizers together. */
    private record Both(Optimizer first, Optimizer second) implements Optimizer {
        @Override
        public void step(float lr) {
            first.step(lr);
            second.step(lr);
        }

        @Override
        public void visitState(lessismore.nn.StateVisitor visitor) {
            first.visitState(visitor);
        }
    }

    private static Optimizer optimizer(String name, List<Parameter> ps) {
        return switch (name) {
            case "sgd" -> new Sgd(ps, 0.9f, 1e-3f);
            case "lars" -> new Lars(ps, 0.9f, 1e-3f, Lars.DEFAULT_TRUST);
            default -> new AdamW(ps, 1e-2f);
        };
    }

    private static void assertBitIdentical(Path expected, Path actual) throws Exception {
        Safetensors.Contents e = Safetensors.read(expected);
        Safetensors.Contents a = Safetensors.read(actual);
        assertEquals(e.floats().keySet(), a.floats().keySet());
        for (Map.Entry<String, Tensor> t : e.floats().entrySet()) {
            float[] x = t.getValue().data;
            float[] y = a.floats().get(t.getKey()).data;
            assertEquals(x.length, y.length);
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                    throw new AssertionError(actual.getFileName() + " " + t.getKey() + "[" + i + "]: " + x[i]
                            + " != " + y[i]);
                }
            }
        }
        for (var l : e.longs().entrySet()) {
            assertArrayEquals(l.getValue().data(), a.longs().get(l.getKey()).data(), l.getKey());
        }
    }
}
