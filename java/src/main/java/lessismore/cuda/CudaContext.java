package lessismore.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The primary context of one GPU, and the owner of everything allocated in it. Opening retains
 * the device's primary context (shared with any other library in the process, e.g. cuBLAS or
 * ONNX Runtime's CUDA provider); closing closes whatever is still open and releases it.
 *
 * <p>The driver's "current context" is per thread: every method of this class and of the
 * resources it hands out makes the context current on the calling thread first, so callers on
 * worker threads need not. Resources are not thread-safe unless they say so; the context is.
 */
public final class CudaContext implements AutoCloseable {
    /** Oldest compute capability (major) the kernels run on: their PTX targets compute_80. */
    public static final int MIN_COMPUTE_MAJOR = 8;
    private static final ThreadLocal<CudaContext> CURRENT = new ThreadLocal<>();

    private final Driver driver;
    private final CudaDevice device;
    private final int dev;
    private final MemorySegment handle;
    private final Set<Resource> open = ConcurrentHashMap.newKeySet();
    private final Map<String, CudaModule> modules = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Something this context owns and frees on {@link #close()} if its owner has not. */
    interface Resource extends AutoCloseable {
        @Override
        void close();
    }

    private CudaContext(Driver driver, CudaDevice device, int dev, MemorySegment handle) {
        this.driver = driver;
        this.device = device;
        this.dev = dev;
        this.handle = handle;
    }

    /** Retains device {@code ordinal}'s primary context and makes it current on this thread. */
    public static CudaContext open(int ordinal) {
        Driver d = Driver.get();
        CudaDevice device = Cuda.device(ordinal);
        String what = "opening the context of cuda:" + ordinal;
        int dev = d.getInt(d.cuDeviceGet, "cuDeviceGet", what, ordinal);
        MemorySegment h = d.getHandle(d.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain", what, dev);
        CudaContext c = new CudaContext(d, device, dev, h);
        c.makeCurrent();
        return c;
    }

    /** The device. */
    public CudaDevice device() {
        return device;
    }

    /** Makes this context current on the calling thread (done implicitly by every operation). */
    public void makeCurrent() {
        if (closed) {
            throw new IllegalStateException("CUDA context of cuda:" + device.ordinal() + " is closed");
        }
        driver.checked(driver.cuCtxSetCurrent, "cuCtxSetCurrent", "making cuda:" + device.ordinal() + " current", handle);
        CURRENT.set(this);
    }

    /** Makes the context current on this thread if it is not already; returns the driver. */
    Driver bind() {
        if (CURRENT.get() != this || closed) {
            makeCurrent();
        }
        return driver;
    }

    /** Allocates {@code bytes} of device memory (cuMemAlloc; uninitialised). */
    public DeviceBuffer allocate(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("device allocation of " + bytes + " bytes");
        }
        Driver d = bind();
        long ptr = d.getLong(d.cuMemAlloc, "cuMemAlloc_v2", "allocating " + bytes + " bytes on cuda:" + device.ordinal(), bytes);
        return track(new DeviceBuffer(this, ptr, bytes, true));
    }

    /** Allocates {@code bytes} of page-locked host memory, for asynchronous copies. */
    public PinnedBuffer allocatePinned(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("pinned allocation of " + bytes + " bytes");
        }
        Driver d = bind();
        MemorySegment p = d.getHandle(d.cuMemHostAlloc, "cuMemHostAlloc", "allocating " + bytes + " pinned bytes", bytes, 0);
        return track(new PinnedBuffer(this, p.reinterpret(bytes)));
    }

    /** A new stream (ordinary: it synchronizes with the legacy default stream). */
    public CudaStream createStream() {
        Driver d = bind();
        return track(new CudaStream(this, d.getHandle(d.cuStreamCreate, "cuStreamCreate", "creating a stream", 0)));
    }

    /** A new event with timing enabled. */
    public CudaEvent createEvent() {
        Driver d = bind();
        return track(new CudaEvent(this, d.getHandle(d.cuEventCreate, "cuEventCreate", "creating an event", 0)));
    }

    /**
     * The kernels of op family {@code family}, loaded once per context from the jar: the sm_90
     * cubin on a compute capability 9.0 device, else the compute_80 PTX, which the driver compiles
     * for the device (8.0 or newer).
     */
    public CudaModule module(String family) {
        return modules.computeIfAbsent(family, this::load);
    }

    private CudaModule load(String family) {
        String cubin = family + ".sm_90.cubin";
        String ptx = family + ".compute_80.ptx";
        boolean hopper = device.major() == 9 && device.minor() == 0;
        String chosen = hopper && resourceExists(cubin) ? cubin : ptx;
        if (chosen.equals(ptx) && device.major() < MIN_COMPUTE_MAJOR) {
            throw new CudaException("cuModuleLoadDataEx", "UNSUPPORTED_DEVICE", null, "loading " + family
                    + ": kernels need compute capability " + MIN_COMPUTE_MAJOR + ".0 or newer, cuda:" + device.ordinal()
                    + " is " + device.capability());
        }
        byte[] image = readResource(chosen);
        Driver d = bind();
        try (Arena a = Arena.ofConfined()) {
            // PTX is text and must end with a NUL; a cubin is passed as is.
            MemorySegment img = a.allocate(image.length + 1L);
            MemorySegment.copy(image, 0, img, JAVA_BYTE, 0, image.length);
            img.set(JAVA_BYTE, image.length, (byte) 0);
            int logSize = 8192;
            MemorySegment log = a.allocate(logSize);
            MemorySegment opts = a.allocate(JAVA_INT, 2);
            opts.setAtIndex(JAVA_INT, 0, Driver.JIT_ERROR_LOG_BUFFER);
            opts.setAtIndex(JAVA_INT, 1, Driver.JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
            MemorySegment vals = a.allocate(ADDRESS, 2);
            vals.setAtIndex(ADDRESS, 0, log);
            vals.setAtIndex(JAVA_LONG, 1, logSize);
            MemorySegment out = a.allocate(ADDRESS);
            int status = d.call(d.cuModuleLoadDataEx, out, img, 2, opts, vals);
            if (status != 0) {
                String jit = log.getString(0).strip();
                d.check(status, "cuModuleLoadDataEx", "loading " + chosen + (jit.isEmpty() ? "" : ": " + jit));
            }
            return track(new CudaModule(this, out.get(ADDRESS, 0), chosen));
        }
    }

    private static boolean resourceExists(String name) {
        return CudaContext.class.getResource("/lessismore/cuda/" + name) != null;
    }

    private static byte[] readResource(String name) {
        try (InputStream in = CudaContext.class.getResourceAsStream("/lessismore/cuda/" + name)) {
            if (in == null) {
                throw new CudaException("cuModuleLoadDataEx", "KERNEL_NOT_SHIPPED", null,
                        "the jar has no lessismore/cuda/" + name + " (run cmake/build-kernels.sh)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Free and total device memory in bytes, {free, total}. */
    public long[] memoryInfo() {
        Driver d = bind();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(JAVA_LONG);
            MemorySegment total = a.allocate(JAVA_LONG);
            d.checked(d.cuMemGetInfo, "cuMemGetInfo_v2", "reading memory use", free, total);
            return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        }
    }

    /** Waits for all work in this context. */
    public void synchronize() {
        Driver d = bind();
        d.checked(d.cuCtxSynchronize, "cuCtxSynchronize", "waiting for cuda:" + device.ordinal());
    }

    /** Number of buffers, streams, events and modules open in this context (for leak checks). */
    public int openResources() {
        return open.size();
    }

    <R extends Resource> R track(R r) {
        open.add(r);
        return r;
    }

    void untrack(Resource r) {
        open.remove(r);
    }

    /** Closes every resource still open, then releases the primary context. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        bind();
        for (Resource r : open.toArray(Resource[]::new)) {
            r.close();
        }
        modules.clear();
        closed = true;
        if (CURRENT.get() == this) {
            CURRENT.remove();
        }
        driver.checked(driver.cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2",
                "releasing the context of cuda:" + device.ordinal(), dev);
    }
}
