package lessismore.reduce;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import lessismore.Version;
import lessismore.cuda.Backend;
import lessismore.io.InputFile;
import lessismore.io.InputScanner;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;
import lessismore.io.images.ImageFolderGrouping;
import lessismore.kernels.CudaCandidatePairs;
import lessismore.kernels.CudaHashSigner;
import lessismore.output.Csv;
import lessismore.output.Json;
import lessismore.output.OutputDirectory;
import lessismore.preprocess.Preprocessing;
import lessismore.report.Report;
import lessismore.select.Candidates;
import lessismore.select.EveryNth;
import lessismore.select.InformationFilter;
import lessismore.select.Selection;
import lessismore.select.SelectionStrategy;
import lessismore.select.SignatureStrategy;
import lessismore.select.ThresholdSearch;
import lessismore.signature.DHash;
import lessismore.signature.HashMethod;
import lessismore.signature.SignatureMethod;
import lessismore.signature.Signer;

/**
 * The {@code reduce} pipeline: scan the input, decode and sign every slice in parallel (keeping only
 * signatures), group into ordered volumes, select, and write manifest, summary and export
 * atomically. Input files are only ever opened for reading.
 */
public final class Reducer {
    /**
     * Options of one run.
     *
     * @param input          folder (or single file) to read
     * @param output         folder to create
     * @param strategy       selection rule (a signature strategy's threshold is ignored when
     *                       {@code keepFraction} is set)
     * @param keepFraction   fraction of slices to keep by searching the threshold, or null
     * @param minInformation drop near-empty slices first, or null
     * @param order          slice order within a volume
     * @param export         what to write for kept slices
     * @param overwrite      replace an existing lessismore output
     * @param threads        worker threads for decoding, comparing and export
     * @param progress       told how many files are done; may be {@link Progress#NONE}
     * @param preprocessing  how slices become 8-bit images (default: the published min-max)
     * @param exportSize     side of the square PNG export in pixels (Pillow-exact LANCZOS), 0 for native size
     * @param report         write report.html and report.json
     * @param backend        where hashes and candidate pairs are computed (the caller owns and closes it)
     */
    public record Options(Path input, Path output, SelectionStrategy strategy, Double keepFraction,
                          InformationFilter minInformation, VolumeGrouper.Order order, Export export,
                          boolean overwrite, int threads, Progress progress, Preprocessing preprocessing,
                          int exportSize, boolean report, Backend backend) {
        /** Options with the published preprocessing, exports at native size, no report, no progress, on the CPU. */
        public Options(Path input, Path output, SelectionStrategy strategy, VolumeGrouper.Order order,
                       Export export, boolean overwrite, int threads) {
            this(input, output, strategy, null, null, order, export, overwrite, threads, Progress.NONE,
                    new Preprocessing.PublishedMinMax(), 0, false, new Backend.Cpu("default"));
        }

        /** The same options reporting to {@code p}. */
        public Options withProgress(Progress p) {
            return new Options(input, output, strategy, keepFraction, minInformation, order, export, overwrite,
                    threads, p, preprocessing, exportSize, report, backend);
        }

        /** The same options with another preprocessing and PNG export size (0: native). */
        public Options withPreprocessing(Preprocessing pre, int size) {
            return new Options(input, output, strategy, keepFraction, minInformation, order, export, overwrite,
                    threads, progress, pre, size, report, backend);
        }

        /** The same options with a keep-fraction target (or null) and an information filter (or null). */
        public Options withTargets(Double fraction, InformationFilter filter) {
            return new Options(input, output, strategy, fraction, filter, order, export, overwrite,
                    threads, progress, preprocessing, exportSize, report, backend);
        }

        /** The same options with the report on or off. */
        public Options withReport(boolean on) {
            return new Options(input, output, strategy, keepFraction, minInformation, order, export, overwrite,
                    threads, progress, preprocessing, exportSize, on, backend);
        }

        /**
         * The same options computing on {@code b}: on a GPU, perceptual hashes (dHash, aHash, pHash)
         * and the candidate pairs of the global rule come from the device, with the same results.
         */
        public Options withBackend(Backend b) {
            return new Options(input, output, strategy, keepFraction, minInformation, order, export, overwrite,
                    threads, progress, preprocessing, exportSize, report, b);
        }
    }

    /** Receives progress from the worker threads. */
    public interface Progress {
        /** Ignores progress. */
        Progress NONE = (phase, done, total) -> { };

        /** {@code done} of {@code total} units of {@code phase} ("read", "export") are finished. */
        void update(String phase, int done, int total);
    }

    /**
     * What a run did.
     *
     * @param records every input file, in input order, with its decision
     * @param volumes the volumes found
     * @param summary the content of summary.json
     * @param outputDir where the outputs now are
     */
    public record Result(List<SliceRecord> records, List<Volume> volumes, Map<String, Object> summary,
                         Path outputDir) {
        /** Slices that were decoded and grouped (kept + dropped). */
        public int usableSlices() {
            return (int) records.stream().filter(r -> r.decision != SliceRecord.Decision.SKIPPED).count();
        }
    }

    /** The published signature, computed on the fast path (int16 rows mapped on the fly). */
    private static final String DHASH_8 = "dhash-8";
    /** Slices that get a report thumbnail at most (64² bytes in memory, ~4 KB in report.html, each). */
    static final int MAX_THUMBNAILS = 5_000;

    private final Options o;
    private final AtomicInteger thumbnailsLeft = new AtomicInteger(MAX_THUMBNAILS);
    private final AtomicInteger thumbnailsOmitted = new AtomicInteger();

    /** @param options the run's options */
    public Reducer(Options options) {
        this.o = options;
    }

    /**
     * Runs the pipeline.
     *
     * @throws ReduceException when the paths given cannot be used (nothing is written then)
     */
    public Result run() throws ReduceException, IOException {
        long t0 = System.nanoTime();
        Path input = o.input().toAbsolutePath().normalize();
        Path output = o.output().toAbsolutePath().normalize();
        checkPaths(input, output);
        OutputDirectory out;
        try {
            out = OutputDirectory.prepare(output, o.overwrite());
        } catch (IllegalArgumentException e) {
            throw new ReduceException(e.getMessage());
        }
        try {
            List<InputFile> files = InputScanner.scan(input);
            long tScan = System.nanoTime();
            List<SliceRecord> records = decodeAll(files);
            long tDecode = System.nanoTime();
            List<Volume> volumes = VolumeGrouper.group(records, o.order());
            SelectionOutcome selected = select(volumes);
            long tSelect = System.nanoTime();
            writeManifest(out.staging().resolve("manifest.csv"), records);
            export(out.staging(), volumes);
            long tWrite = System.nanoTime();
            Map<String, Object> summary = summary(input, output, files, records, volumes, selected,
                    new long[] {t0, tScan, tDecode, tSelect, tWrite});
            out.writeText("summary.json", Json.write(summary));
            if (o.report()) {
                Report.write(ReportAssembler.model(summary, volumes, selected, o.strategy().method(),
                        o.keepFraction(), thumbnailsOmitted.get()),
                        out.staging());
            }
            out.commit();
            return new Result(records, volumes, summary, out.target());
        } catch (IOException | RuntimeException | Error e) {
            out.abandon();
            throw e;
        }
    }

    private static void checkPaths(Path input, Path output) throws ReduceException {
        if (!Files.exists(input)) {
            throw new ReduceException("input " + input + " does not exist");
        }
        if (!Files.isReadable(input)) {
            throw new ReduceException("input " + input + " is not readable");
        }
        Path realInput;
        try {
            realInput = input.toRealPath();
        } catch (IOException e) {
            throw new ReduceException("input " + input + " cannot be resolved: " + e.getMessage());
        }
        Path realOutput = resolveExistingPrefix(output);
        if (realOutput.startsWith(realInput)) {
            throw new ReduceException("output " + output + " is inside the input " + input
                    + "; choose an output folder outside the input");
        }
        if (realInput.startsWith(realOutput)) {
            throw new ReduceException("input " + input + " is inside the output " + output
                    + "; choose an output folder that does not contain the input");
        }
    }

    /** The real path of the longest existing prefix of {@code p}, with the rest appended. */
    private static Path resolveExistingPrefix(Path p) {
        Path existing = p;
        Path rest = null;
        while (existing != null && !Files.exists(existing)) {
            Path name = existing.getFileName();
            rest = rest == null ? name : name.resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            return p;
        }
        try {
            Path real = existing.toRealPath();
            return rest == null ? real : real.resolve(rest);
        } catch (IOException e) {
            return p;
        }
    }

    // ---- decode ---------------------------------------------------------------------------------

    /** Decodes every file in parallel; returns one record per slice (or per skipped file), in input order. */
    private List<SliceRecord> decodeAll(List<InputFile> files) throws IOException {
        List<List<SliceRecord>> perFile = new ArrayList<>(java.util.Collections.nCopies(files.size(), null));
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        int total = files.size();
        runWorkers(() -> {
            SliceDecoder decoder = new SliceDecoder(o.preprocessing());
            SignatureMethod<?> method = o.strategy().method();
            try (Signer<?> signer = method == null ? null : gpuHashing() ? new CudaHashSigner(
                    o.backend().context(), (HashMethod) method) : method.newSigner()) {
                for (int i; (i = next.getAndIncrement()) < total; ) {
                    perFile.set(i, decodeFile(decoder, signer, files.get(i)));
                    o.progress().update("read", done.incrementAndGet(), total);
                }
                if (signer != null) {
                    signer.flush();
                }
            }
            return null;
        });
        List<SliceRecord> records = new ArrayList<>(files.size());
        perFile.forEach(records::addAll);
        groupImages(records);
        return records;
    }

    /**
     * Image files carry no series or position: a folder is a volume in natural file-name order, or
     * with the published scripts' naming ({@code <patient>_<counter>.png}) one volume per patient
     * in counter order.
     */
    private static void groupImages(List<SliceRecord> records) {
        Map<String, SliceRecord> images = new LinkedHashMap<>();
        for (SliceRecord r : records) {
            if (r.decision != SliceRecord.Decision.SKIPPED && SliceDecoder.kind(r.file) == SliceDecoder.Kind.IMAGE) {
                images.put(r.relativePath(), r);
            }
        }
        for (ImageFolderGrouping.Group g : ImageFolderGrouping.group(new ArrayList<>(images.keySet()))) {
            for (int i = 0; i < g.paths().size(); i++) {
                SliceRecord r = images.get(g.paths().get(i));
                r.seriesUid = "images:" + g.volumeKey();
                r.instanceNumber = i + 1;
            }
        }
    }

    private List<SliceRecord> decodeFile(SliceDecoder decoder, Signer<?> signer, InputFile f) throws IOException {
        List<SliceRecord> out = new ArrayList<>(1);
        try {
            decoder.forEachSlice(f, new SliceDecoder.Visitor() {
                @Override
                public void slice(SliceDecoder.Slice s) {
                    SliceRecord r = new SliceRecord(f, s.frame());
                    r.frames = s.frames();
                    r.studyUid = s.studyUid();
                    r.seriesUid = s.seriesUid();
                    r.instanceNumber = s.instanceNumber();
                    r.position = s.position();
                    r.orientation = s.orientation();
                    r.rows = s.rows();
                    r.columns = s.columns();
                    r.volumeLabel = s.volumeLabel();
                    sign(decoder, signer, r);
                    out.add(r);
                }

                @Override
                public void skipped(int frame, SkippedFileException e) {
                    SliceRecord r = new SliceRecord(f, frame);
                    r.skip(e.reason(), e.getMessage());
                    out.add(r);
                }
            });
        } catch (SkippedFileException e) {
            out.clear();
            SliceRecord r = new SliceRecord(f, -1);
            r.skip(e.reason(), e.getMessage());
            out.add(r);
        }
        return out;
    }

    /**
     * Measures, renders and signs the slice the decoder holds. dHash-8 (the default) is computed
     * from int16 rows mapped on the fly, without the 8-bit image; everything else needs that image.
     */
    private void sign(SliceDecoder decoder, Signer<?> signer, SliceRecord r) {
        SignatureMethod<?> method = o.strategy().method();
        boolean fastHash = method != null && DHASH_8.equals(method.name()) && !gpuHashing();
        if (fastHash) {
            long h = decoder.dhash64();
            r.signature = new long[] {h};
            r.signatureText = DHash.toHex(h);
        }
        boolean thumbnail = o.report() && thumbnailsLeft.getAndUpdate(k -> Math.max(0, k - 1)) > 0;
        if (o.report() && !thumbnail) {
            thumbnailsOmitted.incrementAndGet();
        }
        if ((method == null || fastHash) && o.minInformation() == null && !thumbnail) {
            return;
        }
        decoder.to8Bit();
        int w = decoder.width();
        int h = decoder.height();
        if (thumbnail) {
            r.thumbnail = Thumbnails.of(decoder.gray(), w, h, Thumbnails.SIZE);
        }
        if (o.minInformation() != null) {
            r.information = o.minInformation().measure(decoder.gray(), w * h);
            if (r.information < o.minInformation().minimum()) {
                return; // dropped before comparison: no signature needed
            }
        }
        if (!fastHash && method != null) {
            signInto(method, signer, decoder.gray(), w, h, r);
        }
    }

    /** Whether the strategy's perceptual hash is computed on the GPU backend. */
    private boolean gpuHashing() {
        return o.backend() != null && o.backend().context() != null
                && o.strategy().method() instanceof HashMethod h && CudaHashSigner.supports(h);
    }

    /**
     * The strategy to select with: on a GPU, the global rule takes its candidate pairs from the
     * device (all pairs across the dataset are what a CPU cannot afford at scale); the reference
     * rule's per-volume scans and the consecutive rule stay on the CPU, where they are cheap.
     */
    private SelectionStrategy selectionStrategy() {
        if (o.backend() != null && o.backend().context() != null && o.strategy() instanceof SignatureStrategy<?> ss
                && ss.rule() == lessismore.select.Rule.GLOBAL) {
            SignatureStrategy<?> gpu = ss.withCandidatePairs(new CudaCandidatePairs(o.backend().context()));
            if (gpu.candidatePairs() != null) {
                return gpu;
            }
        }
        return o.strategy();
    }

    @SuppressWarnings("unchecked")
    private static <S> void signInto(SignatureMethod<S> method, Signer<?> signer, byte[] gray, int w, int h,
                                     SliceRecord r) {
        ((Signer<S>) signer).sign(gray, w, h, sig -> {
            r.signature = sig;
            r.signatureText = method.text(sig);
        });
    }

    /** Runs {@code task} on {@code threads} threads (each pulls work itself) and waits for all. */
    private void runWorkers(java.util.concurrent.Callable<Void> task) throws IOException {
        int threads = Math.max(1, o.threads());
        try (ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "lessismore-worker");
            t.setDaemon(true);
            return t;
        })) {
            List<Future<Void>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(task));
            }
            for (Future<Void> f : futures) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof IOException io) {
                        throw io;
                    }
                    if (c instanceof UncheckedIOException uio) {
                        throw uio.getCause();
                    }
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    if (c instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(c);
                }
            }
        }
    }

    // ---- select ---------------------------------------------------------------------------------

    /**
     * What selection decided, for the summary and the report.
     *
     * @param candidates      the dataset as selection saw it (global indices over volumes)
     * @param slices          the records in the same global order
     * @param threshold       the threshold applied (given or found), or null without signatures
     * @param search          the keep-fraction search, or null
     * @param neighbourScores scores between neighbouring slices (for the report), or null when not needed
     * @param lowInformation  slices dropped by {@code --min-information}
     */
    record SelectionOutcome(Candidates candidates, List<SliceRecord> slices, Double threshold,
                            ThresholdSearch.Found search, double[] neighbourScores, int lowInformation) {
    }

    private SelectionOutcome select(List<Volume> volumes) {
        List<SliceRecord> slices = new ArrayList<>();
        int[] volumeStart = new int[volumes.size() + 1];
        for (int v = 0; v < volumes.size(); v++) {
            volumeStart[v] = slices.size();
            slices.addAll(volumes.get(v).slices());
        }
        volumeStart[volumes.size()] = slices.size();
        int n = slices.size();
        boolean[] eligible = new boolean[n];
        List<Object> signatures = new ArrayList<>(n);
        int low = 0;
        for (int i = 0; i < n; i++) {
            SliceRecord r = slices.get(i);
            r.lowInformation = o.minInformation() != null && r.information < o.minInformation().minimum();
            eligible[i] = !r.lowInformation;
            low += r.lowInformation ? 1 : 0;
            signatures.add(r.signature);
        }
        SignatureMethod<?> method = o.strategy().method();
        Candidates c = new Candidates(volumeStart, eligible, method == null ? null : signatures,
                Math.max(1, o.threads()));
        // Scores between neighbouring slices: the report's histogram, and the bracket a keep-fraction
        // search of a continuous method starts from; computed once for both.
        boolean bracket = o.keepFraction() != null && method != null && !method.discrete();
        double[] neighbours = (o.report() || bracket) && method != null
                ? SignatureStrategy.neighbourScores(method, c) : null;
        Selection s;
        Double threshold = null;
        ThresholdSearch.Found found = null;
        if (o.keepFraction() != null) {
            if (!(o.strategy() instanceof SignatureStrategy<?> ss)) {
                throw new IllegalArgumentException("--keep-fraction needs a strategy that compares slices");
            }
            found = ThresholdSearch.search(ss.method(), ss.rule(), c, o.keepFraction(), neighbours);
            s = found.selection();
            threshold = found.threshold();
        } else {
            s = selectionStrategy().select(c);
            if (o.strategy() instanceof SignatureStrategy<?> ss) {
                threshold = ss.threshold();
            }
        }
        for (int i = 0; i < n; i++) {
            SliceRecord r = slices.get(i);
            if (s.kept()[i]) {
                r.decision = SliceRecord.Decision.KEPT;
                r.reason = "";
                continue;
            }
            r.decision = SliceRecord.Decision.DROPPED;
            if (r.lowInformation) {
                r.reason = o.minInformation().reason(r.information);
            } else if (s.reference()[i] >= 0) {
                SliceRecord ref = slices.get(s.reference()[i]);
                r.referenceVolume = ref.volumeId;
                r.referenceSlice = ref.sliceIndex;
                r.score = s.score()[i];
                String where = ref.volumeId.equals(r.volumeId) ? "" : " of volume " + ref.volumeId;
                r.reason = "near-duplicate of slice " + ref.sliceIndex + where + " (" + method.name() + " "
                        + formatScore(method, r.score) + ")";
            } else {
                r.reason = o.strategy().dropRule();
            }
        }
        return new SelectionOutcome(c, slices, threshold, found, neighbours, low);
    }

    /** Whole numbers for Hamming distances, six decimals for similarities. */
    static String formatScore(SignatureMethod<?> method, double score) {
        if (Double.isNaN(score)) {
            return "";
        }
        return method.discrete() ? Long.toString(Math.round(score)) : String.format(Locale.ROOT, "%.6f", score);
    }

    // ---- write ----------------------------------------------------------------------------------

    /** One row per slice (one per file for ordinary slices and skipped files), in input order. */
    private void writeManifest(Path file, List<SliceRecord> records) throws IOException {
        SignatureMethod<?> method = o.strategy().method();
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("path,frame,volume,slice_index,position_mm,instance_number,signature,decision,"
                    + "reference_volume,reference_slice,score,reason\n");
            for (SliceRecord r : records) {
                w.write(Csv.field(r.relativePath()));
                w.write(',');
                w.write(r.frame >= 0 && r.frames > 1 ? Integer.toString(r.frame) : "");
                w.write(',');
                w.write(Csv.field(r.volumeId));
                w.write(',');
                w.write(r.sliceIndex >= 0 ? Integer.toString(r.sliceIndex) : "");
                w.write(',');
                w.write(Double.isNaN(r.positionMm) ? "" : String.format(Locale.ROOT, "%.3f", r.positionMm));
                w.write(',');
                w.write(r.instanceNumber == null ? "" : r.instanceNumber.toString());
                w.write(',');
                w.write(Csv.field(r.signatureText));
                w.write(',');
                w.write(r.decision.label());
                w.write(',');
                w.write(r.referenceVolume == null ? "" : Csv.field(r.referenceVolume));
                w.write(',');
                w.write(r.referenceSlice >= 0 ? Integer.toString(r.referenceSlice) : "");
                w.write(',');
                w.write(method == null ? "" : formatScore(method, r.score));
                w.write(',');
                w.write(Csv.field(r.reason));
                w.write('\n');
            }
        }
    }

    private void export(Path staging, List<Volume> volumes) throws IOException {
        if (o.export() == Export.NONE) {
            return;
        }
        // Kept slices grouped by file, so that a file holding many slices is read once.
        Map<InputFile, List<SliceRecord>> byFile = new LinkedHashMap<>();
        for (Volume v : volumes) {
            Files.createDirectories(staging.resolve("images").resolve(v.id()));
            for (SliceRecord r : v.slices()) {
                if (r.decision == SliceRecord.Decision.KEPT) {
                    byFile.computeIfAbsent(r.file, k -> new ArrayList<>()).add(r);
                }
            }
        }
        List<List<SliceRecord>> groups = new ArrayList<>(byFile.values());
        int total = groups.stream().mapToInt(List::size).sum();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        runWorkers(() -> {
            SliceDecoder decoder = new SliceDecoder(o.preprocessing());
            for (int i; (i = next.getAndIncrement()) < groups.size(); ) {
                for (SliceRecord r : groups.get(i)) {
                    exportOne(decoder, staging, r);
                    o.progress().update("export", done.incrementAndGet(), total);
                }
            }
            return null;
        });
    }

    private void exportOne(SliceDecoder decoder, Path staging, SliceRecord r) throws IOException {
        Path dir = staging.resolve("images").resolve(r.volumeId);
        String stem = String.format("%04d", r.sliceIndex);
        String inputName = r.file.path().getFileName().toString();
        switch (o.export()) {
            case PNG -> writePng(decoder, r, dir.resolve(stem + ".png"), o.exportSize());
            case LINK -> {
                Path link = dir.resolve(stem + "-" + inputName);
                if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, r.file.path().toAbsolutePath());
                }
            }
            case COPY -> {
                Path copy = dir.resolve(stem + "-" + inputName);
                if (!Files.exists(copy)) {
                    Files.copy(r.file.path(), copy);
                }
            }
            case NONE -> { }
        }
    }

    private static void writePng(SliceDecoder decoder, SliceRecord r, Path file, int size) throws IOException {
        try {
            decoder.decodeSlice(r.file, Math.max(0, r.frame));
            decoder.to8Bit();
        } catch (SkippedFileException e) {
            // The file decoded moments ago; if it no longer does, it changed under us.
            throw new IOException("input file changed during the run: " + r.relativePath() + ": " + e.getMessage());
        }
        int w = decoder.width();
        int h = decoder.height();
        int outW = size > 0 ? size : w;
        int outH = size > 0 ? size : h;
        BufferedImage img = new BufferedImage(outW, outH, BufferedImage.TYPE_BYTE_GRAY);
        byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        if (size > 0) {
            int[] resized = lessismore.signature.PilLanczos.resize(decoder.gray(), w, h, outW, outH);
            for (int i = 0; i < resized.length; i++) {
                dst[i] = (byte) resized[i];
            }
        } else {
            System.arraycopy(decoder.gray(), 0, dst, 0, w * h);
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer in this Java runtime");
        }
    }

    private Map<String, Object> summary(Path input, Path output, List<InputFile> files, List<SliceRecord> records,
                                        List<Volume> volumes, SelectionOutcome sel, long[] t) {
        int kept = 0;
        int dropped = 0;
        int skipped = 0;
        Map<String, Integer> skipCounts = new TreeMap<>();
        for (SliceRecord r : records) {
            switch (r.decision) {
                case KEPT -> kept++;
                case DROPPED -> dropped++;
                case SKIPPED -> {
                    skipped++;
                    skipCounts.merge(r.skipReason == null ? SkipReason.UNREADABLE.label() : r.skipReason.label(),
                            1, Integer::sum);
                }
            }
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("tool", "lessismore");
        s.put("version", Version.get());
        s.put("command", "reduce");
        s.put("input", input.toString());
        s.put("output", output.toString());
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("strategy", o.strategy().name());
        SignatureMethod<?> method = o.strategy().method();
        if (o.strategy() instanceof EveryNth e) {
            p.put("n", e.n());
        }
        if (method != null) {
            SignatureStrategy<?> ss = (SignatureStrategy<?>) o.strategy();
            p.put("signature", method.name());
            p.put("signature_parameters", method.parameters());
            p.put("comparison", method.direction() == SignatureMethod.Direction.DISTANCE
                    ? "distance: redundant when <= threshold" : "similarity: redundant when >= threshold");
            p.put("rule", ss.rule().label());
            p.put("threshold", sel.threshold());
            if (o.keepFraction() != null) {
                p.put("keep_fraction", o.keepFraction());
                p.put("threshold_found", sel.threshold());
                p.put("threshold_search_steps", sel.search().trace().size());
            }
        }
        p.put("min_information", o.minInformation() == null ? null : o.minInformation().describe());
        p.put("preprocessing", o.preprocessing().describe());
        p.put("export_size", o.exportSize() == 0 ? "native" : o.exportSize());
        p.put("order", o.order().name().toLowerCase(Locale.ROOT));
        p.put("export", o.export().name().toLowerCase(Locale.ROOT));
        p.put("threads", o.threads());
        p.put("device", o.backend() == null ? "cpu" : o.backend().describe());
        if (o.backend() != null && o.backend().context() != null) {
            List<String> onGpu = new ArrayList<>();
            if (gpuHashing()) {
                onGpu.add("hashing");
            }
            if (o.keepFraction() == null && selectionStrategy() != o.strategy()) {
                onGpu.add("candidate pairs (global rule)");
            }
            p.put("on_device", onGpu);
        }
        s.put("parameters", p);
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("files", files.size());
        totals.put("slices", kept + dropped);
        totals.put("kept", kept);
        totals.put("dropped", dropped);
        totals.put("dropped_low_information", sel.lowInformation());
        totals.put("skipped", skipped);
        totals.put("volumes", volumes.size());
        totals.put("kept_fraction", kept + dropped == 0 ? null : (double) kept / (kept + dropped));
        s.put("totals", totals);
        s.put("skipped_by_reason", skipCounts);
        List<Object> vols = new ArrayList<>();
        for (Volume v : volumes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", v.id());
            m.put("slices", v.slices().size());
            m.put("kept", v.slices().stream().filter(r -> r.decision == SliceRecord.Decision.KEPT).count());
            m.put("order", v.orderBasis());
            vols.add(m);
        }
        s.put("volumes", vols);
        double total = (t[4] - t[0]) / 1e9;
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("scan_s", round((t[1] - t[0]) / 1e9));
        timings.put("decode_and_sign_s", round((t[2] - t[1]) / 1e9));
        timings.put("select_s", round((t[3] - t[2]) / 1e9));
        timings.put("write_s", round((t[4] - t[3]) / 1e9));
        timings.put("total_s", round(total));
        timings.put("slices_per_s", total > 0 ? Math.round((kept + dropped) / total * 10) / 10.0 : null);
        s.put("timings", timings);
        return s;
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1e4) / 1e4;
    }
}
