package lessismore.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import lessismore.experiment.Experiment;
import lessismore.experiment.StrategySpec;
import lessismore.io.SkippedFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lessismore experiment}: reduce, pre-train and evaluate for several strategies, the paper's
 * comparison as one resumable command.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = {"For each --strategy: reduces the pre-training data, pre-trains a ResNet on what is kept "
                + "(same budget for every strategy) and evaluates it on each --downstream set with the linear "
                + "probe; the baselines none (no pre-training) and all (every slice) are always included. "
                + "Writes experiment.json (at the start), results.csv, results.md, results.html and one folder per "
                + "strategy under OUT/cells. Running it again with the same configuration redoes no finished cell.",
            "",
            "Presets (explicit options override them):",
            "  cpu: --pretrain-data ../shared/data/ct, strategies all, every-n:n=3, hash:t=6, ssim; ResNet-18 at "
                + "64 px, batch 32, 20 epochs; --downstream ../shared/data/classification/iq-othnccd at 64 px. "
                + "About 12 minutes on 2 cores (measured 11 min 51 s: 271 slices in all, 8 steps per epoch).",
            "  gpu: the same data with mi and embedding added, 128 px, batch 64, 100 epochs: sizes meant for a "
                + "larger machine (training itself runs on the CPU in this version)."})
final class ExperimentCommand implements Callable<Integer> {
    /** One preset's values. */
    private record Preset(String pretrainData, List<String> downstream, List<String> strategies, int size,
                          int evalSize, int batch, int epochs) {
    }

    private static final List<String> PAPER_STRATEGIES = List.of("all", "every-n:n=3", "hash:t=6", "ssim");
    private static final Preset CPU = new Preset("../shared/data/ct",
            List.of("../shared/data/classification/iq-othnccd"), PAPER_STRATEGIES, 64, 64, 32, 20);
    private static final Preset GPU = new Preset("../shared/data/ct",
            List.of("../shared/data/classification/iq-othnccd"),
            List.of("all", "every-n:n=3", "hash:t=6", "ssim", "mi", "embedding"), 128, 128, 64, 100);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME", description = "cpu or gpu (see above).")
    String preset;

    @Option(names = "--pretrain-data", paramLabel = "DIR", description = "CT data to reduce and pre-train on.")
    Path pretrainData;

    @Option(names = "--downstream", paramLabel = "DIR", split = ",",
            description = "Labelled sets (class folders or labels CSV), comma-separated or repeated.")
    List<Path> downstream;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Experiment folder.")
    Path out;

    @Option(names = "--strategy", paramLabel = "SPEC",
            description = "NAME[:KEY=VALUE,...], repeatable: all, every-n:n=3, hash:t=6, hash:keep=0.3, ssim:t=0.8, "
                    + "mi, embedding, none; t is --threshold, keep is --keep-fraction, other keys are reduce options "
                    + "(default: all, every-n:n=3, hash:t=6, ssim).")
    List<String> strategies;

    @Option(names = "--budget", paramLabel = "RULE", defaultValue = "epochs",
            description = "epochs (default, as the paper: the same epochs for every strategy, so fewer slices "
                    + "train fewer steps) or steps (the same steps for every strategy).")
    String budget;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs per strategy (default 10, or the preset's).")
    Integer epochs;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "100",
            description = "Steps per strategy with --budget steps (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--arch", paramLabel = "NAME", defaultValue = "resnet18",
            description = "resnet18 (default) or resnet50.")
    String arch;

    @Option(names = "--size", paramLabel = "PIXELS", description = "Pre-training view side (default 64).")
    Integer size;

    @Option(names = "--batch", paramLabel = "N", description = "Pre-training batch (default 32).")
    Integer batch;

    @Option(names = "--eval-size", paramLabel = "PIXELS", description = "Downstream image side (default 64).")
    Integer evalSize;

    @Option(names = "--bootstrap", paramLabel = "B", defaultValue = "1000",
            description = "Bootstrap resamples for the 95% intervals (default ${DEFAULT-VALUE}).")
    int bootstrap;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed (default 0).")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--overwrite",
            description = "Start afresh when OUT holds an experiment with another configuration.")
    boolean overwrite;

    @Option(names = {"-q", "--quiet"}, description = "No progress lines and no table.")
    boolean quiet;

    @Override
    public Integer call() {
        Preset p = preset == null ? null : switch (preset.toLowerCase(Locale.ROOT)) {
            case "cpu" -> CPU;
            case "gpu" -> GPU;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--preset must be cpu or gpu");
        };
        Path data = pretrainData != null ? pretrainData : p != null ? Path.of(p.pretrainData()) : null;
        List<Path> sets = downstream != null ? downstream
                : p != null ? p.downstream().stream().map(Path::of).toList() : null;
        if (data == null || sets == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --pretrain-data and --downstream, or a --preset");
        }
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        Experiment.Config config;
        try {
            config = new Experiment.Config(data, sets, arms(p), budget,
                    epochs != null ? epochs : p != null ? p.epochs() : 10, steps, arch,
                    size != null ? size : p != null ? p.size() : 64, batch != null ? batch : p != null ? p.batch() : 32,
                    evalSize != null ? evalSize : p != null ? p.evalSize() : 64, bootstrap, seed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        long start = System.nanoTime();
        Experiment.Outcome outcome;
        try {
            outcome = Experiment.run(config, out, overwrite, t, quiet ? line -> { } : stderr::println);
        } catch (IllegalArgumentException e) {
            stderr.println("lessismore: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        } catch (IOException e) {
            stderr.println("lessismore: " + SkippedFileException.describe(e));
            return ExitCodes.INTERNAL_ERROR;
        }
        if (!quiet) {
            Path dir = out.toAbsolutePath().normalize();
            stdout.printf(Locale.ROOT, "%d cell(s) run in %.1f s%n", outcome.cellsRun(),
                    (System.nanoTime() - start) / 1e9);
            stdout.println("results: " + dir.resolve("results.md"));
            stdout.println("report:  " + dir.resolve("results.html"));
        }
        return ExitCodes.OK;
    }

    /** The strategies with the two baselines first: none (no pre-training) and all (every slice). */
    private List<StrategySpec> arms(Preset p) {
        List<String> given = strategies != null ? strategies : p != null ? p.strategies() : PAPER_STRATEGIES;
        List<StrategySpec> arms = new ArrayList<>();
        for (String s : given) {
            arms.add(StrategySpec.parse(s));
        }
        for (String baseline : List.of("all", StrategySpec.NONE)) {
            if (arms.stream().noneMatch(a -> a.spec().equals(baseline))) {
                arms.addFirst(StrategySpec.parse(baseline));
            }
        }
        return arms;
    }
}
