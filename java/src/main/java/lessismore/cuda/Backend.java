package lessismore.cuda;

import java.util.Locale;

/**
 * Where the tool computes: the CPU, or one CUDA device. Chosen once per command from
 * {@code --device auto|cpu|cuda[:N]}: {@code auto} takes CUDA device 0 when the driver and a
 * device answer, else the CPU, and {@link #describe()} says which and why, for the summary.
 */
public sealed interface Backend extends AutoCloseable permits Backend.Cpu, Backend.Gpu {
    /** One line for summaries and logs, e.g. "cpu (no GPU: libcuda.so.1 not found)". */
    String describe();

    /** The GPU's context, or null on the CPU. */
    default CudaContext context() {
        return null;
    }

    /** Releases the GPU context, if any. */
    @Override
    default void close() {
    }

    /**
     * The backend {@code spec} names.
     *
     * @param spec {@code auto}, {@code cpu}, {@code cuda} (device 0) or {@code cuda:N}
     * @throws IllegalArgumentException for any other spec
     * @throws CudaException            when CUDA is asked for explicitly and cannot be used
     */
    static Backend choose(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return new Cpu("asked for");
        }
        if (s.equals("auto")) {
            String why = Cuda.unavailableReason();
            if (why == null) {
                why = unsupported(0);
            }
            return why == null ? new Gpu(CudaContext.open(0)) : new Cpu("no GPU: " + why);
        }
        if (s.equals("cuda") || s.startsWith("cuda:")) {
            int ordinal;
            try {
                ordinal = s.equals("cuda") ? 0 : Integer.parseInt(s.substring(5));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--device: expected cuda:N with N a device number, got '" + spec + "'");
            }
            String why = Cuda.unavailableReason();
            if (why != null) {
                throw new CudaException("cuInit", "NO_DEVICE", null, "choosing --device " + spec + " (" + why + ")");
            }
            String old = unsupported(ordinal);
            if (old != null) {
                throw new CudaException("cuDeviceGetAttribute", "UNSUPPORTED_DEVICE", null, "choosing --device " + spec + " (" + old + ")");
            }
            return new Gpu(CudaContext.open(ordinal));
        }
        throw new IllegalArgumentException("--device must be auto, cpu, cuda or cuda:N, got '" + spec + "'");
    }

    /**
     * Why device {@code ordinal} cannot run the kernels (compute capability below
     * {@link CudaContext#MIN_COMPUTE_MAJOR}), or null; an ordinal out of range throws
     * ({@link Cuda#device} names the devices there are).
     */
    private static String unsupported(int ordinal) {
        CudaDevice d = Cuda.device(ordinal);
        return d.major() >= CudaContext.MIN_COMPUTE_MAJOR ? null : d.describe() + " has compute capability "
                + d.capability() + "; the kernels need " + CudaContext.MIN_COMPUTE_MAJOR + ".0 or newer";
    }

    /**
     * The CPU.
     *
     * @param why "asked for", or why no GPU was taken under {@code auto}
     */
    record Cpu(String why) implements Backend {
        @Override
        public String describe() {
            return "cpu (" + why + ")";
        }
    }

    /** One CUDA device; owns its context. */
    final class Gpu implements Backend {
        private final CudaContext context;

        Gpu(CudaContext context) {
            this.context = context;
        }

        @Override
        public CudaContext context() {
            return context;
        }

        @Override
        public String describe() {
            return context.device().describe() + ", driver " + Cuda.formatVersion(Cuda.driverVersion());
        }

        @Override
        public void close() {
            context.close();
        }
    }
}
