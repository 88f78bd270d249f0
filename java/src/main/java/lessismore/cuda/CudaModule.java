package lessismore.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The loaded kernels of one op family (CUmodule); owned and unloaded by its {@link CudaContext}. */
public final class CudaModule extends NativeResource {
    private final MemorySegment handle;
    private final String binary;
    private final Map<String, CudaFunction> functions = new ConcurrentHashMap<>();

    CudaModule(CudaContext context, MemorySegment handle, String binary) {
        super(context, "module " + binary);
        this.handle = handle;
        this.binary = binary;
    }

    /** The resource the module was loaded from, e.g. {@code nt_xent.sm_90.cubin}. */
    public String binary() {
        return binary;
    }

    /** The kernel named {@code name} (its {@code extern "C"} name), looked up once. */
    public CudaFunction function(String name) {
        checkOpen();
        return functions.computeIfAbsent(name, n -> {
            Driver d = context.bind();
            try (Arena a = Arena.ofConfined()) {
                MemorySegment f = d.getHandle(d.cuModuleGetFunction, "cuModuleGetFunction",
                        "looking up kernel " + n + " in " + binary, handle, a.allocateFrom(n));
                return new CudaFunction(context, f, n);
            }
        });
    }

    /** Unloads the module (the context's close does). */
    @Override
    void release() {
        Driver d = context.bind();
        d.checked(d.cuModuleUnload, "cuModuleUnload", "unloading " + binary, handle);
    }
}
