package lessismore.nn.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import lessismore.cli.ExitCodes;
import lessismore.cli.Main;
import lessismore.nn.ResNet;
import lessismore.nn.Sequential;
import lessismore.nn.SimclrHead;
import lessismore.nn.StateDict;
import lessismore.nn.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lessismore export-onnx} end to end: state dicts saved by our safetensors writer go in,
 * the ONNX file that comes out computes our forward in ONNX Runtime; bad checkpoints and options
 * exit with 2 and write nothing.
 */
class ExportOnnxCommandTest {
    @TempDir
    static Path dir;

    private static ResNet backbone;
    private static Sequential head;
    private static Path backboneFile;
    private static Path headFile;

    @BeforeAll
    static void saveCheckpoints() throws Exception {
        SplittableRandom rng = new SplittableRandom(21);
        backbone = ResNet.resnet18(1, 0, 21);
        head = SimclrHead.create(512, 256, 64, true, rng);
        Sequential model = new Sequential().add("backbone", backbone).add("head", head);
        OnnxTestSupport.randomiseBatchNorms(StateDict.of(model), rng);
        model.setTraining(false);
        backboneFile = dir.resolve("backbone.safetensors");
        headFile = dir.resolve("head.safetensors");
        StateDict.of(backbone).save(backboneFile);
        StateDict.of(head).save(headFile);
    }

    /** Exit code and standard error of one CLI run. */
    private record Result(int exitCode, String out, String err) {
    }

    private static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void exportedCheckpointComputesOurForward() throws Exception {
        Path model = dir.resolve("out/with-head.onnx");
        Result r = cli("export-onnx", "--checkpoint", backboneFile.toString(), "--arch", "resnet18",
                "--in-channels", "1", "--head", headFile.toString(), "--input-size", "64", "--out", model.toString());
        assertEquals(ExitCodes.OK, r.exitCode(), r.err());
        assertTrue(r.out().contains("output (N, 64)"), r.out());
        Tensor x = OnnxTestSupport.randomInput(new SplittableRandom(), 2, 1, 64, 64);
        double err = OnnxTestSupport.relativeError(OnnxTestSupport.runOrt(model, x),
                head.forward(backbone.forward(x)).data);
        System.out.printf("onnx: export-onnx CLI relative error %.2e%n", err);
        assertTrue(err <= 1e-4, "relative error " + err);
    }

    @Test
    void badCheckpointsAndOptionsWriteNothing() {
        Path model = dir.resolve("refused.onnx");
        String ckpt = backboneFile.toString();
        String out = model.toString();
        // A ResNet-18 state dict lacks ResNet-50's keys.
        assertEquals(ExitCodes.BAD_INPUT, cli("export-onnx", "--checkpoint", ckpt, "--arch", "resnet50", "-o", out).exitCode());
        // conv1.weight has 1 input channel, not 3.
        Result wrongChannels = cli("export-onnx", "--checkpoint", ckpt, "--in-channels", "3", "-o", out);
        assertEquals(ExitCodes.BAD_INPUT, wrongChannels.exitCode());
        assertTrue(wrongChannels.err().contains("conv1.weight"), wrongChannels.err());
        // The head file is not a backbone: strict loading refuses it.
        assertEquals(ExitCodes.BAD_INPUT, cli("export-onnx", "--checkpoint", headFile.toString(), "-o", out).exitCode());
        // The backbone file is not a head.
        assertEquals(ExitCodes.BAD_INPUT, cli("export-onnx", "--checkpoint", ckpt, "--head", ckpt, "-o", out).exitCode());
        assertEquals(ExitCodes.BAD_INPUT, cli("export-onnx", "--checkpoint", dir.resolve("missing").toString(), "-o", out).exitCode());
        assertEquals(ExitCodes.BAD_INPUT, cli("export-onnx", "--checkpoint", ckpt, "--arch", "vgg16", "-o", out).exitCode());
        assertEquals(ExitCodes.BAD_INPUT, cli("export-onnx", "--checkpoint", ckpt, "--mean", "0.1,0.2", "-o", out).exitCode());
        assertEquals(ExitCodes.BAD_INPUT, cli("export-onnx", "--checkpoint", ckpt, "--std", "0", "-o", out).exitCode());
        assertTrue(Files.notExists(model));
    }
}
