package lessismore.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import lessismore.output.AtomicFile;
import lessismore.output.OutputDirectory;

/**
 * A whole pre-training run into a folder: reads the data, trains step by step, appends to
 * {@code metrics.jsonl}, saves checkpoints (see {@link Checkpoint}) and writes {@code report.html}
 * at the end. A run can be resumed from the latest complete checkpoint of an earlier run folder,
 * into the same folder or a new one.
 */
public final class PretrainRun {
    /** File of per-step metrics in the run folder. */
    public static final String METRICS = "metrics.jsonl";
    /** The run's report. */
    public static final String REPORT = "report.html";

    /**
     * What to run.
     *
     * @param data            a reduce output folder or an image folder
     * @param out             the run folder (created; must be empty or new unless it is {@code resume})
     * @param plan            the configuration of a fresh run (ignored when resuming)
     * @param resume          a run folder to continue from its latest checkpoint, or null
     * @param threads         threads for decoding and views
     * @param checkpointEvery save every that many steps; 0 saves at the end of each epoch
     * @param keep            how many of the newest checkpoints to keep (at least 1)
     * @param overwrite       replace an earlier run folder at {@code out}
     */
    public record Options(Path data, Path out, Plan plan, Path resume, int threads,
                          int checkpointEvery, int keep, boolean overwrite) {
    }

    /** The configuration of a fresh run, which depends on the dataset's size (epochs become steps). */
    public interface Plan {
        /** Side of the training views, known before the data is read. */
        int size();

        /** The configuration for a dataset of {@code images} images. */
        PretrainConfig forImages(int images);
    }

    /** Told about every finished step. */
    public interface Progress {
        /** Step {@code m.step()} of {@code totalSteps} is done. */
        void step(StepMetrics m, long totalSteps);
    }

    /**
     * The outcome.
     *
     * @param config     the configuration trained with
     * @param images     images in the dataset
     * @param firstStep  steps already done when this run started (0 unless resumed)
     * @param metrics    the metrics of every step, earlier runs' included
     * @param checkpoint the last checkpoint's backbone file
     */
    public record Result(PretrainConfig config, int images, long firstStep, List<StepMetrics> metrics,
                         Path checkpoint) {
        /** Mean loss of the steps of {@code epoch} (NaN when none ran). */
        public double epochMeanLoss(int epoch) {
            return metrics.stream().filter(s -> s.epoch() == epoch).mapToDouble(StepMetrics::loss).average()
                    .orElse(Double.NaN);
        }
    }

    private PretrainRun() {
    }

    /**
     * Runs {@code o}, telling {@code progress} about each step.
     *
     * @throws IllegalArgumentException for unusable inputs, with a message for the command line
     */
    public static Result run(Options o, Progress progress) throws IOException, InterruptedException {
        Path out = o.out().toAbsolutePath().normalize();
        Path resume = o.resume() == null ? null : o.resume().toAbsolutePath().normalize();
        Trainer trainer = null;
        long start = 0;
        if (resume != null) {
            List<Long> steps = Checkpoint.steps(resume);
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("no complete checkpoint in " + o.resume());
            }
            start = steps.getLast();
            trainer = Checkpoint.load(resume, start);
        }
        int size = trainer != null ? trainer.config().size() : o.plan().size();
        Dataset data = Dataset.load(o.data(), workingSize(size), o.threads());
        if (data.size() == 0) {
            throw new IllegalArgumentException("no readable image in " + o.data());
        }
        if (trainer == null) {
            trainer = new Trainer(o.plan().forImages(data.size()));
        }
        PretrainConfig config = trainer.config();
        int perEpoch = ViewLoader.stepsPerEpoch(data.size(), config.batch());
        if (perEpoch == 0) {
            throw new IllegalArgumentException("--batch " + config.batch() + " is larger than the dataset ("
                    + data.size() + " images)");
        }
        List<StepMetrics> history = prepareOut(out, resume, start, o.overwrite());
        Augmentation augmentation = Augmentation.defaults(config.size());
        int every = o.checkpointEvery() > 0 ? o.checkpointEvery() : perEpoch;
        double seconds0 = history.isEmpty() ? 0 : history.getLast().seconds();
        long t0 = System.nanoTime();
        long last = t0;
        Path checkpoint = start > 0 && out.equals(resume) ? Checkpoint.backboneFile(out, start) : null;
        try (ViewLoader loader = new ViewLoader(data, augmentation, config.batch(), config.seed(), o.threads(), 4,
                start, config.totalSteps());
             BufferedWriter metrics = Files.newBufferedWriter(out.resolve(METRICS), StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (long s = start; s < config.totalSteps(); s++) {
                ViewLoader.Batch batch = loader.next();
                float lr = trainer.learningRate(s);
                float loss = trainer.step(batch.views(), s);
                long now = System.nanoTime();
                // The step's time runs from the end of the previous one (after its checkpoint), so it
                // includes any wait for the data pipeline but not checkpoint writing.
                StepMetrics m = new StepMetrics(s + 1, batch.epoch(), loss, lr,
                        config.batch() / ((now - last) / 1e9), seconds0 + (now - t0) / 1e9);
                history.add(m);
                metrics.write(m.toJson());
                metrics.newLine();
                metrics.flush();
                if ((s + 1) % every == 0 || s + 1 == config.totalSteps()) {
                    Checkpoint.save(out, trainer, s + 1, batch.epoch(), data.description(), augmentation.describe());
                    checkpoint = Checkpoint.backboneFile(out, s + 1);
                    List<Long> saved = Checkpoint.steps(out);
                    for (int i = 0; i < saved.size() - Math.max(1, o.keep()); i++) {
                        Checkpoint.delete(out, saved.get(i));
                    }
                }
                if (progress != null) {
                    progress.step(m, config.totalSteps());
                }
                last = System.nanoTime();
            }
        }
        Result result = new Result(config, data.size(), start, history, checkpoint);
        AtomicFile.writeText(out.resolve(REPORT), TrainingReport.html(result, data.description(),
                augmentation.describe()));
        return result;
    }

    /** Side of the images kept in memory: twice the view size, so that small crops keep detail. */
    static int workingSize(int viewSize) {
        return 2 * viewSize;
    }

    /**
     * Creates the run folder, checking that it may be written, and returns the metrics of the steps
     * already done (those up to the resumed checkpoint), which it leaves alone in metrics.jsonl.
     */
    private static List<StepMetrics> prepareOut(Path out, Path resume, long start, boolean overwrite)
            throws IOException {
        List<StepMetrics> history = new ArrayList<>();
        if (resume != null) {
            Path previous = resume.resolve(METRICS);
            if (Files.isRegularFile(previous)) {
                for (String line : Files.readAllLines(previous)) {
                    if (!line.isBlank()) {
                        StepMetrics m = StepMetrics.parse(line);
                        if (m.step() <= start) {
                            history.add(m);
                        }
                    }
                }
            }
        }
        if (!out.equals(resume) && Files.isDirectory(out)) {
            try (var entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    if (!overwrite) {
                        throw new IllegalArgumentException("output folder " + out
                                + " already exists; pass --overwrite to replace it");
                    }
                    if (!Files.isRegularFile(out.resolve(METRICS))) {
                        throw new IllegalArgumentException("output folder " + out
                                + " is not empty and holds no pretrain output; refusing to replace it");
                    }
                    OutputDirectory.deleteTree(out);
                }
            }
        }
        Files.createDirectories(out);
        StringBuilder sb = new StringBuilder();
        for (StepMetrics m : history) {
            sb.append(m.toJson()).append('\n');
        }
        AtomicFile.writeText(out.resolve(METRICS), sb.toString());
        return history;
    }
}
