package lessismore.nn.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import lessismore.nn.StateDict;
import lessismore.nn.Tensor;
import org.junit.jupiter.api.Assumptions;

/** Runs exported models in ONNX Runtime and in onnx's Python checker, and compares outputs. */
final class OnnxTestSupport {
    /** Debian's interpreter, which has the onnx package (the pyenv python3 on PATH does not). */
    static final Path PYTHON = Path.of("/usr/bin/python3");
    /** Exit code of the Python snippets here when a module they need is missing. */
    static final int NO_MODULE = 77;

    private OnnxTestSupport() {
    }

    /** The output of {@code model} in ONNX Runtime (CPU) for {@code input}, flattened row-major. */
    static float[] runOrt(Path model, Tensor input) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2);
            try (OrtSession session = env.createSession(model.toString(), options);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data),
                         Arrays.stream(input.shape()).asLongStream().toArray());
                 OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT, x))) {
                OnnxTensor y = (OnnxTensor) result.get(OnnxExporter.OUTPUT).orElseThrow();
                FloatBuffer buf = y.getFloatBuffer();
                float[] out = new float[buf.remaining()];
                buf.get(out);
                return out;
            }
        }
    }

    /** ‖ours − ref‖ / ‖ref‖. */
    static double relativeError(float[] ours, float[] ref) {
        if (ours.length != ref.length) {
            throw new AssertionError("lengths differ: " + ours.length + " vs " + ref.length);
        }
        double diff = 0, norm = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = (double) ours[i] - ref[i];
            diff += d * d;
            norm += (double) ref[i] * ref[i];
        }
        return Math.sqrt(diff / norm);
    }

    /** A tensor of standard normal values from {@code rng}. */
    static Tensor randomInput(SplittableRandom rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.data.length; i++) {
            // Box–Muller on two uniforms in (0, 1].
            double u = 1 - rng.nextDouble(), v = rng.nextDouble();
            t.data[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
        }
        return t;
    }

    /**
     * Gives every batch norm of {@code state} a non-trivial evaluation state (scale 1 ± 0.2, shift
     * ± 0.2, running mean ± 0.2, running variance 0.5 … 2), so an export that mixed up its four
     * inputs or ignored the running statistics would be caught.
     */
    static void randomiseBatchNorms(StateDict state, SplittableRandom rng) {
        Map<String, Tensor> floats = state.floats();
        for (String key : floats.keySet()) {
            if (!key.endsWith("running_mean")) {
                continue;
            }
            String prefix = key.substring(0, key.length() - "running_mean".length());
            fill(floats.get(prefix + "weight"), rng, 0.8, 1.2);
            fill(floats.get(prefix + "bias"), rng, -0.2, 0.2);
            fill(floats.get(prefix + "running_mean"), rng, -0.2, 0.2);
            fill(floats.get(prefix + "running_var"), rng, 0.5, 2.0);
        }
    }

    private static void fill(Tensor t, SplittableRandom rng, double lo, double hi) {
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = (float) rng.nextDouble(lo, hi);
        }
    }

    /** Exit code and combined output of a Python run. */
    record Run(int exitCode, String output) {
    }

    /** Runs {@link #PYTHON} with {@code args}, killing it after {@code timeoutSeconds}. */
    static Run python(List<String> args, int timeoutSeconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString()));
        command.addAll(args);
        // Output to a file, not a pipe: a chatty process never blocks, and the timeout holds.
        Path log = Files.createTempFile("lessismore-python", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (!done) {
                throw new AssertionError("python timed out after " + timeoutSeconds + " s: " + output);
            }
            return new Run(p.exitValue(), output);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * Runs onnx.checker.check_model with full_check (which includes strict shape inference) on
     * each model; skips the calling test when no Python with onnx is installed.
     */
    static void checkWithOnnxChecker(Path... models) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), "no " + PYTHON);
        List<String> args = new ArrayList<>(List.of("-c", "import sys\n"
                + "try:\n"
                + "    import onnx\n"
                + "except ImportError:\n"
                + "    sys.exit(" + NO_MODULE + ")\n"
                + "for path in sys.argv[1:]:\n"
                + "    onnx.checker.check_model(path, full_check=True)\n"
                + "    print('checked', path, 'with onnx', onnx.__version__)\n"));
        for (Path m : models) {
            args.add(m.toString());
        }
        Run run = python(args, 300);
        Assumptions.assumeFalse(run.exitCode() == NO_MODULE, PYTHON + " has no onnx package");
        if (run.exitCode() != 0) {
            throw new AssertionError("onnx.checker rejected the model:\n" + run.output());
        }
    }
}
