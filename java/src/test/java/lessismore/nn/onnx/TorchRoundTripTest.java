package lessismore.nn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import lessismore.TestData;
import lessismore.io.InputFile;
import lessismore.nn.GoldenWeights;
import lessismore.nn.ResNet;
import lessismore.nn.Safetensors;
import lessismore.nn.StateDict;
import lessismore.nn.Tensor;
import lessismore.reduce.SliceDecoder;
import lessismore.signature.PilLanczos;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our ResNet-18 checkpoints against PyTorch (scripts/golden/make_torch_roundtrip_golden.py):
 * torchvision's resnet18 (1-channel conv1, no fc) in eval mode, with weights and BN running
 * statistics both sides generate by name ({@link GoldenWeights}), embedded 6 real slices of
 * ../shared/data/ct (published 8-bit preprocessing, PIL LANCZOS to 64 × 64, / 255). Our decoding
 * must give torch's input exactly, and our forward and our ONNX export its embeddings within 1e-4
 * (‖ours − torch‖ / ‖torch‖, per slice). Torch also loads a state dict written by our safetensors
 * writer with load_state_dict(strict=True) when Debian's python3 with torch is installed.
 */
class TorchRoundTripTest {
    private static final double TOLERANCE = 1e-4;
    private static final int SIZE = 64;

    private static Safetensors.Contents golden;
    private static ResNet model;

    @BeforeAll
    static void loadGolden() throws Exception {
        golden = Safetensors.read(Path.of(TorchRoundTripTest.class
                .getResource("/golden/onnx/torch-roundtrip.safetensors").toURI()));
        model = ResNet.resnet18(1, 0, 0);
        StateDict state = StateDict.of(model);
        GoldenWeights.fill(state);
        GoldenWeights.fillRunningStatistics(state);
        model.setTraining(false);
    }

    private static List<String> slices() {
        return List.of(golden.metadata().get("slices").split(","));
    }

    /** The slices decoded as the embedding strategy reads them: (n, 1, 64, 64), values / 255. */
    private static Tensor decodeSlices() throws Exception {
        Path ct = TestData.sharedData().resolve("ct");
        List<String> rels = slices();
        Tensor x = Tensor.zeros(rels.size(), 1, SIZE, SIZE);
        SliceDecoder decoder = new SliceDecoder();
        for (int i = 0; i < rels.size(); i++) {
            Path file = ct.resolve(rels.get(i));
            decoder.decodeSlice(new InputFile(file, rels.get(i), Files.size(file), null), 0);
            decoder.to8Bit();
            int[] resized = PilLanczos.resize(decoder.gray(), decoder.width(), decoder.height(), SIZE, SIZE);
            for (int k = 0; k < resized.length; k++) {
                x.data[i * SIZE * SIZE + k] = resized[k] / 255f;
            }
        }
        return x;
    }

    /** The worst per-slice ‖ours − torch‖ / ‖torch‖ of (n, D) embeddings, asserted ≤ 1e-4. */
    private static double assertEmbeddingsMatch(String what, float[] ours) {
        float[] torch = golden.floats().get("embedding").data;
        assertEquals(torch.length, ours.length);
        int n = slices().size(), d = torch.length / n;
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double err = OnnxTestSupport.relativeError(Arrays.copyOfRange(ours, i * d, (i + 1) * d),
                    Arrays.copyOfRange(torch, i * d, (i + 1) * d));
            assertTrue(err <= TOLERANCE, what + ": " + slices().get(i) + " relative error " + err);
            worst = Math.max(worst, err);
        }
        System.out.printf("torch round trip: %s max relative error %.2e%n", what, worst);
        return worst;
    }

    @Test
    void ourForwardOnTheDecodedSlicesMatchesTorch() throws Exception {
        Tensor x = decodeSlices();
        assertArrayEquals(golden.floats().get("input").data, x.data, "decoded and resized as pydicom + PIL");
        assertEmbeddingsMatch("our forward", model.forward(x).data);
    }

    @Test
    void onnxExportMatchesTorch(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("golden.onnx");
        OnnxExporter.export(model, "resnet18", null, OnnxExporter.InputSpec.unnormalised(SIZE, 1), file);
        assertEmbeddingsMatch("ONNX Runtime", OnnxTestSupport.runOrt(file, golden.floats().get("input")));
    }

    @Test
    void torchLoadsOurSafetensorsStrictly(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(OnnxTestSupport.PYTHON), "no " + OnnxTestSupport.PYTHON);
        Path script = script();
        Path state = tmp.resolve("resnet18.safetensors");
        StateDict.of(model).save(state);
        Path goldenFile = Path.of(TorchRoundTripTest.class.getResource("/golden/onnx/torch-roundtrip.safetensors").toURI());
        OnnxTestSupport.Run run = OnnxTestSupport.python(List.of(script.toString(), "--check-state-dict",
                state.toString(), "--golden", goldenFile.toString()), 300);
        Assumptions.assumeFalse(run.exitCode() == OnnxTestSupport.NO_MODULE, "no torch: " + run.output());
        System.out.print("torch round trip: " + run.output());
        assertEquals(0, run.exitCode(), run.output());
    }

    /** The script, found from the working directory (the java module or the repository root). */
    private static Path script() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("scripts/golden/make_torch_roundtrip_golden.py");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("scripts/golden/make_torch_roundtrip_golden.py not found above the working directory");
    }
}
