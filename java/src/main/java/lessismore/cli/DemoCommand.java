package lessismore.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import lessismore.output.OutputDirectory;
import lessismore.reduce.Export;
import lessismore.reduce.Reducer;
import lessismore.reduce.VolumeGrouper;
import lessismore.select.Rule;
import lessismore.select.SignatureStrategy;
import lessismore.signature.HashMethod;
import lessismore.synth.PhantomGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lessismore demo}: synthesizes a small CT study with the phantom generator, reduces it with
 * Hash-6 and says where the outputs are. Re-running replaces the previous demo.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Synthesizes a small CT study (DIR/study), runs `reduce --strategy hash --export png` "
                + "on it (DIR/reduced) and prints where the manifest and summary are."})
final class DemoCommand implements Callable<Integer> {
    private static final String STUDY_MARKER = "lessismore's phantom generator";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", defaultValue = "lessismore-demo",
            description = "Working folder (default ./${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--seed", defaultValue = "42", description = "Phantom seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar (the summary table is always printed).")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path study = dir.toAbsolutePath().normalize().resolve("study");
        Path reduced = study.resolveSibling("reduced");
        try {
            if (Files.exists(study)) {
                Path readme = study.resolve("README.txt");
                if (!Files.isRegularFile(readme) || !Files.readString(readme).contains(STUDY_MARKER)) {
                    spec.commandLine().getErr().println("lessismore: " + study
                            + " exists and is not a demo study; choose another --dir");
                    return ExitCodes.BAD_INPUT;
                }
                OutputDirectory.deleteTree(study);
            }
            PhantomGenerator.Result r = PhantomGenerator.generate(study,
                    PhantomGenerator.Options.defaults().withSeed(seed));
            out.println(SynthCommand.describe(r));
            out.println();
        } catch (IOException e) {
            spec.commandLine().getErr().println("lessismore: cannot write the demo study: " + e);
            return ExitCodes.INTERNAL_ERROR;
        }
        out.println("reduce " + study + " --out " + reduced + " --strategy hash --threshold 6 --export png");
        SignatureStrategy<long[]> hash6 = new SignatureStrategy<>(new HashMethod(HashMethod.Kind.DHASH, 8),
                Rule.REFERENCE, 6);
        int code = ReduceCommand.runReducer(spec, new Reducer.Options(study, reduced, hash6,
                VolumeGrouper.Order.ANATOMICAL, Export.PNG, true, Runtime.getRuntime().availableProcessors())
                .withReport(true), !quiet, ReduceCommand.Report.TABLE);
        if (code == ExitCodes.OK) {
            out.println("kept slices as PNG: " + reduced.resolve("images"));
        }
        return code;
    }
}
