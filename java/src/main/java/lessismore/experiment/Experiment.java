package lessismore.experiment;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import lessismore.cli.Main;
import lessismore.output.AtomicFile;
import lessismore.output.Json;
import lessismore.output.JsonReader;
import lessismore.output.OutputDirectory;
import lessismore.train.Checkpoint;
import lessismore.train.PretrainRun;
import lessismore.train.StepMetrics;

/**
 * The paper's comparison as one run: for each strategy, reduce the pre-training data, pre-train on
 * what is kept under one budget rule, and evaluate the backbone on every downstream set with the
 * linear probe. Each step of each strategy is a cell that runs the reduce, pretrain or evaluate
 * command in-process into {@code OUT/cells/<strategy>/} and, when it has finished, records its
 * outcome in a {@code *.done.json} marker written last; a cell with a marker is not run again, so an
 * interrupted experiment continues where it stopped, a pre-training from its latest checkpoint.
 */
public final class Experiment {
    /** The configuration file saved at the start. */
    public static final String CONFIG = "experiment.json";

    /**
     * What to compare.
     *
     * @param pretrainData the CT data to reduce and pre-train on
     * @param downstream   labelled classification sets (class folders or labels CSV)
     * @param strategies   the arms, {@code none} and {@code all} among them for the baselines
     * @param budget       {@code epochs} (same epochs for every arm, as the paper) or {@code steps}
     * @param epochs       epochs per arm under the epoch budget
     * @param steps        steps per arm under the step budget
     * @param arch         backbone architecture (resnet18 or resnet50)
     * @param size         pre-training view side in pixels
     * @param batch        pre-training batch (smaller for an arm that keeps fewer slices)
     * @param evalSize     side the downstream images are resized to
     * @param bootstrap    bootstrap resamples for the 95% intervals
     * @param seed         seed of the pre-training and of the downstream split
     */
    public record Config(Path pretrainData, List<Path> downstream, List<StrategySpec> strategies, String budget,
                         int epochs, long steps, String arch, int size, int batch, int evalSize, int bootstrap,
                         long seed) {
        /** Checks the values that the commands cannot check before running. */
        public Config {
            if (!budget.equals("epochs") && !budget.equals("steps")) {
                throw new IllegalArgumentException("--budget must be epochs or steps, got " + budget);
            }
            if (budget.equals("epochs") ? epochs < 1 : steps < 1) {
                throw new IllegalArgumentException("--" + budget + " must be at least 1");
            }
            if (strategies.isEmpty() || downstream.isEmpty()) {
                throw new IllegalArgumentException("give at least one --strategy and one --downstream set");
            }
            Set<String> names = new HashSet<>();
            for (StrategySpec s : strategies) {
                if (!names.add(s.cellName())) {
                    throw new IllegalArgumentException("--strategy " + s.spec() + " is given twice");
                }
            }
            Set<String> sets = new HashSet<>();
            for (Path d : downstream) {
                if (!sets.add(setName(d))) {
                    throw new IllegalArgumentException("two downstream sets are named " + setName(d));
                }
            }
        }

        /** The configuration as saved in experiment.json (absolute paths, so a changed input is noticed). */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tool", "lessismore");
            m.put("command", "experiment");
            m.put("pretrain_data", absolute(pretrainData));
            m.put("downstream", downstream.stream().map(Experiment::absolute).toList());
            m.put("strategies", strategies.stream().map(StrategySpec::spec).toList());
            m.put("budget", budget);
            m.put(budget, budget.equals("epochs") ? epochs : steps);
            m.put("arch", arch);
            m.put("size", size);
            m.put("batch", batch);
            m.put("protocol", "linear");
            m.put("eval_size", evalSize);
            m.put("bootstrap", bootstrap);
            m.put("seed", seed);
            return m;
        }
    }

    /**
     * One downstream result.
     *
     * @param set      the set's name
     * @param auc      test AUC
     * @param aucLow   lower end of its 95% bootstrap interval (NaN without bootstrap)
     * @param aucHigh  upper end
     * @param accuracy test accuracy
     */
    public record Score(String set, double auc, double aucLow, double aucHigh, double accuracy) {
    }

    /**
     * One arm's row of the results.
     *
     * @param strategy        the arm
     * @param slices          slices in the pre-training data (0 for the baseline without pre-training)
     * @param kept            slices kept and pre-trained on (0 for the baseline)
     * @param pretrainSeconds pre-training wall time (NaN for the baseline)
     * @param imagesPerSecond pre-training throughput (NaN for the baseline)
     * @param scores          one per downstream set, in the configured order
     */
    public record Row(StrategySpec strategy, int slices, int kept, double pretrainSeconds, double imagesPerSecond,
                      List<Score> scores) {
        /** Kept fraction (NaN for the baseline). */
        public double keptFraction() {
            return slices == 0 ? Double.NaN : (double) kept / slices;
        }
    }

    private final Config config;
    private final Path out;
    private final int threads;
    private final Consumer<String> log;
    private int cellsRun;

    private Experiment(Config config, Path out, int threads, Consumer<String> log) {
        this.config = config;
        this.out = out;
        this.threads = threads;
        this.log = log;
    }

    /** Name of a downstream set: its folder or file name. */
    public static String setName(Path set) {
        Path name = set.toAbsolutePath().normalize().getFileName();
        return name == null ? "set" : name.toString().replaceFirst("\\.csv$", "");
    }

    /**
     * The result of {@link #run}.
     *
     * @param rows     one per strategy, in the configured order
     * @param cellsRun cells that ran this time (0 when everything was already done)
     */
    public record Outcome(List<Row> rows, int cellsRun) {
    }

    /**
     * Runs (or continues) the experiment into {@code out} and writes the results files.
     *
     * @param overwrite start afresh when {@code out} holds an experiment with another configuration
     * @param threads   worker threads of each command
     * @param log       told about each cell as it starts or is found done
     * @throws IllegalArgumentException when {@code out} holds another configuration and not {@code overwrite}
     * @throws IOException              when a command fails (its message included) or a file cannot be written
     */
    public static Outcome run(Config config, Path out, boolean overwrite, int threads, Consumer<String> log)
            throws IOException {
        Experiment e = new Experiment(config, out.toAbsolutePath().normalize(), threads, log);
        e.prepare(overwrite);
        List<Row> rows = new ArrayList<>();
        for (StrategySpec s : config.strategies()) {
            rows.add(e.arm(s));
        }
        Results.write(e.out, config, rows);
        return new Outcome(rows, e.cellsRun);
    }

    /** Saves experiment.json, or checks that the saved one is this configuration. */
    private void prepare(boolean overwrite) throws IOException {
        String text = Json.write(config.toJson());
        Path file = out.resolve(CONFIG);
        if (Files.isRegularFile(file)) {
            if (Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
                return;
            }
            if (!overwrite) {
                throw new IllegalArgumentException(out + " holds an experiment with another configuration (see "
                        + file + "); use another --out, or --overwrite to start it afresh");
            }
            OutputDirectory.deleteTree(out.resolve("cells"));
        } else if (Files.isDirectory(out) && !isEmpty(out) && !overwrite) {
            throw new IllegalArgumentException(out + " exists and is not an experiment folder; use --overwrite");
        }
        Files.createDirectories(out);
        AtomicFile.writeText(file, text);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findFirst().isEmpty();
        }
    }

    private Row arm(StrategySpec s) throws IOException {
        Path cell = out.resolve("cells").resolve(s.cellName());
        Files.createDirectories(cell);
        int slices = 0;
        int kept = 0;
        double seconds = Double.NaN;
        double rate = Double.NaN;
        String backbone = "none";
        if (!s.isBaseline()) {
            Map<String, Object> r = reduce(s, cell);
            slices = number(r, "slices").intValue();
            kept = number(r, "kept").intValue();
            Map<String, Object> p = pretrain(s, cell, kept);
            seconds = number(p, "seconds").doubleValue();
            rate = number(p, "images_per_s").doubleValue();
            backbone = cell.resolve((String) p.get("backbone")).toString();
        }
        List<Score> scores = new ArrayList<>();
        for (Path set : config.downstream()) {
            Map<String, Object> ev = evaluate(s, cell, set, backbone);
            scores.add(new Score(setName(set), number(ev, "auc").doubleValue(), number(ev, "auc_low").doubleValue(),
                    number(ev, "auc_high").doubleValue(), number(ev, "accuracy").doubleValue()));
        }
        return new Row(s, slices, kept, seconds, rate, scores);
    }

    private Map<String, Object> reduce(StrategySpec s, Path cell) throws IOException {
        Path dir = cell.resolve("reduce");
        return cell(s, cell.resolve("reduce.done.json"), "reduce", () -> {
            List<String> args = new ArrayList<>(List.of("reduce", config.pretrainData().toString(), "--out",
                    dir.toString(), "--strategy", s.strategy(), "--threads", Integer.toString(threads), "-q",
                    "--overwrite"));
            args.addAll(s.reduceArgs());
            command(args);
            Object summary = JsonReader.parse(Files.readString(dir.resolve("summary.json"), StandardCharsets.UTF_8));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("slices", ((Double) JsonReader.at(summary, "totals", "slices")).intValue());
            m.put("kept", ((Double) JsonReader.at(summary, "totals", "kept")).intValue());
            return m;
        });
    }

    private Map<String, Object> pretrain(StrategySpec s, Path cell, int kept) throws IOException {
        Path dir = cell.resolve("pretrain");
        return cell(s, cell.resolve("pretrain.done.json"), "pretrain", () -> {
            if (kept < 2) {
                throw new IOException("--strategy " + s.spec() + " keeps " + kept + " slice(s); SimCLR needs 2");
            }
            // An arm that keeps fewer slices than a batch trains on all of them per step.
            int batch = Math.min(config.batch(), kept);
            List<String> args = new ArrayList<>(List.of("pretrain", cell.resolve("reduce").toString(), "--out",
                    dir.toString(), "--arch", config.arch(), "--size", Integer.toString(config.size()), "--batch",
                    Integer.toString(batch), "--seed", Long.toString(config.seed()), "--threads",
                    Integer.toString(threads), "-q", "--overwrite", "--keep-checkpoints", "1", "--" + config.budget(),
                    Long.toString(config.budget().equals("epochs") ? config.epochs() : config.steps())));
            if (!Checkpoint.steps(dir).isEmpty()) {
                // An interrupted run continues from its latest checkpoint (same configuration, as
                // experiment.json was checked), instead of training from the start again.
                args.addAll(List.of("--resume", dir.toString()));
            }
            command(args);
            List<String> lines = Files.readAllLines(dir.resolve(PretrainRun.METRICS), StandardCharsets.UTF_8);
            StepMetrics last = StepMetrics.parse(lines.getLast());
            long step = Checkpoint.steps(dir).getLast();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("batch", batch);
            m.put("steps", last.step());
            m.put("seconds", last.seconds());
            m.put("images_per_s", last.step() * batch / last.seconds());
            m.put("backbone", cell.relativize(Checkpoint.backboneFile(dir, step)).toString());
            return m;
        });
    }

    private Map<String, Object> evaluate(StrategySpec s, Path cell, Path set, String backbone) throws IOException {
        String name = setName(set);
        Path dir = cell.resolve("eval").resolve(name);
        return cell(s, cell.resolve("eval-" + name + ".done.json"), "evaluate on " + name, () -> {
            Files.createDirectories(dir.getParent());
            command(List.of("evaluate", set.toString(), "--out", dir.toString(), "--backbone", backbone,
                    "--protocol", "linear", "--size", Integer.toString(config.evalSize()), "--seed",
                    Long.toString(config.seed()), "--bootstrap", Integer.toString(config.bootstrap()), "--threads",
                    Integer.toString(threads), "-q", "--overwrite"));
            Object doc = JsonReader.parse(Files.readString(dir.resolve("eval.json"), StandardCharsets.UTF_8));
            Object ci = JsonReader.at(doc, "results", "test", "auc_ci95");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("auc", JsonReader.at(doc, "results", "test", "auc"));
            m.put("auc_low", ci instanceof List<?> l ? l.get(0) : Double.NaN);
            m.put("auc_high", ci instanceof List<?> l ? l.get(1) : Double.NaN);
            m.put("accuracy", JsonReader.at(doc, "results", "test", "accuracy"));
            return m;
        });
    }

    /** Work of a cell, returning what its marker records. */
    private interface Work {
        Map<String, Object> run() throws IOException;
    }

    /** The marker's record when the cell is done; else runs it and writes the marker last. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> cell(StrategySpec s, Path marker, String what, Work work) throws IOException {
        if (Files.isRegularFile(marker)) {
            log.accept(s.spec() + ": " + what + " already done");
            return (Map<String, Object>) JsonReader.parse(Files.readString(marker, StandardCharsets.UTF_8));
        }
        log.accept(s.spec() + ": " + what + "...");
        cellsRun++;
        Map<String, Object> result = work.run();
        AtomicFile.writeText(marker, Json.write(result));
        // Read back, so a fresh cell and a done one give the same types (JSON numbers as Double).
        return (Map<String, Object>) JsonReader.parse(Files.readString(marker, StandardCharsets.UTF_8));
    }

    /** Runs a lessismore command in-process; its error output becomes the exception's message. */
    private static void command(List<String> args) throws IOException {
        StringWriter err = new StringWriter();
        int rc = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                args.toArray(String[]::new));
        if (rc != 0) {
            throw new IOException(String.join(" ", args) + " failed (exit " + rc + "): " + err.toString().strip());
        }
    }

    private static Number number(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof Number n ? n : Double.NaN;
    }

    private static String absolute(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }
}
