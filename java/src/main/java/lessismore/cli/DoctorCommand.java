package lessismore.cli;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import lessismore.cuda.Backend;
import lessismore.cuda.Cublas;
import lessismore.cuda.Cuda;
import lessismore.cuda.CudaContext;
import lessismore.cuda.CudaDevice;
import lessismore.cuda.CudaException;
import lessismore.cuda.Cudnn;
import lessismore.kernels.KernelSelfTest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lessismore doctor}: what this machine offers the tool, and whether the GPU kernels are right here. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Prints Java, CPU features, ONNX Runtime, the GPUs, the CUDA driver, cuBLAS and cuDNN found "
                + "(with versions and where they were loaded from), and which backend --device would choose.",
            "With --selftest, checks every GPU kernel against its Java reference on random inputs for about "
                + "5 seconds; exit code 1 when one disagrees."})
final class DoctorCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DeviceOptions deviceOptions;

    @Option(names = "--selftest", description = "Run each GPU kernel against the CPU reference (about 5 s).")
    boolean selftest;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "5",
            description = "Time budget of --selftest in seconds (default 5).")
    double seconds;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed of --selftest (default: from the clock, printed).")
    Long seed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Runtime.Version v = Runtime.version();
        out.printf("Java        %s (%s) at %s%n", v, System.getProperty("java.vendor"), System.getProperty("java.home"));
        out.printf("CPU         %s, %d threads, features: %s%n", cpuModel(), Runtime.getRuntime().availableProcessors(), cpuFeatures());
        out.printf("Vector API  %s%n", vectorApi());
        out.printf("ONNX Rt     %s%n", onnxRuntime());
        String why = Cuda.unavailableReason();
        if (why != null) {
            out.printf("CUDA        none: %s%n", why);
        } else {
            out.printf("CUDA        driver %s (%s)%n", Cuda.formatVersion(Cuda.driverVersion()), Cuda.driverLibrary());
            for (int i = 0; i < Cuda.deviceCount(); i++) {
                out.printf("GPU %-7d %s%n", i, Cuda.device(i).describe().substring(("cuda:" + i + " ").length()));
            }
        }
        out.printf("cuBLAS      %s%n", library(Cublas::version, Cublas::location));
        out.printf("cuDNN       %s%n", library(Cudnn::version, Cudnn::location));
        int exit = ExitCodes.OK;
        try (Backend b = deviceOptions.backend(spec.commandLine())) {
            out.printf("--device %s -> %s%n", deviceOptions.device, b.describe());
            if (selftest) {
                exit = selftest(out, b.context());
            }
        }
        return exit;
    }

    private int selftest(PrintWriter out, CudaContext ctx) {
        if (ctx == null) {
            out.println("self-test   skipped: no GPU backend (the CPU path needs no self-test; its tests ran at build time)");
            return ExitCodes.OK;
        }
        CudaDevice d = ctx.device();
        long s = seed != null ? seed : System.nanoTime();
        out.printf("self-test   on %s, seed %d, %.0f s%n", d.describe(), s, seconds);
        List<KernelSelfTest.Result> results = KernelSelfTest.run(ctx, (long) (seconds * 1000), s);
        boolean ok = true;
        for (KernelSelfTest.Result r : results) {
            out.printf("  %-4s %-40s %8.0f ms  %s%n", r.passed() ? "ok" : "FAIL", r.kernel(), r.millis(), r.detail());
            ok &= r.passed();
        }
        out.println(ok ? "self-test   passed" : "self-test   FAILED (rerun with --seed " + s + " to repeat)");
        return ok ? ExitCodes.OK : ExitCodes.INTERNAL_ERROR;
    }

    private interface Probe {
        String get();
    }

    private static String library(Probe version, Probe location) {
        try {
            return version.get() + " (" + location.get() + ")";
        } catch (CudaException e) {
            return "none: " + e.getMessage();
        } catch (RuntimeException e) {
            return "unusable: " + e;
        }
    }

    private static String cpuModel() {
        return cpuinfo("model name").orElse(System.getProperty("os.arch"));
    }

    /** The SIMD features that matter to the CPU engine, from /proc/cpuinfo. */
    private static String cpuFeatures() {
        String flags = cpuinfo("flags").orElse("");
        List<String> have = Stream.of(flags.split(" "))
                .filter(f -> List.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_bf16", "avx512_fp16",
                        "amx_tile", "amx_bf16").contains(f))
                .collect(Collectors.toList());
        return have.isEmpty() ? "(unknown)" : String.join(" ", have);
    }

    private static java.util.Optional<String> cpuinfo(String key) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith(key)).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim());
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private static String vectorApi() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "not enabled (java --add-modules jdk.incubator.vector; the launcher adds it for pre-training)";
        }
        return preferredVectorBits() + "-bit vectors (jdk.incubator.vector)";
    }

    /** Only called when the module is present: the class resolves lazily. */
    private static int preferredVectorBits() {
        return jdk.incubator.vector.VectorShape.preferredShape().vectorBitSize();
    }

    private static String onnxRuntime() {
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            return env.getVersion() + ", providers " + OrtEnvironment.getAvailableProviders().stream()
                    .map(p -> p.name().toLowerCase(Locale.ROOT)).sorted().collect(Collectors.joining(" "));
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "unusable: " + e;
        }
    }
}
