package lessismore.cuda;

/**
 * One GPU as the driver describes it.
 *
 * @param ordinal                   device number, as in {@code --device cuda:N}
 * @param name                      marketing name, e.g. "NVIDIA H100 80GB HBM3"
 * @param major                     compute capability, major (9 for Hopper)
 * @param minor                     compute capability, minor
 * @param totalMemory               device memory in bytes
 * @param multiprocessors           streaming multiprocessors
 * @param sharedMemoryPerBlockOptin most shared memory one block may opt in to, in bytes
 */
public record CudaDevice(int ordinal, String name, int major, int minor, long totalMemory, int multiprocessors,
        int sharedMemoryPerBlockOptin) {
    /** "9.0". */
    public String capability() {
        return major + "." + minor;
    }

    /** One line for summaries: "cuda:0 NVIDIA H100 80GB HBM3 (cc 9.0, 132 SMs, 79.1 GiB)". */
    public String describe() {
        return String.format("cuda:%d %s (cc %s, %d SMs, %.1f GiB)", ordinal, name, capability(), multiprocessors,
                totalMemory / (double) (1L << 30));
    }
}
