package lessismore.cli;

import java.nio.file.Path;
import java.util.List;
import lessismore.cuda.Backend;
import lessismore.cuda.CudaException;
import lessismore.cuda.NativeLibraries;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --device} and {@code --cuda-lib-path}, shared by the commands that can use a GPU. */
final class DeviceOptions {
    @Option(names = "--device", paramLabel = "auto|cpu|cuda[:N]", defaultValue = "auto",
            description = "Where to compute: auto (default: CUDA device 0 when a GPU and its driver answer, "
                    + "else the CPU), cpu, or cuda:N. The summary says which was used.")
    String device;

    @Option(names = "--cuda-lib-path", paramLabel = "DIR", split = ":",
            description = "Folders to search first for libcuda, libcublas and libcudnn (also "
                    + "LESSISMORE_CUDA_LIB_PATH); by default the loader's path and the usual CUDA folders.")
    List<Path> cudaLibPath = List.of();

    /**
     * The backend the options name.
     *
     * @throws CommandLine.ParameterException when the spec is malformed or names an unusable GPU
     */
    Backend backend(CommandLine cl) {
        for (Path p : cudaLibPath) {
            NativeLibraries.addSearchPath(p);
        }
        try {
            return Backend.choose(device);
        } catch (IllegalArgumentException | CudaException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }
}
