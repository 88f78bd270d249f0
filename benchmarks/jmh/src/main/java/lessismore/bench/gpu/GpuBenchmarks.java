package lessismore.bench.gpu;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import lessismore.cuda.CudaContext;
import lessismore.output.Json;

/**
 * Runs every device benchmark on CUDA device 0 and prints one JSON object per timing on stdout
 * (progress and failures on stderr), for {@code benchmarks/gpu/table.py}. Run by
 * {@code benchmarks/gpu/device-check.sh} on the GPU machine; a family that fails is reported and
 * the others still run.
 */
public final class GpuBenchmarks {
    private GpuBenchmarks() {
    }

    /** One family's benchmark. */
    private interface Family {
        void run(CudaContext ctx, Consumer<DeviceTiming> out);
    }

    /** Entry point; no arguments. */
    public static void main(String[] args) {
        List<Family> families = List.of(PairwiseSimilarityDeviceBenchmark::run, PerceptualHashDeviceBenchmark::run,
                NtXentDeviceBenchmark::run);
        String[] names = {"pairwise_similarity", "perceptual_hash", "nt_xent"};
        int failures = 0;
        try (CudaContext ctx = CudaContext.open(0)) {
            System.err.println("benchmarking on " + ctx.device().describe());
            for (int i = 0; i < families.size(); i++) {
                long t0 = System.nanoTime();
                try {
                    families.get(i).run(ctx, GpuBenchmarks::print);
                    System.err.printf(Locale.ROOT, "%s: done in %.1f s%n", names[i], (System.nanoTime() - t0) / 1e9);
                } catch (RuntimeException e) {
                    failures++;
                    System.err.println(names[i] + ": FAILED: " + e);
                    e.printStackTrace();
                }
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    private static void print(DeviceTiming t) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("op", t.op());
        m.put("size", t.size());
        m.put("precision", t.precision());
        m.put("oursMs", t.oursMs());
        m.put("floorMs", t.floorMs());
        m.put("rate", t.rate());
        m.put("check", t.check());
        System.out.println(Json.write(m).replace("\n", " "));
        System.out.flush();
    }
}
