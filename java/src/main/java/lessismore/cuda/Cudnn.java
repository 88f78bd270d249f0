package lessismore.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * cuDNN ({@code libcudnn.so.9}) through Panama, loaded lazily on first use: version check and a
 * handle bound to a {@link CudaContext} and stream. The convolution calls belong to the GPU
 * training engine; this class is where they are bound.
 */
public final class Cudnn extends NativeResource {
    /** Oldest cuDNN major version the bindings are written for. */
    public static final int MIN_MAJOR = 9;
    private static volatile Library library;

    private final MemorySegment handle;

    private record Library(NativeLibraries.Loaded loaded, MethodHandle getVersion, MethodHandle create,
            MethodHandle destroy, MethodHandle setStream, MethodHandle errorString) {
        static Library load() {
            NativeLibraries.Loaded l = NativeLibraries.load(List.of("libcudnn.so.9", "libcudnn.so"));
            SymbolLookup s = l.symbols();
            Linker linker = Linker.nativeLinker();
            return new Library(l,
                    linker.downcallHandle(s.find("cudnnGetVersion").orElseThrow(), FunctionDescriptor.of(JAVA_LONG)),
                    Downcalls.status(s, "cudnnCreate", ADDRESS), Downcalls.status(s, "cudnnDestroy", ADDRESS),
                    Downcalls.status(s, "cudnnSetStream", ADDRESS, ADDRESS), Downcalls.message(s, "cudnnGetErrorString"));
        }
    }

    private Cudnn(CudaContext context, MemorySegment handle) {
        super(context, "cuDNN handle");
        this.handle = handle;
    }

    private static Library library() {
        Library l = library;
        if (l == null) {
            synchronized (Cudnn.class) {
                if (library == null) {
                    Library loaded = Library.load();
                    long v = versionNumber(loaded);
                    if (v / 10000 < MIN_MAJOR) {
                        throw new CudaException("cudnnGetVersion", "CUDNN_VERSION_UNSUPPORTED", null,
                                "cuDNN " + format(v) + " at " + loaded.loaded().location() + " is older than " + MIN_MAJOR);
                    }
                    library = loaded;
                }
                l = library;
            }
        }
        return l;
    }

    private static long versionNumber(Library l) {
        try {
            return (long) l.getVersion().invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static String format(long v) {
        return v / 10000 + "." + v % 10000 / 100 + "." + v % 100;
    }

    /** Where libcudnn was loaded from (loads it). */
    public static String location() {
        return library().loaded().location();
    }

    /** The library's version, e.g. "9.14.0" (loads it; needs no GPU). */
    public static String version() {
        return format(versionNumber(library()));
    }

    /** A cuDNN handle in {@code context}. */
    public static Cudnn open(CudaContext context) {
        Library l = library();
        context.bind();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check(l, call(l.create(), out), "cudnnCreate", "creating a cuDNN handle on cuda:" + context.device().ordinal());
            return context.track(new Cudnn(context, out.get(ADDRESS, 0)));
        }
    }

    /** Queues later calls on {@code stream} (null: default stream). */
    public void setStream(CudaStream stream) {
        checkOpen();
        context.bind();
        check(library(), call(library().setStream(), handle, CudaStream.handle(stream)), "cudnnSetStream", "setting the cuDNN stream");
    }

    private static int call(MethodHandle h, Object... args) {
        return Downcalls.invoke(h, args);
    }

    private static void check(Library l, int status, String call, String context) {
        Downcalls.check(status, l.errorString(), "CUDNN_STATUS_", call, context);
    }

    @Override
    void release() {
        context.bind();
        Library l = library();
        check(l, call(l.destroy(), handle), "cudnnDestroy", "destroying a cuDNN handle");
    }
}
