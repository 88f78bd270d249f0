package lessismore.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Finds and loads the NVIDIA libraries by soname. Search order: the folders given with
 * {@code --cuda-lib-path} ({@link #addSearchPath}) or the environment variable
 * {@code LESSISMORE_CUDA_LIB_PATH} (colon-separated), then the dynamic loader's own search
 * ({@code LD_LIBRARY_PATH}, the ld.so cache), then the folders where CUDA toolkits and NVIDIA
 * container images put them. Libraries stay loaded for the life of the JVM.
 */
public final class NativeLibraries {
    /** Where toolkits and driver containers install the libraries, tried last. */
    private static final List<String> KNOWN_DIRS = List.of(
            "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/local/cuda/lib64", "/usr/local/nvidia/lib64",
            "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/wsl/lib");
    private static final List<Path> USER_DIRS = new CopyOnWriteArrayList<>();

    private NativeLibraries() {
    }

    /** A loaded library: where it came from and its symbols. */
    public record Loaded(String soname, String location, SymbolLookup symbols) {
    }

    /** Adds a folder to search first (the {@code --cuda-lib-path} option). */
    public static void addSearchPath(Path dir) {
        USER_DIRS.add(dir.toAbsolutePath());
    }

    /**
     * Loads the first of {@code sonames} that can be found, trying each folder for each name in
     * turn.
     *
     * @throws CudaException (error name {@code LIBRARY_NOT_FOUND}) when none loads, listing what
     *                       was tried
     */
    public static Loaded load(List<String> sonames) {
        List<String> tried = new ArrayList<>();
        for (String name : sonames) {
            for (Path dir : userDirs()) {
                Loaded l = tryPath(dir.resolve(name), name, tried);
                if (l != null) {
                    return l;
                }
            }
            try {
                return new Loaded(name, "loader search path", SymbolLookup.libraryLookup(name, Arena.global()));
            } catch (IllegalArgumentException e) {
                // Not on the loader's path: the common case on a machine without it, not worth listing.
            }
            for (String dir : KNOWN_DIRS) {
                Loaded l = tryPath(Path.of(dir, name), name, tried);
                if (l != null) {
                    return l;
                }
            }
        }
        throw new CudaException("dlopen", "LIBRARY_NOT_FOUND", null,
                "looking for " + String.join(" or ", sonames) + " on the loader path and in " + userDirs().size()
                        + " given and " + KNOWN_DIRS.size() + " usual folders"
                        + (tried.isEmpty() ? "" : "; found but unusable: " + String.join(", ", tried))
                        + " (add a folder with --cuda-lib-path or LESSISMORE_CUDA_LIB_PATH)");
    }

    private static Loaded tryPath(Path p, String name, List<String> tried) {
        if (!Files.exists(p)) {
            return null;
        }
        try {
            return new Loaded(name, p.toString(), SymbolLookup.libraryLookup(p, Arena.global()));
        } catch (IllegalArgumentException e) {
            tried.add(p + " (" + e.getMessage() + ")");
            return null;
        }
    }

    private static List<Path> userDirs() {
        List<Path> dirs = new ArrayList<>(USER_DIRS);
        String env = System.getenv("LESSISMORE_CUDA_LIB_PATH");
        if (env != null) {
            for (String s : env.split(":")) {
                if (!s.isBlank()) {
                    dirs.add(Path.of(s));
                }
            }
        }
        return dirs;
    }
}
