package lessismore.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/** Panama plumbing shared by the driver, cuBLAS and cuDNN bindings. */
final class Downcalls {
    private Downcalls() {
    }

    /** A downcall handle for {@code name}, a function returning a status (int). */
    static MethodHandle status(SymbolLookup s, String name, MemoryLayout... args) {
        return Linker.nativeLinker().downcallHandle(symbol(s, name), FunctionDescriptor.of(JAVA_INT, args));
    }

    /** A downcall handle for {@code name}, a function of one int returning a C string (an error name). */
    static MethodHandle message(SymbolLookup s, String name) {
        return Linker.nativeLinker().downcallHandle(symbol(s, name), FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private static MemorySegment symbol(SymbolLookup s, String name) {
        return s.find(name).orElseThrow(() -> new CudaException("dlsym", "SYMBOL_NOT_FOUND", null, "looking up " + name));
    }

    /** Invokes a status-returning handle; argument types must match its descriptor. */
    static int invoke(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Throws a {@link CudaException} unless {@code status} is 0 (success in cuBLAS and cuDNN),
     * named by {@code message} (cublasGetStatusName, cudnnGetErrorString) or else
     * {@code prefix + status}.
     */
    static void check(int status, MethodHandle message, String prefix, String call, String context) {
        if (status != 0) {
            String name = prefix + status;
            try {
                MemorySegment p = (MemorySegment) message.invokeWithArguments(status);
                if (!p.equals(MemorySegment.NULL)) {
                    name = p.reinterpret(256).getString(0);
                }
            } catch (Throwable t) {
                // Keep the numeric name: the status itself is what matters.
            }
            throw new CudaException(call, name, null, context);
        }
    }
}
