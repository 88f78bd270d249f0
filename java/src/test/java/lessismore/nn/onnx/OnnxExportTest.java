package lessismore.nn.onnx;

import static lessismore.nn.onnx.OnnxTestSupport.randomInput;
import static lessismore.nn.onnx.OnnxTestSupport.relativeError;
import static lessismore.nn.onnx.OnnxTestSupport.runOrt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import lessismore.nn.Layer;
import lessismore.nn.ResNet;
import lessismore.nn.Sequential;
import lessismore.nn.SimclrHead;
import lessismore.nn.StateDict;
import lessismore.nn.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX export against our own forward: seeded ResNets in evaluation mode with non-trivial batch
 * norm state, fresh random inputs each run, ONNX Runtime's output within 1e-4 of ours as
 * ‖ort − ours‖ / ‖ours‖, with and without the SimCLR head; the files also pass onnx's checker.
 */
class OnnxExportTest {
    private static final double TOLERANCE = 1e-4;

    @TempDir
    static Path dir;

    /** A backbone and head in evaluation mode, their exports, and a random input. */
    record Case(String label, ResNet backbone, Sequential head, Path plain, Path withHead, Tensor input) {
    }

    private static Case mono;
    private static Case rgb;
    private static final SplittableRandom INPUTS = new SplittableRandom();

    @BeforeAll
    static void export() throws Exception {
        mono = exportCase("resnet18-1ch", ResNet.resnet18(1, 0, 11), 3, 64, 64);
        rgb = exportCase("resnet18-3ch", ResNet.resnet18(3, 0, 12), 2, 64, 64);
    }

    private static Case exportCase(String label, ResNet backbone, int batch, int h, int w) throws Exception {
        int channels = label.endsWith("3ch") ? 3 : 1;
        SplittableRandom rng = new SplittableRandom(label.hashCode());
        Sequential head = SimclrHead.create(backbone.featureDim(), backbone.featureDim(), 128, true, rng);
        Sequential model = new Sequential().add("backbone", backbone).add("head", head);
        OnnxTestSupport.randomiseBatchNorms(StateDict.of(model), rng);
        model.setTraining(false);
        String arch = backbone.featureDim() == 512 ? "resnet18" : "resnet50";
        OnnxExporter.InputSpec spec = OnnxExporter.InputSpec.unnormalised(64, channels);
        Path plain = dir.resolve(label + ".onnx");
        Path withHead = dir.resolve(label + "-head.onnx");
        OnnxExporter.export(backbone, arch, null, spec, plain);
        OnnxExporter.export(backbone, arch, head, spec, withHead);
        // The seed is printed so that a failure on one fresh input can be replayed.
        long seed = INPUTS.nextLong();
        System.out.printf("onnx: %s input seed %d%n", label, seed);
        return new Case(label, backbone, head, plain, withHead,
                randomInput(new SplittableRandom(seed), batch, channels, h, w));
    }

    /** Our forward and ONNX Runtime's on {@code c.input()}, with and without the head. */
    private static void compare(Case c) throws Exception {
        Tensor features = c.backbone().forward(c.input());
        Tensor projection = c.head().forward(features);
        double plain = relativeError(runOrt(c.plain(), c.input()), features.data);
        double head = relativeError(runOrt(c.withHead(), c.input()), projection.data);
        System.out.printf("onnx: %s relative error %.2e (backbone), %.2e (with head)%n", c.label(), plain, head);
        assertTrue(plain <= TOLERANCE, c.label() + " backbone relative error " + plain);
        assertTrue(head <= TOLERANCE, c.label() + " head relative error " + head);
    }

    @Test
    void oneChannelResNet18MatchesOurForward() throws Exception {
        compare(mono);
    }

    @Test
    void threeChannelResNet18MatchesOurForward() throws Exception {
        compare(rgb);
    }

    @Test
    void batchAndImageSizeAreDynamic() throws Exception {
        Tensor x = randomInput(new SplittableRandom(INPUTS.nextLong()), 1, 1, 40, 56);
        double err = relativeError(runOrt(mono.plain(), x), mono.backbone().forward(x).data);
        assertTrue(err <= TOLERANCE, "1 × 40 × 56 relative error " + err);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(mono.withHead().toString())) {
            // Symbolic dimensions read as −1.
            TensorInfo input = (TensorInfo) s.getInputInfo().get(OnnxExporter.INPUT).getInfo();
            assertArrayEquals(new long[] {-1, 1, -1, -1}, input.getShape());
            TensorInfo output = (TensorInfo) s.getOutputInfo().get(OnnxExporter.OUTPUT).getInfo();
            assertArrayEquals(new long[] {-1, 128}, output.getShape());
        }
    }

    @Test
    void resNet50MatchesOurForward() throws Exception {
        ResNet backbone = ResNet.resnet50(1, 0, 13);
        OnnxTestSupport.randomiseBatchNorms(StateDict.of(backbone), new SplittableRandom(13));
        backbone.setTraining(false);
        Path file = dir.resolve("resnet50.onnx");
        OnnxExporter.export(backbone, "resnet50", null, OnnxExporter.InputSpec.unnormalised(64, 1), file);
        Tensor x = randomInput(new SplittableRandom(INPUTS.nextLong()), 2, 1, 48, 48);
        double err = relativeError(runOrt(file, x), backbone.forward(x).data);
        System.out.printf("onnx: resnet50 relative error %.2e%n", err);
        assertTrue(err <= TOLERANCE, "resnet50 relative error " + err);
    }

    @Test
    void metadataDescribesTheInput() throws Exception {
        Path file = dir.resolve("normalised.onnx");
        OnnxExporter.InputSpec spec = new OnnxExporter.InputSpec(224, new float[] {0.485f, 0.456f, 0.406f},
                new float[] {0.229f, 0.224f, 0.225f});
        OnnxExporter.export(rgb.backbone(), "resnet18", rgb.head(), spec, file);
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(file.toString())) {
            assertEquals("lessismore", s.getMetadata().getProducerName());
            Map<String, String> meta = s.getMetadata().getCustomMetadata();
            assertEquals("resnet18", meta.get(OnnxExporter.KEY_ARCHITECTURE));
            assertEquals("simclr", meta.get(OnnxExporter.KEY_HEAD));
            assertEquals("3", meta.get(OnnxExporter.KEY_INPUT_CHANNELS));
            assertEquals("224", meta.get(OnnxExporter.KEY_INPUT_SIZE));
            assertEquals("128", meta.get(OnnxExporter.KEY_EMBEDDING_DIM));
            assertEquals("0.485,0.456,0.406", meta.get(OnnxExporter.KEY_MEAN));
            assertEquals("0.229,0.224,0.225", meta.get(OnnxExporter.KEY_STD));
            assertEquals("pil-lanczos", meta.get(OnnxExporter.KEY_RESIZE));
        }
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(rgb.plain().toString())) {
            Map<String, String> meta = s.getMetadata().getCustomMetadata();
            assertEquals("none", meta.get(OnnxExporter.KEY_HEAD));
            assertEquals("512", meta.get(OnnxExporter.KEY_EMBEDDING_DIM));
        }
    }

    @Test
    void exportReplacesTheFileAndLeavesNoTemporaryFile() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("replace"));
        Path file = sub.resolve("model.onnx");
        Files.writeString(file, "old");
        OnnxExporter.export(mono.backbone(), "resnet18", null, OnnxExporter.InputSpec.unnormalised(64, 1), file);
        assertEquals(Files.size(mono.plain()), Files.size(file));
        try (Stream<Path> files = Files.list(sub)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void refusesWhatItCannotExport() {
        Path file = dir.resolve("refused.onnx");
        OnnxExporter.InputSpec oneChannel = OnnxExporter.InputSpec.unnormalised(64, 1);
        Layer unknown = new Layer() {
            @Override
            public Tensor forward(Tensor x) {
                return x;
            }

            @Override
            public Tensor backward(Tensor gradOut) {
                return gradOut;
            }
        };
        Sequential unknownHead = new Sequential().add("unknown", unknown);
        assertThrows(IllegalArgumentException.class,
                () -> OnnxExporter.export(mono.backbone(), "resnet18", unknownHead, oneChannel, file));
        assertThrows(IllegalArgumentException.class, () -> OnnxExporter.export(rgb.backbone(), "resnet18", null,
                oneChannel, file));
        assertTrue(Files.notExists(file));
    }

    @Test
    void filesPassTheOnnxChecker() throws Exception {
        // One file of each kind: the checker parses every weight, so checking all four doubles the time.
        OnnxTestSupport.checkWithOnnxChecker(mono.withHead(), rgb.plain());
    }
}
