package lessismore.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * cuBLAS ({@code libcublas.so.13}, else {@code .12}) through Panama: a handle bound to one
 * {@link CudaContext} and stream, and the calls the engine uses. Matrices are column-major, as
 * cuBLAS defines them; a row-major (m × n) matrix is the column-major (n × m) one.
 */
public final class Cublas extends NativeResource {
    private static final List<String> SONAMES = List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so");
    private static volatile Library library;

    private final MemorySegment handle;

    /** The bound functions of the loaded library. */
    private record Library(NativeLibraries.Loaded loaded, MethodHandle create, MethodHandle destroy,
            MethodHandle setStream, MethodHandle getProperty, MethodHandle sgemm, MethodHandle statusName) {
        static Library load() {
            NativeLibraries.Loaded l = NativeLibraries.load(SONAMES);
            SymbolLookup s = l.symbols();
            return new Library(l, Downcalls.status(s, "cublasCreate_v2", ADDRESS),
                    Downcalls.status(s, "cublasDestroy_v2", ADDRESS),
                    Downcalls.status(s, "cublasSetStream_v2", ADDRESS, ADDRESS),
                    Downcalls.status(s, "cublasGetProperty", JAVA_INT, ADDRESS),
                    Downcalls.status(s, "cublasSgemm_v2", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                            ADDRESS, Driver.DEVICE_PTR, JAVA_INT, Driver.DEVICE_PTR, JAVA_INT, ADDRESS, Driver.DEVICE_PTR,
                            JAVA_INT),
                    Downcalls.message(s, "cublasGetStatusName"));
        }
    }

    private Cublas(CudaContext context, MemorySegment handle) {
        super(context, "cuBLAS handle");
        this.handle = handle;
    }

    private static Library library() {
        Library l = library;
        if (l == null) {
            synchronized (Cublas.class) {
                if (library == null) {
                    library = Library.load();
                }
                l = library;
            }
        }
        return l;
    }

    /** Where libcublas was loaded from (loads it). */
    public static String location() {
        return library().loaded().location();
    }

    /** The library's version, e.g. "13.1.0" (loads it; needs no GPU). */
    public static String version() {
        Library l = library();
        int[] v = new int[3];
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            for (int i = 0; i < 3; i++) {
                check(l, call(l.getProperty(), i, out), "cublasGetProperty", "reading the cuBLAS version");
                v[i] = out.get(JAVA_INT, 0);
            }
        }
        return v[0] + "." + v[1] + "." + v[2];
    }

    /** A cuBLAS handle in {@code context}, on the default stream until {@link #setStream}. */
    public static Cublas open(CudaContext context) {
        Library l = library();
        context.bind();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check(l, call(l.create(), out), "cublasCreate_v2", "creating a cuBLAS handle on cuda:" + context.device().ordinal());
            return context.track(new Cublas(context, out.get(ADDRESS, 0)));
        }
    }

    /** Queues later calls on {@code stream} (null: default stream). */
    public void setStream(CudaStream stream) {
        Library l = library();
        context.bind();
        check(l, call(l.setStream(), live(), CudaStream.handle(stream)), "cublasSetStream_v2", "setting the cuBLAS stream");
    }

    /**
     * C = alpha · op(A) · op(B) + beta · C in fp32, column-major (cublasSgemm): op(A) is m × k,
     * op(B) is k × n, C is m × n; lda, ldb, ldc are the leading dimensions.
     */
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, DeviceBuffer a, int lda,
            DeviceBuffer b, int ldb, float beta, DeviceBuffer c, int ldc) {
        Library l = library();
        context.bind();
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment al = ar.allocateFrom(JAVA_FLOAT, alpha);
            MemorySegment be = ar.allocateFrom(JAVA_FLOAT, beta);
            check(l, call(l.sgemm(), live(), transA ? 1 : 0, transB ? 1 : 0, m, n, k, al, a.address(), lda,
                    b.address(), ldb, be, c.address(), ldc), "cublasSgemm_v2",
                    String.format("multiplying %dx%d by %dx%d", m, k, k, n));
        }
    }

    private MemorySegment live() {
        checkOpen();
        return handle;
    }

    private static int call(MethodHandle h, Object... args) {
        return Downcalls.invoke(h, args);
    }

    private static void check(Library l, int status, String call, String context) {
        Downcalls.check(status, l.statusName(), "CUBLAS_STATUS_", call, context);
    }

    @Override
    void release() {
        context.bind();
        Library l = library();
        check(l, call(l.destroy(), handle), "cublasDestroy_v2", "destroying a cuBLAS handle");
    }
}
