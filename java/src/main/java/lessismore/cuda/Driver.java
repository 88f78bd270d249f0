package lessismore.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * The CUDA driver API ({@code libcuda.so.1}) through Panama downcalls: one method handle per
 * function used, and the status check that turns a failed call into a {@link CudaException}.
 * Handles and pointers are carried as {@code long} (CUdeviceptr) or {@link MemorySegment}
 * (opaque handles: CUcontext, CUmodule, CUfunction, CUstream, CUevent).
 */
final class Driver {
    /** size_t on the 64-bit platforms CUDA supports. */
    static final MemoryLayout SIZE_T = JAVA_LONG;
    /** A CUdeviceptr passed by value (64-bit). */
    static final MemoryLayout DEVICE_PTR = JAVA_LONG;

    // Attribute numbers from cuda.h (CUdevice_attribute, CUfunction_attribute, CUjit_option).
    static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    static final int ATTR_L2_CACHE_SIZE = 38;
    static final int ATTR_CC_MAJOR = 75;
    static final int ATTR_CC_MINOR = 76;
    static final int ATTR_SHARED_OPTIN = 97;
    static final int FUNC_MAX_THREADS_PER_BLOCK = 0;
    static final int FUNC_NUM_REGS = 4;
    static final int FUNC_MAX_DYNAMIC_SHARED = 8;
    static final int JIT_ERROR_LOG_BUFFER = 5;
    static final int JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;

    private static volatile Driver instance;
    private static volatile RuntimeException failure;

    final NativeLibraries.Loaded library;
    final MethodHandle cuInit;
    final MethodHandle cuDriverGetVersion;
    final MethodHandle cuDeviceGetCount;
    final MethodHandle cuDeviceGet;
    final MethodHandle cuDeviceGetName;
    final MethodHandle cuDeviceGetAttribute;
    final MethodHandle cuDeviceTotalMem;
    final MethodHandle cuDevicePrimaryCtxRetain;
    final MethodHandle cuDevicePrimaryCtxRelease;
    final MethodHandle cuCtxSetCurrent;
    final MethodHandle cuCtxSynchronize;
    final MethodHandle cuMemGetInfo;
    final MethodHandle cuModuleLoadDataEx;
    final MethodHandle cuModuleUnload;
    final MethodHandle cuModuleGetFunction;
    final MethodHandle cuFuncGetAttribute;
    final MethodHandle cuFuncSetAttribute;
    final MethodHandle cuLaunchKernel;
    final MethodHandle cuMemAlloc;
    final MethodHandle cuMemFree;
    final MethodHandle cuMemHostAlloc;
    final MethodHandle cuMemFreeHost;
    final MethodHandle cuMemcpyHtoD;
    final MethodHandle cuMemcpyDtoH;
    final MethodHandle cuMemcpyHtoDAsync;
    final MethodHandle cuMemcpyDtoHAsync;
    final MethodHandle cuMemsetD8;
    final MethodHandle cuMemsetD8Async;
    final MethodHandle cuStreamCreate;
    final MethodHandle cuStreamDestroy;
    final MethodHandle cuStreamSynchronize;
    final MethodHandle cuEventCreate;
    final MethodHandle cuEventDestroy;
    final MethodHandle cuEventRecord;
    final MethodHandle cuEventSynchronize;
    final MethodHandle cuEventElapsedTime;
    private final MethodHandle cuGetErrorName;
    private final MethodHandle cuGetErrorString;

    private Driver(NativeLibraries.Loaded library) {
        this.library = library;
        SymbolLookup s = library.symbols();
        cuGetErrorName = handle(s, "cuGetErrorName", JAVA_INT, ADDRESS);
        cuGetErrorString = handle(s, "cuGetErrorString", JAVA_INT, ADDRESS);
        cuInit = handle(s, "cuInit", JAVA_INT);
        cuDriverGetVersion = handle(s, "cuDriverGetVersion", ADDRESS);
        cuDeviceGetCount = handle(s, "cuDeviceGetCount", ADDRESS);
        cuDeviceGet = handle(s, "cuDeviceGet", ADDRESS, JAVA_INT);
        cuDeviceGetName = handle(s, "cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceGetAttribute = handle(s, "cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceTotalMem = handle(s, "cuDeviceTotalMem_v2", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRetain = handle(s, "cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRelease = handle(s, "cuDevicePrimaryCtxRelease_v2", JAVA_INT);
        cuCtxSetCurrent = handle(s, "cuCtxSetCurrent", ADDRESS);
        cuCtxSynchronize = handle(s, "cuCtxSynchronize");
        cuMemGetInfo = handle(s, "cuMemGetInfo_v2", ADDRESS, ADDRESS);
        cuModuleLoadDataEx = handle(s, "cuModuleLoadDataEx", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        cuModuleUnload = handle(s, "cuModuleUnload", ADDRESS);
        cuModuleGetFunction = handle(s, "cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        cuFuncGetAttribute = handle(s, "cuFuncGetAttribute", ADDRESS, JAVA_INT, ADDRESS);
        cuFuncSetAttribute = handle(s, "cuFuncSetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        cuLaunchKernel = handle(s, "cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        cuMemAlloc = handle(s, "cuMemAlloc_v2", ADDRESS, SIZE_T);
        cuMemFree = handle(s, "cuMemFree_v2", JAVA_LONG);
        cuMemHostAlloc = handle(s, "cuMemHostAlloc", ADDRESS, SIZE_T, JAVA_INT);
        cuMemFreeHost = handle(s, "cuMemFreeHost", ADDRESS);
        cuMemcpyHtoD = handle(s, "cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, SIZE_T);
        cuMemcpyDtoH = handle(s, "cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, SIZE_T);
        cuMemcpyHtoDAsync = handle(s, "cuMemcpyHtoDAsync_v2", JAVA_LONG, ADDRESS, SIZE_T, ADDRESS);
        cuMemcpyDtoHAsync = handle(s, "cuMemcpyDtoHAsync_v2", ADDRESS, JAVA_LONG, SIZE_T, ADDRESS);
        cuMemsetD8 = handle(s, "cuMemsetD8_v2", JAVA_LONG, JAVA_BYTE, SIZE_T);
        cuMemsetD8Async = handle(s, "cuMemsetD8Async", JAVA_LONG, JAVA_BYTE, SIZE_T, ADDRESS);
        cuStreamCreate = handle(s, "cuStreamCreate", ADDRESS, JAVA_INT);
        cuStreamDestroy = handle(s, "cuStreamDestroy_v2", ADDRESS);
        cuStreamSynchronize = handle(s, "cuStreamSynchronize", ADDRESS);
        cuEventCreate = handle(s, "cuEventCreate", ADDRESS, JAVA_INT);
        cuEventDestroy = handle(s, "cuEventDestroy_v2", ADDRESS);
        cuEventRecord = handle(s, "cuEventRecord", ADDRESS, ADDRESS);
        cuEventSynchronize = handle(s, "cuEventSynchronize", ADDRESS);
        // CUDA 12.8 added the _v2 name that cuda.h 13 maps cuEventElapsedTime to; older drivers lack it.
        cuEventElapsedTime = s.find("cuEventElapsedTime_v2").isPresent()
                ? handle(s, "cuEventElapsedTime_v2", ADDRESS, ADDRESS, ADDRESS)
                : handle(s, "cuEventElapsedTime", ADDRESS, ADDRESS, ADDRESS);
    }

    /**
     * The driver, loaded and initialised once.
     *
     * @throws CudaException when libcuda cannot be loaded or cuInit fails (the same exception on
     *                       every later call)
     */
    static Driver get() {
        Driver d = instance;
        if (d != null) {
            return d;
        }
        synchronized (Driver.class) {
            if (instance == null && failure == null) {
                try {
                    Driver loaded = new Driver(NativeLibraries.load(List.of("libcuda.so.1", "libcuda.so")));
                    loaded.check(loaded.call(loaded.cuInit, 0), "cuInit", "initialising the CUDA driver");
                    instance = loaded;
                } catch (CudaException e) {
                    failure = e;
                } catch (RuntimeException e) {
                    failure = new CudaException("dlopen", "DRIVER_UNUSABLE", e.toString(), "binding libcuda");
                }
            }
            if (failure != null) {
                throw failure;
            }
            return instance;
        }
    }

    private static MethodHandle handle(SymbolLookup s, String name, MemoryLayout... args) {
        return Downcalls.status(s, name, args);
    }

    /** Invokes a CUresult-returning handle; argument types must match its descriptor. */
    int call(MethodHandle h, Object... args) {
        return Downcalls.invoke(h, args);
    }

    /** Throws a {@link CudaException} naming {@code call} and {@code context} unless status is CUDA_SUCCESS. */
    void check(int status, String call, String context) {
        if (status != 0) {
            throw new CudaException(call, errorName(status), errorString(status), context);
        }
    }

    /** Calls and checks in one step. */
    void checked(MethodHandle h, String call, String context, Object... args) {
        check(call(h, args), call, context);
    }

    /** cuGetErrorName, or "CUDA_ERROR_" + the number when the driver does not know it. */
    String errorName(int status) {
        return message(cuGetErrorName, status, "CUDA_ERROR_" + status);
    }

    private String errorString(int status) {
        return message(cuGetErrorString, status, null);
    }

    private String message(MethodHandle h, int status, String fallback) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            if (call(h, status, out) != 0) {
                return fallback;
            }
            MemorySegment p = out.get(ADDRESS, 0);
            return p.equals(MemorySegment.NULL) ? fallback : p.reinterpret(4096).getString(0);
        }
    }

    /** Reads an int out-parameter filled by {@code h(out, args...)}. */
    int getInt(MethodHandle h, String call, String context, Object... args) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            checked(h, call, context, prepend(out, args));
            return out.get(JAVA_INT, 0);
        }
    }

    /** Reads a size_t / CUdeviceptr out-parameter filled by {@code h(out, args...)}. */
    long getLong(MethodHandle h, String call, String context, Object... args) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            checked(h, call, context, prepend(out, args));
            return out.get(JAVA_LONG, 0);
        }
    }

    /** Reads an opaque handle out-parameter filled by {@code h(out, args...)}. */
    MemorySegment getHandle(MethodHandle h, String call, String context, Object... args) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            checked(h, call, context, prepend(out, args));
            return out.get(ADDRESS, 0);
        }
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
