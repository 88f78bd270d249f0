package lessismore.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import lessismore.synth.PhantomGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lessismore synth OUT}: the phantom generator on its own. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Writes a synthetic CT study (several DICOM series of an anatomical phantom with "
                + "realistic slice-to-slice continuity, planted exact and near duplicates, and one "
                + "non-DICOM file) into OUT, which must be new or empty. Deterministic for a given seed."})
final class SynthCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OUT", description = "Folder to write (new or empty).")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--size", defaultValue = "256", description = "Image size in pixels, square (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--scale", defaultValue = "1.0",
            description = "Multiplies the number of slices per series (default ${DEFAULT-VALUE}).")
    double scale;

    @Override
    public Integer call() {
        try {
            PhantomGenerator.Options options = PhantomGenerator.Options.defaults().withSeed(seed).withSize(size)
                    .withSliceScale(scale);
            PhantomGenerator.Result r = PhantomGenerator.generate(out, options);
            spec.commandLine().getOut().println(describe(r));
            return ExitCodes.OK;
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("lessismore: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        } catch (FileAlreadyExistsException e) {
            spec.commandLine().getErr().println("lessismore: " + out + ": " + e.getReason());
            return ExitCodes.BAD_INPUT;
        } catch (IOException e) {
            spec.commandLine().getErr().println("lessismore: cannot write " + out + ": " + e);
            return ExitCodes.INTERNAL_ERROR;
        }
    }

    /** One line per series: folder, slices, planted duplicates. */
    static String describe(PhantomGenerator.Result r) {
        StringBuilder sb = new StringBuilder("synthetic study in " + r.root() + "\n");
        for (PhantomGenerator.SeriesResult s : r.series()) {
            sb.append(String.format("  %-24s %4d files (%d exact, %d near duplicates planted)%n",
                    s.folder().getFileName(), s.fileCount(), s.exactDuplicates().size(), s.nearDuplicates().size()));
        }
        return sb.toString().stripTrailing();
    }
}
