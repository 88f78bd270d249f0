package lessismore.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import lessismore.cuda.Backend;
import lessismore.io.SkippedFileException;
import lessismore.output.Json;
import lessismore.preprocess.Preprocessing;
import lessismore.reduce.Export;
import lessismore.reduce.ReduceException;
import lessismore.reduce.Reducer;
import lessismore.reduce.VolumeGrouper;
import lessismore.select.EveryNth;
import lessismore.select.InformationFilter;
import lessismore.select.KeepAll;
import lessismore.select.Rule;
import lessismore.select.SelectionStrategy;
import lessismore.select.SignatureStrategy;
import lessismore.signature.EmbeddingMethod;
import lessismore.signature.HashMethod;
import lessismore.signature.MutualInformationMethod;
import lessismore.signature.SignatureMethod;
import lessismore.signature.SsimMethod;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lessismore reduce INPUT --out DIR}: the reduction pipeline. */
@Command(name = "reduce", mixinStandardHelpOptions = true,
        description = {"Reads CT slices under INPUT, drops redundant ones per volume and writes manifest.csv, "
                + "summary.json and an optional export to --out. Input files are never modified."})
final class ReduceCommand implements Callable<Integer> {
    /** Selection strategies of this version. */
    enum Strategy { hash, ssim, mi, embedding, all, every_n }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "INPUT", description = "Folder of DICOM files (searched recursively) or one file.")
    Path input;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
            description = "Output folder to create (must not be inside INPUT).")
    Path out;

    @Option(names = "--strategy", paramLabel = "NAME", defaultValue = "hash",
            converter = StrategyConverter.class,
            description = "hash (perceptual hash, default: the published Hash-6), ssim, mi, embedding, all, every-n.")
    Strategy strategy;

    @Option(names = {"-t", "--threshold"}, paramLabel = "VALUE",
            description = "Redundancy threshold: largest Hamming distance for hash (default 6 for dhash-8, the "
                    + "published Hash-6; see the README for the other kinds), smallest similarity for ssim "
                    + "(default 0.8), mi (1.5 nats; nmi 0.5) and embedding (cosine, default 0.95). A fractional "
                    + "hash threshold d+p drops distance d+1 for a fixed share p of the slices.")
    Double threshold;

    @Option(names = "--keep-fraction", paramLabel = "F",
            description = "Instead of --threshold: search the threshold that keeps about F (0..1] of the "
                    + "slices of the whole dataset; summary.json and the report give the threshold found.")
    Double keepFraction;

    @Option(names = "--rule", paramLabel = "RULE", defaultValue = "reference",
            description = "reference (published greedy per volume, default), consecutive (against the last "
                    + "kept slice, O(n)) or global (reference rule across all volumes).")
    String rule;

    @Option(names = "--hash", paramLabel = "KIND", defaultValue = "dhash",
            description = "hash: dhash (default), ahash, phash or whash, as defined by imagehash 4.3.")
    String hashKind;

    @Option(names = "--hash-size", paramLabel = "N", defaultValue = "8",
            description = "hash: side of the hash grid, 8 (64 bits, default) or 16 (256 bits).")
    int hashSize;

    @Option(names = "--compare-size", paramLabel = "PIXELS", defaultValue = "128",
            description = "ssim, mi: slices are resampled to PIXELS x PIXELS (Pillow LANCZOS) before comparing "
                    + "(default ${DEFAULT-VALUE}; 0 compares at native size, all slices must then be equal in size).")
    int compareSize;

    @Option(names = "--bins", paramLabel = "N", defaultValue = "256",
            description = "mi: grey-level bins of the joint histogram, 2..256 (default ${DEFAULT-VALUE}).")
    int bins;

    @Option(names = "--normalized", description = "mi: normalized mutual information (0..1, scikit-learn's NMI) instead of MI in nats.")
    boolean normalized;

    @Option(names = "--model", paramLabel = "FILE.onnx",
            description = "embedding: an ONNX image encoder (input (N, C, H, W), C = 1 or 3); without it a "
                    + "training-free projection encoder is used.")
    Path model;

    @Option(names = "--input-size", paramLabel = "PIXELS", defaultValue = "0",
            description = "embedding: model input side when the model leaves it open (default: model metadata, else 224).")
    int inputSize;

    @Option(names = "--mean", paramLabel = "M[,M,M]", split = ",",
            description = "embedding: per-channel mean of (v/255 - mean)/std (default: model metadata, else ImageNet's).")
    float[] mean;

    @Option(names = "--std", paramLabel = "S[,S,S]", split = ",",
            description = "embedding: per-channel std (default: model metadata, else ImageNet's).")
    float[] std;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
            description = "embedding: slices per model call and worker thread (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--cuda", paramLabel = "DEVICE", arity = "0..1", fallbackValue = "0",
            description = "embedding: run the model with ONNX Runtime's CUDA provider on DEVICE (default 0); "
                    + "needs a build with -Pgpu.")
    Integer cuda;

    @Option(names = "--min-information", paramLabel = "MEASURE=MIN", arity = "0..1",
            fallbackValue = "area=0.05",
            description = "Drop near-empty slices before comparing: area=FRACTION (share of pixels at grey "
                    + "level >= 32; bare option: area=0.05) or entropy=BITS of the grey histogram.")
    String minInformation;

    @Option(names = "--report", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Write report.html (self-contained) and report.json (default on; --no-report to skip).")
    boolean report;

    @Option(names = "--n", paramLabel = "K", defaultValue = "2",
            description = "every-n: keep every K-th slice of each volume (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--order", paramLabel = "ORDER", defaultValue = "anatomical",
            converter = OrderConverter.class,
            description = "anatomical (by position along the slice normal, default) or filename "
                    + "(the published scripts' order, for exact reproduction).")
    VolumeGrouper.Order order;

    @Option(names = "--export", paramLabel = "KIND", defaultValue = "none", converter = ExportConverter.class,
            description = "none (default), png (kept slices as 8-bit PNG, one folder per volume), "
                    + "link (symbolic links to kept files) or copy.")
    Export export;

    @Option(names = "--window", paramLabel = "PRESET",
            description = "Map HU through a display window instead of the published min-max: lung, mediastinum, "
                    + "soft-tissue, brain, bone, or C,W in HU (e.g. -600,1500). Padding pixels map to 0.")
    String window;

    @Option(names = "--clip", paramLabel = "LO,HI",
            description = "Clip HU to [LO, HI] before the min-max mapping (padding pixels left out).")
    String clip;

    @Option(names = "--size", paramLabel = "PIXELS", defaultValue = "0",
            description = "Side of the square PNG export (Pillow-exact LANCZOS resampling); 0 keeps the native size.")
    int size;

    @Option(names = "--overwrite", description = "Replace --out if it holds a previous lessismore output.")
    boolean overwrite;

    @CommandLine.Mixin
    DeviceOptions deviceOptions;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar and no summary table.")
    boolean quiet;

    @Option(names = "--json", description = "Print summary.json to stdout instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        SelectionStrategy s;
        InformationFilter filter;
        try {
            s = strategy();
            filter = minInformation == null ? null : InformationFilter.parse(minInformation);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (keepFraction != null) {
            if (!(s instanceof SignatureStrategy<?>)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--keep-fraction needs a strategy that compares slices (hash, ssim, mi, embedding)");
            }
            if (threshold != null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--keep-fraction and --threshold exclude each other");
            }
            if (!(keepFraction > 0 && keepFraction <= 1)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--keep-fraction must be in (0, 1], got " + keepFraction);
            }
        }
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (t < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1");
        }
        Report report = json ? Report.JSON : quiet ? Report.NONE : Report.TABLE;
        try (Backend backend = deviceOptions.backend(spec.commandLine())) {
            Reducer.Options options = new Reducer.Options(input, out, s, order, export, overwrite, t)
                    .withPreprocessing(preprocessing(), size)
                    .withTargets(keepFraction, filter)
                    .withReport(this.report)
                    .withBackend(backend);
            return runReducer(spec, options, !quiet, report);
        } finally {
            if (s.method() instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    spec.commandLine().getErr().println("lessismore: closing " + s.method().name() + ": " + e);
                }
            }
        }
    }

    /** The selection strategy the options describe. */
    private SelectionStrategy strategy() {
        Rule r = Rule.parse(rule);
        return switch (strategy) {
            case all -> new KeepAll();
            case every_n -> new EveryNth(n);
            case ssim -> signatureStrategy(new SsimMethod(compareSize), r, threshold != null ? threshold : 0.8);
            case mi -> signatureStrategy(new MutualInformationMethod(bins, normalized, compareSize), r,
                    threshold != null ? threshold : normalized ? 0.5 : 1.5);
            case embedding -> signatureStrategy(EmbeddingMethod.create(new EmbeddingMethod.Config(model, inputSize,
                    mean, std, batch, cuda != null, cuda == null ? 0 : cuda)), r, threshold != null ? threshold : 0.95);
            case hash -> {
                HashMethod.Kind kind = switch (hashKind.toLowerCase(Locale.ROOT)) {
                    case "dhash" -> HashMethod.Kind.DHASH;
                    case "ahash" -> HashMethod.Kind.AHASH;
                    case "phash" -> HashMethod.Kind.PHASH;
                    case "whash" -> HashMethod.Kind.WHASH;
                    default -> throw new IllegalArgumentException("unknown --hash '" + hashKind
                            + "' (expected dhash, ahash, phash or whash)");
                };
                double bits = (double) hashSize * hashSize;
                double t = threshold != null ? threshold : defaultHashThreshold(kind, hashSize);
                if (t > bits) {
                    throw new IllegalArgumentException("--threshold must be between 0 and " + (int) bits
                            + " for a " + (int) bits + "-bit hash, got " + t);
                }
                yield signatureStrategy(new HashMethod(kind, hashSize), r, t);
            }
        };
    }

    /**
     * Default Hamming thresholds: the published 6 for dHash-8, and for the other kinds and sizes
     * the threshold that keeps about the same share (25%) of the shared CT data as Hash-6 does
     * (measured over the 271 slices of ../shared/data/ct, README "Strategies").
     */
    static double defaultHashThreshold(HashMethod.Kind kind, int size) {
        boolean big = size >= 16;
        return switch (kind) {
            case DHASH -> big ? 36 : 6;
            case AHASH -> big ? 15 : 3;
            case PHASH -> big ? 56 : 10;
            case WHASH -> big ? 10 : 2;
        };
    }

    private static <S> SignatureStrategy<S> signatureStrategy(SignatureMethod<S> m, Rule r, double t) {
        return new SignatureStrategy<>(m, r, t);
    }

    private Preprocessing preprocessing() {
        if (window != null && clip != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--window and --clip exclude each other");
        }
        if (size < 0 || size > 8192) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--size must be 0..8192, got " + size);
        }
        try {
            if (window != null) {
                return Preprocessing.window(window);
            }
            if (clip != null) {
                String[] p = clip.split(",");
                if (p.length != 2) {
                    throw new IllegalArgumentException("--clip expects LO,HI in HU, got '" + clip + "'");
                }
                return new Preprocessing.ClippedMinMax(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
            }
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--clip expects integers LO,HI, got '" + clip + "'");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return new Preprocessing.PublishedMinMax();
    }

    /** What to print on stdout after a run. */
    enum Report { TABLE, JSON, NONE }

    /**
     * Runs a reducer, with a progress bar on a terminal when {@code progress}, and prints the
     * outcome; shared with {@code demo}. Returns the exit code.
     */
    static int runReducer(CommandLine.Model.CommandSpec spec, Reducer.Options options, boolean progress,
                          Report report) {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Reducer.Result result;
        try (ProgressBar bar = ProgressBar.create(!progress)) {
            result = new Reducer(options.withProgress(bar)).run();
        } catch (ReduceException e) {
            stderr.println("lessismore: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        } catch (java.io.IOException e) {
            stderr.println("lessismore: I/O error: " + SkippedFileException.describe(e));
            return ExitCodes.INTERNAL_ERROR;
        }
        switch (report) {
            case JSON -> stdout.print(Json.write(result.summary()));
            case TABLE -> printTable(stdout, result);
            case NONE -> { }
        }
        stdout.flush();
        if (result.usableSlices() == 0) {
            stderr.println("lessismore: nothing to do: no usable image slice in " + options.input()
                    + " (see " + result.outputDir().resolve("manifest.csv") + ")");
            return ExitCodes.NOTHING_TO_DO;
        }
        return ExitCodes.OK;
    }

    @SuppressWarnings("unchecked")
    private static void printTable(PrintWriter out, Reducer.Result r) {
        Map<String, Object> s = r.summary();
        Map<String, Object> totals = (Map<String, Object>) s.get("totals");
        Map<String, Object> timings = (Map<String, Object>) s.get("timings");
        out.printf(Locale.ROOT, "%-44s %7s %7s%n", "volume", "slices", "kept");
        for (Object o : (List<Object>) s.get("volumes")) {
            Map<String, Object> v = (Map<String, Object>) o;
            out.printf(Locale.ROOT, "%-44s %7s %7s%n", v.get("id"), v.get("slices"), v.get("kept"));
        }
        int slices = (Integer) totals.get("slices");
        int kept = (Integer) totals.get("kept");
        out.printf(Locale.ROOT, "%-44s %7d %7d  (%.1f%% kept)%n", "total", slices, kept,
                slices == 0 ? 0.0 : 100.0 * kept / slices);
        int skipped = (Integer) totals.get("skipped");
        if (skipped > 0) {
            out.printf(Locale.ROOT, "skipped %d file(s): %s (reasons in manifest.csv)%n", skipped,
                    s.get("skipped_by_reason"));
        }
        Map<String, Object> p = (Map<String, Object>) s.get("parameters");
        if (p.containsKey("keep_fraction")) {
            out.printf(Locale.ROOT, "keep fraction %s: %s threshold %s found in %s steps%n", p.get("keep_fraction"),
                    p.get("signature"), p.get("threshold_found"), p.get("threshold_search_steps"));
        }
        Object low = totals.get("dropped_low_information");
        if (low instanceof Integer l && l > 0) {
            out.printf(Locale.ROOT, "%d slice(s) dropped as low information (%s)%n", l, p.get("min_information"));
        }
        out.printf(Locale.ROOT, "%d slices in %.2f s (%s slices/s)%n", slices,
                ((Number) timings.get("total_s")).doubleValue(), timings.get("slices_per_s"));
        out.println("device:   " + p.get("device") + (p.get("on_device") instanceof List<?> l && !l.isEmpty()
                ? "; on the GPU: " + String.join(", ", (List<String>) l) : ""));
        out.println("manifest: " + r.outputDir().resolve("manifest.csv"));
        out.println("summary:  " + r.outputDir().resolve("summary.json"));
        if (java.nio.file.Files.exists(r.outputDir().resolve("report.html"))) {
            out.println("report:   " + r.outputDir().resolve("report.html"));
        }
    }

    static final class StrategyConverter implements CommandLine.ITypeConverter<Strategy> {
        @Override
        public Strategy convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "hash" -> Strategy.hash;
                case "all" -> Strategy.all;
                case "every-n", "every_n" -> Strategy.every_n;
                case "ssim" -> Strategy.ssim;
                case "mi" -> Strategy.mi;
                case "embedding" -> Strategy.embedding;
                default -> throw new CommandLine.TypeConversionException(
                        "unknown strategy '" + value + "' (expected hash, ssim, mi, embedding, all or every-n)");
            };
        }
    }

    static final class OrderConverter implements CommandLine.ITypeConverter<VolumeGrouper.Order> {
        @Override
        public VolumeGrouper.Order convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "anatomical" -> VolumeGrouper.Order.ANATOMICAL;
                case "filename" -> VolumeGrouper.Order.FILENAME;
                default -> throw new CommandLine.TypeConversionException(
                        "unknown order '" + value + "' (expected anatomical or filename)");
            };
        }
    }

    static final class ExportConverter implements CommandLine.ITypeConverter<Export> {
        @Override
        public Export convert(String value) {
            try {
                return Export.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(
                        "unknown export '" + value + "' (expected none, png, link or copy)");
            }
        }
    }
}
