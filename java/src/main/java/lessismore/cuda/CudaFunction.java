package lessismore.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** One kernel of a loaded module (CUfunction). */
public final class CudaFunction {
    private final CudaContext context;
    private final MemorySegment handle;
    private final String name;

    CudaFunction(CudaContext context, MemorySegment handle, String name) {
        this.context = context;
        this.handle = handle;
        this.name = name;
    }

    /** The kernel's name. */
    public String name() {
        return name;
    }

    /**
     * Queues the kernel on {@code stream} (null: default stream). Launch errors (bad configuration,
     * too much shared memory) are reported here; errors while it runs surface at the next
     * synchronizing call.
     */
    public void launch(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int dynamicSharedBytes,
            CudaStream stream, KernelArgs args) {
        Driver d = context.bind();
        try (Arena a = Arena.ofConfined()) {
            int status = d.call(d.cuLaunchKernel, handle, gridX, gridY, gridZ, blockX, blockY, blockZ,
                    dynamicSharedBytes, CudaStream.handle(stream), args.toNative(a), MemorySegment.NULL);
            if (status != 0) {
                d.check(status, "cuLaunchKernel", String.format("launching %s (grid %dx%dx%d, block %dx%dx%d, %d B shared, %d args)",
                        name, gridX, gridY, gridZ, blockX, blockY, blockZ, dynamicSharedBytes, args.size()));
            }
        }
    }

    /** Allows up to {@code bytes} of dynamic shared memory per block (needed above 48 KiB). */
    public void setMaxDynamicSharedMemory(int bytes) {
        Driver d = context.bind();
        d.checked(d.cuFuncSetAttribute, "cuFuncSetAttribute", "allowing " + bytes + " B of shared memory for " + name,
                handle, Driver.FUNC_MAX_DYNAMIC_SHARED, bytes);
    }

    /** Registers per thread, as compiled. */
    public int registers() {
        return attribute(Driver.FUNC_NUM_REGS);
    }

    /** Most threads a block of this kernel may have. */
    public int maxThreadsPerBlock() {
        return attribute(Driver.FUNC_MAX_THREADS_PER_BLOCK);
    }

    private int attribute(int attr) {
        Driver d = context.bind();
        return d.getInt(d.cuFuncGetAttribute, "cuFuncGetAttribute", "reading an attribute of " + name, attr, handle);
    }
}
