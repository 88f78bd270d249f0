package lessismore.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import lessismore.Version;
import lessismore.eval.Backbone;
import lessismore.eval.EvalReport;
import lessismore.eval.Evaluation;
import lessismore.eval.FineTune;
import lessismore.eval.LabelledData;
import lessismore.eval.LinearProbe;
import lessismore.eval.Splits;
import lessismore.io.SkippedFileException;
import lessismore.nn.ResNet;
import lessismore.output.Json;
import lessismore.output.OutputDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lessismore evaluate DATA --out DIR}: what a backbone buys on a labelled 2D task. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Measures a backbone on a labelled 2D classification dataset with a linear probe or by fine-tuning "
                + "and writes eval.json and eval.html (metrics per split; test AUC and accuracy with bootstrap "
                + "95% intervals, confusion matrix, ROC curves) to --out.",
            "DATA: a folder with one subfolder per class, or a CSV with the columns path,label "
                + "and optionally group (patient: kept on one side of the split) and split (train/val/test)."})
final class EvaluateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DATA", description = "class-subfolder tree, or labels CSV.")
    Path data;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder to create.")
    Path out;

    @Option(names = "--backbone", paramLabel = "none|FILE", defaultValue = "none",
            description = "none (default: raw down-sampled pixels as the probe's features), a pretrain "
                    + "checkpoint-<step>.safetensors (frozen ResNet features after avgpool) or an .onnx encoder "
                    + "(frozen, at its own input size).")
    String backbone;

    @Option(names = "--protocol", paramLabel = "NAME", defaultValue = "linear",
            description = "linear (default): logistic-regression probe on frozen features. finetune: a linear head "
                    + "trained alone, then with the whole ResNet (Adam lr 1e-4, L2 wd 5e-4, flips); --backbone none "
                    + "then means a ResNet-18 from scratch.")
    String protocol;

    @Option(names = "--head-epochs", paramLabel = "N", defaultValue = "2",
            description = "finetune: epochs of the head alone (default 2).")
    int headEpochs;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10",
            description = "finetune: epochs of the whole network after the head's (default 10).")
    int epochs;

    @Option(names = "--size", paramLabel = "PIXELS", defaultValue = "64",
            description = "Side the images are resized to, except for an ONNX encoder (its own input size) (default 64).")
    int size;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seeds the split and the bootstrap (default 0).")
    long seed;

    @Option(names = "--split", paramLabel = "TRAIN,VAL,TEST", defaultValue = "0.6,0.2,0.2",
            description = "Split fractions when DATA gives no split (default 0.6,0.2,0.2).")
    String split;

    @Option(names = "--bootstrap", paramLabel = "B", defaultValue = "1000",
            description = "Bootstrap resamples for the test intervals (default 1000; 0: none).")
    int bootstrap;

    @Option(names = "--threads", paramLabel = "N", description = "Decoding threads (default: all cores).")
    Integer threads;

    @Option(names = "--overwrite", description = "Replace --out if it holds a previous lessismore output.")
    boolean overwrite;

    @Option(names = {"-q", "--quiet"}, description = "No summary on stdout (warnings still go to stderr).")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter stderr = spec.commandLine().getErr();
        double[] fractions = fractions();
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (t < 1 || size < 8 || size > 1024 || bootstrap < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--threads must be at least 1, --size 8..1024, --bootstrap at least 0");
        }
        boolean finetune = protocol.equals("finetune");
        if (!finetune && !protocol.equals("linear")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--protocol must be linear or finetune");
        }
        if (finetune && (headEpochs < 0 || epochs < 0 || headEpochs + epochs < 1
                || !(backbone.equals("none") || backbone.endsWith(".safetensors")))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--protocol finetune needs --backbone none or"
                    + " a .safetensors checkpoint, and --head-epochs, --epochs at least 0 with at least 1 in all");
        }
        OutputDirectory dir = null;
        long start = System.nanoTime();
        // Fine-tuning trains its own ResNet; the frozen backbone only serves the linear probe.
        try (Backbone model = finetune ? null : Backbone.of(backbone, size)) {
            LabelledData labelled = LabelledData.load(data, finetune ? size : model.side(), t);
            if (labelled.size() == 0) {
                stderr.println("lessismore: nothing to do: no readable labelled image in " + data);
                return ExitCodes.NOTHING_TO_DO;
            }
            int[] splits = Splits.assign(labelled, fractions, seed);
            for (int s = 0; s < Splits.NAMES.size(); s++) {
                if (Splits.members(splits, s).length == 0) {
                    throw new IllegalArgumentException("the " + Splits.NAMES.get(s) + " split is empty");
                }
            }
            List<String> warnings = warnings(labelled);
            for (String w : warnings) {
                stderr.println("lessismore: WARNING: " + w);
            }
            dir = OutputDirectory.prepare(out, overwrite);
            long read = System.nanoTime();
            Outcome o = finetune ? finetune(labelled, splits, stderr) : probe(model, labelled, splits);
            long fitted = System.nanoTime();
            Map<String, Object> results = Evaluation.of(labelled.labels(), labelled.classes(), o.proba(), splits,
                    bootstrap, seed);
            long done = System.nanoTime();
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("tool", "lessismore");
            doc.put("version", Version.get());
            doc.put("command", "evaluate");
            doc.put("config", config(o.backbone(), fractions, labelled, o.featureDim()));
            doc.put("warnings", warnings);
            doc.put("classes", labelled.classes());
            doc.put("split_sizes", splitSizes(labelled, splits));
            doc.put(finetune ? "finetune" : "probe", o.method());
            doc.put("results", results);
            Map<String, Object> seconds = new LinkedHashMap<>();
            seconds.put("read", (read - start) / 1e9);
            seconds.put(finetune ? "finetune" : "features_and_probe", (fitted - read) / 1e9);
            seconds.put("metrics", (done - fitted) / 1e9);
            doc.put("seconds", seconds);
            dir.writeText("eval.json", Json.write(doc));
            dir.writeText("eval.html", EvalReport.render(doc));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("tool", "lessismore");
            summary.put("version", Version.get());
            summary.put("command", "evaluate");
            summary.put("results", "eval.json");
            dir.writeText("summary.json", Json.write(summary));
            dir.commit();
            if (!quiet) {
                print(spec.commandLine().getOut(), results, o.chosen(), dir.target());
            }
            return ExitCodes.OK;
        } catch (IllegalArgumentException e) {
            abandon(dir);
            stderr.println("lessismore: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        } catch (IOException e) {
            abandon(dir);
            stderr.println("lessismore: " + SkippedFileException.describe(e));
            return Files.exists(data) ? ExitCodes.INTERNAL_ERROR : ExitCodes.BAD_INPUT;
        }
    }

    /**
     * Probabilities of every sample (N, K) and how they were obtained: the method's log, the
     * backbone's description, the feature width and a one-line account of the model chosen.
     */
    private record Outcome(double[] proba, Map<String, Object> method, Map<String, Object> backbone, int featureDim,
                           String chosen) {
    }

    private static Outcome probe(Backbone model, LabelledData labelled, int[] splits) throws IOException {
        double[] all = model.features(labelled.images());   // (images, D)
        int d = all.length / labelled.images().size();
        double[] features = new double[labelled.size() * d];   // (samples, D)
        for (int i = 0; i < labelled.size(); i++) {
            System.arraycopy(all, labelled.indices()[i] * d, features, i * d, d);
        }
        LinearProbe.Result probe = LinearProbe.run(features, labelled.labels(), labelled.classes().size(), splits);
        return new Outcome(probe.proba(), probe.describe(), model.describe(), d,
                "linear probe, C = " + probe.c() + " chosen on validation");
    }

    private Outcome finetune(LabelledData labelled, int[] splits, PrintWriter stderr) throws IOException {
        Path checkpoint = backbone.equals("none") ? null : Backbone.existing(backbone);
        ResNet net = FineTune.backbone(checkpoint, seed);
        FineTune.Result r = FineTune.run(net, labelled, splits, headEpochs, epochs, seed,
                quiet ? line -> { } : stderr::println);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("kind", checkpoint == null ? "none" : "checkpoint");
        info.put(checkpoint == null ? "initialisation" : "file", checkpoint == null
                ? "ResNet-18 from scratch, seed " + seed : checkpoint.toAbsolutePath().normalize().toString());
        return new Outcome(r.proba(), r.describe(headEpochs), info, net.featureDim(),
                "fine-tuned, best validation epoch " + r.bestEpoch());
    }

    private static void abandon(OutputDirectory dir) {
        if (dir != null) {
            dir.abandon();
        }
    }

    private double[] fractions() {
        String[] parts = split.split(",");
        double[] f = new double[3];
        try {
            if (parts.length != 3) {
                throw new NumberFormatException();
            }
            for (int i = 0; i < 3; i++) {
                f[i] = Double.parseDouble(parts[i].trim());
            }
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--split needs three fractions, e.g. 0.6,0.2,0.2");
        }
        if (Arrays.stream(f).anyMatch(v -> !(v > 0)) || Math.abs(f[0] + f[1] + f[2] - 1) > 1e-9) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--split fractions must be positive and sum to 1");
        }
        return f;
    }

    /** The leak warning when patients cannot be kept on one side. */
    private List<String> warnings(LabelledData labelled) {
        List<String> w = new ArrayList<>();
        if (labelled.groups() == null) {
            w.add("no patient/group information in " + data + (labelled.splits() == null
                    ? ": the split is per image, so slices of one patient may land in both train and test "
                    : ": the given split cannot be checked, so slices of one patient may be in both train and test ")
                    + "and the test metrics may be optimistic (patient leakage). Give a CSV with a group column "
                    + "to keep each patient on one side.");
        }
        return w;
    }

    private Map<String, Object> config(Map<String, Object> backboneInfo, double[] fractions, LabelledData labelled,
                                       int d) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("data", labelled.source());
        c.put("backbone", backboneInfo);
        c.put("feature_dim", d);
        c.put("protocol", protocol);
        if (protocol.equals("finetune")) {
            c.put("head_epochs", headEpochs);
            c.put("epochs", epochs);
        }
        c.put("size", labelled.images().side());
        c.put("seed", seed);
        c.put("split", labelled.splits() != null ? "given by the CSV" : labelled.groups() != null
                ? "stratified by class, grouped, fractions " + split : "stratified by class, per image, fractions " + split);
        c.put("split_fractions", Arrays.stream(fractions).boxed().toList());
        c.put("bootstrap", bootstrap);
        return c;
    }

    /** Samples per split and class. */
    private static Map<String, Object> splitSizes(LabelledData labelled, int[] splits) {
        Map<String, Object> sizes = new LinkedHashMap<>();
        for (int s = 0; s < Splits.NAMES.size(); s++) {
            Map<String, Object> perClass = new LinkedHashMap<>();
            int[] members = Splits.members(splits, s);
            perClass.put("total", members.length);
            for (int c = 0; c < labelled.classes().size(); c++) {
                int k = c;
                perClass.put(labelled.classes().get(c), Arrays.stream(members).filter(i -> labelled.labels()[i] == k).count());
            }
            sizes.put(Splits.NAMES.get(s), perClass);
        }
        return sizes;
    }

    @SuppressWarnings("unchecked")
    private static void print(PrintWriter o, Map<String, Object> results, String chosen, Path target) {
        Map<String, Object> test = (Map<String, Object>) results.get("test");
        o.println(chosen);
        o.printf(Locale.ROOT, "test AUC      %.4f%s%n", (Double) test.get("auc"), ci(test.get("auc_ci95")));
        o.printf(Locale.ROOT, "test accuracy %.4f%s%n", (Double) test.get("accuracy"), ci(test.get("accuracy_ci95")));
        o.printf(Locale.ROOT, "test macro F1 %.4f%n", (Double) test.get("macro_f1"));
        o.println("results: " + target.resolve("eval.json"));
        o.println("report:  " + target.resolve("eval.html"));
    }

    private static String ci(Object interval) {
        if (!(interval instanceof List<?> v)) {
            return "";
        }
        return String.format(Locale.ROOT, "  (95%% CI %.4f-%.4f)", (Double) v.get(0), (Double) v.get(1));
    }
}
