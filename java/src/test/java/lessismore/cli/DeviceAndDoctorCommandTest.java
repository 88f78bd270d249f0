package lessismore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import lessismore.cuda.Cuda;
import lessismore.output.JsonReader;
import lessismore.synth.PhantomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --device} on {@code reduce} and the {@code doctor} command, as a user meets them. */
class DeviceAndDoctorCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Run(code, o.toString(), e.toString());
    }

    @Test
    void doctorReportsEveryPartAndTheBackend() {
        Run r = run("doctor");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        for (String part : new String[] {"Java", "CPU", "Vector API", "ONNX Rt", "CUDA", "cuBLAS", "cuDNN", "--device auto ->"}) {
            assertTrue(r.out().contains(part), part + " missing from:\n" + r.out());
        }
    }

    @Test
    void withoutAGpuTheSelfTestSaysItSkippedAndCudaIsBadUsage() throws Exception {
        assumeFalse(Cuda.available(), "a GPU answers here");
        Run r = run("doctor", "--selftest");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("self-test   skipped: no GPU backend"), r.out());

        Path study = PhantomGenerator.generate(tmp.resolve("study"), PhantomGenerator.Options.defaults().withSize(64)).root();
        Run cuda = run("reduce", study.toString(), "-o", tmp.resolve("gpu").toString(), "--device", "cuda", "-q");
        assertEquals(ExitCodes.BAD_INPUT, cuda.code());
        assertTrue(cuda.err().contains("--device cuda") && cuda.err().contains("(see 'lessismore reduce --help')"), cuda.err());
        assertFalse(Files.exists(tmp.resolve("gpu")), "nothing may be written on bad usage");

        Run auto = run("reduce", study.toString(), "-o", tmp.resolve("auto").toString(), "-q");
        assertEquals(ExitCodes.OK, auto.code(), auto.err());
        Object device = ((java.util.Map<?, ?>) ((java.util.Map<?, ?>) JsonReader.parse(
                Files.readString(tmp.resolve("auto/summary.json")))).get("parameters")).get("device");
        assertTrue(String.valueOf(device).startsWith("cpu (no GPU: "), String.valueOf(device));
    }

    @Test
    void malformedDeviceIsBadUsage() {
        Run r = run("reduce", tmp.toString(), "-o", tmp.resolve("x").toString(), "--device", "tpu");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("--device must be auto, cpu, cuda or cuda:N"), r.err());
    }
}
