package lessismore.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import lessismore.io.SkippedFileException;
import lessismore.train.PretrainConfig;
import lessismore.train.PretrainRun;
import lessismore.train.StepMetrics;
import lessismore.train.ViewLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lessismore pretrain DATA --out DIR}: SimCLR pre-training of a 1-channel ResNet. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pre-trains a 1-channel ResNet with SimCLR on DATA (a reduce output folder: its kept "
                + "slices; or any image folder) and writes checkpoints, metrics.jsonl and report.html to --out."})
final class PretrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DATA", description = "reduce output folder, or a folder of images/DICOM.")
    Path data;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Run folder to create.")
    Path out;

    @Option(names = "--arch", paramLabel = "NAME", defaultValue = "resnet18",
            description = "resnet18 (default) or resnet50.")
    String arch;

    @Option(names = "--head", paramLabel = "KIND", defaultValue = "bn",
            description = "Projection head: bn (Linear-BN-ReLU-Linear, default) or plain (no BatchNorm).")
    String head;

    @Option(names = "--size", paramLabel = "PIXELS", defaultValue = "64", description = "View side (default 64).")
    int size;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs to train (default 10 unless --steps).")
    Integer epochs;

    @Option(names = "--steps", paramLabel = "N", description = "Step budget instead of --epochs.")
    Long steps;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
            description = "Images per step, two views each (default 32).")
    int batch;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Peak learning rate (default 0.3*batch/256 for sgd and lars, 1e-3 for adamw).")
    Double lr;

    @Option(names = "--temperature", paramLabel = "TAU", defaultValue = "0.5",
            description = "NT-Xent temperature (default 0.5).")
    double temperature;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "sgd",
            description = "sgd (momentum 0.9, default), lars or adamw.")
    String optimizer;

    @Option(names = "--warmup", paramLabel = "STEPS",
            description = "Linear warm-up steps before the cosine decay (default 10% of the steps).")
    Integer warmup;

    @Option(names = "--weight-decay", paramLabel = "WD",
            description = "Weight decay (default 1e-6 for sgd and lars, 0.05 for adamw).")
    Double weightDecay;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
            description = "cpu (default); the CUDA engine is not in this version.")
    String device;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seeds the weights, the epoch order and every view (default 0).")
    long seed;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for the data pipeline and for the matrix multiplies (default: all cores).")
    Integer threads;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the run in DIR from its latest checkpoint, with its configuration "
                    + "(the training options above are then ignored). --out may be DIR itself.")
    Path resume;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", defaultValue = "0",
            description = "Save a checkpoint every STEPS steps (default 0: at the end of each epoch).")
    int checkpointEvery;

    @Option(names = "--keep-checkpoints", paramLabel = "N", defaultValue = "2",
            description = "Keep the N newest checkpoints (default 2).")
    int keep;

    @Option(names = "--overwrite", description = "Replace --out if it holds an earlier pretrain run.")
    boolean overwrite;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar and no summary.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (t < 1 || keep < 1 || checkpointEvery < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--threads and --keep-checkpoints must be at least 1, --checkpoint-every at least 0");
        }
        if (epochs != null && steps != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--epochs and --steps exclude each other");
        }
        if (!device.equals("cpu")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--device " + device
                    + ": this version trains on the CPU only (--device cpu); the CUDA engine is not written yet");
        }
        lessismore.tensor.Gemm.setThreads(t);
        PretrainRun.Plan plan = new PretrainRun.Plan() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public PretrainConfig forImages(int images) {
                return config(images);
            }
        };
        if (resume == null) {
            try {
                config(batch);   // checks the options before any data is read
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        PretrainRun.Result result;
        try (Bar bar = new Bar(System.err, !quiet && System.console() != null && System.console().isTerminal())) {
            result = PretrainRun.run(new PretrainRun.Options(data, out, plan, resume, t, checkpointEvery, keep,
                    overwrite), bar::draw);
        } catch (IllegalArgumentException e) {
            stderr.println("lessismore: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        } catch (IOException e) {
            stderr.println("lessismore: I/O error: " + SkippedFileException.describe(e));
            return ExitCodes.INTERNAL_ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stderr.println("lessismore: interrupted");
            return ExitCodes.INTERNAL_ERROR;
        }
        if (!quiet) {
            printSummary(stdout, result);
        }
        return ExitCodes.OK;
    }

    /** The configuration for a dataset of {@code images} images. */
    private PretrainConfig config(int images) {
        int perEpoch = Math.max(1, ViewLoader.stepsPerEpoch(images, batch));
        int e = epochs != null ? epochs : steps != null ? 0 : 10;
        if (epochs != null && epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        long total = steps != null ? steps : (long) e * perEpoch;
        int w = warmup != null ? warmup : (int) Math.min(Integer.MAX_VALUE, total / 10);
        double rate = lr != null ? lr : PretrainConfig.defaultLr(optimizer, batch);
        double wd = weightDecay != null ? weightDecay : PretrainConfig.defaultWeightDecay(optimizer);
        return new PretrainConfig(arch, head, 128, size, batch, e, total, optimizer, rate, w, wd, 0.9,
                temperature, seed);
    }

    private void printSummary(PrintWriter out, PretrainRun.Result r) {
        var m = r.metrics();
        if (!m.isEmpty()) {
            StepMetrics first = m.getFirst();
            StepMetrics last = m.getLast();
            out.printf(Locale.ROOT, "%d images, %d steps (%s)%n", r.images(), last.step(), r.config());
            out.printf(Locale.ROOT, "loss: epoch %d mean %.4f -> epoch %d mean %.4f; %.1f s%n", first.epoch(),
                    r.epochMeanLoss(first.epoch()), last.epoch(), r.epochMeanLoss(last.epoch()), last.seconds());
        }
        if (r.checkpoint() != null) {
            out.println("checkpoint: " + r.checkpoint());
        }
        Path dir = this.out.toAbsolutePath().normalize();
        out.println("metrics:    " + dir.resolve(PretrainRun.METRICS));
        out.println("report:     " + dir.resolve(PretrainRun.REPORT));
    }

    /** One status line on a terminal: steps, loss, images/s and ETA, redrawn in place after each step. */
    private static final class Bar implements AutoCloseable {
        private final PrintStream err;
        private final boolean enabled;
        private boolean drawn;

        Bar(PrintStream err, boolean enabled) {
            this.err = err;
            this.enabled = enabled;
        }

        void draw(StepMetrics m, long total) {
            if (!enabled) {
                return;
            }
            int width = 30;
            int filled = (int) (width * m.step() / Math.max(1, total));
            long eta = m.imagesPerSecond() > 0 && m.step() > 0
                    ? Math.round(m.seconds() / m.step() * (total - m.step())) : 0;
            err.printf(Locale.ROOT, "\rstep [%s] %d/%d  loss %.4f  %.1f img/s  ETA %d:%02d ",
                    "#".repeat(filled) + " ".repeat(width - filled), m.step(), total, m.loss(),
                    m.imagesPerSecond(), eta / 60, eta % 60);
            err.flush();
            drawn = true;
        }

        @Override
        public void close() {
            if (enabled && drawn) {
                err.print("\r\033[K");
                err.flush();
            }
        }
    }
}
