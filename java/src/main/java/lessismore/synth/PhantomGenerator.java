package lessismore.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import lessismore.output.AtomicFile;
import lessismore.synth.DicomWriter.Syntax;
import lessismore.synth.DicomWriter.Tags;
import lessismore.synth.DicomWriter.VR;

/**
 * Synthesizes a small, realistic CT study from a seed, as DICOM files, for demos, tests and
 * benchmarks of the reduction pipeline.
 *
 * <p>Each series is an anatomical phantom in Hounsfield units: air (-1000) around an elliptical body
 * (skin, a fat ring of about -100 HU, muscle), with organs drawn as ellipses whose centres and radii
 * are smooth functions of the slice position z, so that neighbouring slices look alike as in real
 * CT while distant ones differ. Chest: lungs (about -850), heart with contrast-filled chambers,
 * aorta, trachea, ribs, spine. Head: scalp, skull ring (about 1200), brain (about 35), ventricles,
 * orbits, sinuses. Abdomen: liver, spleen, kidneys, pancreas, bowel, contrast-enhanced aorta and
 * vena cava, spine (bone about 700). Gaussian noise (sigma 12 HU) comes from a {@link
 * SplittableRandom} seeded per slice. Stored values are HU + 1024 clipped to 0..4095 (12 bits
 * stored in 16 allocated, unsigned; Rescale Intercept -1024, Slope 1).
 *
 * <p>Planted traps, recorded in the {@link Result}: exact duplicates (a second file with identical
 * pixel data and position, a new SOP Instance UID and an Instance Number after the last slice),
 * near duplicates (the same slice re-noised with sigma 2 HU), one series in Implicit VR Little
 * Endian, one series whose file names are shuffled against anatomical order (so tools must sort by
 * position, not name), and a non-DICOM {@code README.txt} at the study root.
 *
 * <p>Deterministic: the same {@link Options} give byte-identical files, whatever the number of
 * threads (every slice draws from its own random source derived from seed, series and slice; all
 * transcendental functions use {@link StrictMath}). Slices are rendered and written in parallel; the
 * default study (126 files of 256 x 256) takes a fraction of a second.
 */
public final class PhantomGenerator {

    /** Noise of the original slices, in HU. */
    static final double NOISE_SIGMA_HU = 12.0;
    /** Extra noise that turns a copy of a slice into a near duplicate, in HU. */
    static final double NEAR_DUPLICATE_SIGMA_HU = 2.0;

    private static final int HU_OFFSET = 1024;
    private static final int MAX_STORED = 4095;
    private static final String STUDY_DATE = "20240102";
    private static final String README = "README.txt";

    // Salts that separate the independent random streams derived from the seed.
    private static final long SALT_UIDS = 0x5549_4453L;
    private static final long SALT_SHAPE = 0x5348_4150L;
    private static final long SALT_NOISE = 0x4E4F_4953L;
    private static final long SALT_NEAR = 0x4E45_4152L;
    private static final long SALT_PLAN = 0x504C_414EL;

    private PhantomGenerator() {
    }

    /**
     * Body regions the generator can draw. {@code fovMm} is the reconstruction field of view (pixel
     * spacing = fov / size), {@code centreZMm} the table position of the region's centre in patient
     * coordinates (LPS, +z towards the head), {@code extentMm} the length along z over which the
     * region's anatomy unfolds (a series longer than that runs past its ends, where organs fade out).
     */
    public enum Anatomy {
        CHEST(360, -240, 120, "CHEST", 40, 400),
        HEAD(240, 15, 96, "HEAD", 40, 80),
        ABDOMEN(380, -380, 80, "ABDOMEN", 50, 400);

        private final double fovMm;
        private final double centreZMm;
        private final double extentMm;
        private final String bodyPart;
        private final int windowCenter;
        private final int windowWidth;

        Anatomy(double fovMm, double centreZMm, double extentMm, String bodyPart, int windowCenter, int windowWidth) {
            this.fovMm = fovMm;
            this.centreZMm = centreZMm;
            this.extentMm = extentMm;
            this.bodyPart = bodyPart;
            this.windowCenter = windowCenter;
            this.windowWidth = windowWidth;
        }
    }

    /**
     * One series to generate.
     *
     * @param name lower-case name used in the folder name {@code series-NN-<name>} ([a-z0-9-]+)
     * @param anatomy which body region to draw
     * @param slices number of distinct slices (duplicates come on top), at least 2
     * @param sliceThicknessMm slice thickness and spacing, in mm
     * @param syntax transfer syntax of the data set
     * @param preamble true for Part 10 files; false for bare Implicit-VR-style data sets without
     *     preamble and File Meta group (old ACR-NEMA style)
     * @param shuffledFileNames number the files in a random order instead of anatomical order
     * @param exactDuplicates how many slices get an exact duplicate file
     * @param nearDuplicates how many (other) slices get a re-noised near duplicate
     */
    public record SeriesSpec(String name, Anatomy anatomy, int slices, double sliceThicknessMm, Syntax syntax,
            boolean preamble, boolean shuffledFileNames, int exactDuplicates, int nearDuplicates) {

        public SeriesSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(anatomy, "anatomy");
            Objects.requireNonNull(syntax, "syntax");
            if (!name.matches("[a-z0-9-]{1,30}")) {
                throw new IllegalArgumentException("series name must match [a-z0-9-]{1,30}: " + name);
            }
            if (slices < 2 || slices > 9999) {
                throw new IllegalArgumentException("slices must be in 2..9999: " + slices);
            }
            if (!(sliceThicknessMm > 0 && sliceThicknessMm <= 50)) {
                throw new IllegalArgumentException("slice thickness must be in (0, 50] mm: " + sliceThicknessMm);
            }
            if (exactDuplicates < 0 || nearDuplicates < 0 || exactDuplicates + nearDuplicates > slices) {
                throw new IllegalArgumentException("duplicates must be >= 0 and together at most the slice count");
            }
        }

        /**
         * This spec with {@code round(slices * factor)} slices (at least 2); duplicate counts are
         * capped at a quarter of the slices each, so small series are not mostly duplicates.
         */
        public SeriesSpec scaled(double factor) {
            if (!(factor > 0)) {
                throw new IllegalArgumentException("scale factor must be > 0: " + factor);
            }
            int n = (int) Math.max(2, Math.min(9999, Math.round(slices * factor)));
            int cap = Math.max(n / 4, 0);
            return new SeriesSpec(name, anatomy, n, sliceThicknessMm, syntax, preamble, shuffledFileNames,
                    Math.min(exactDuplicates, cap), Math.min(nearDuplicates, cap));
        }

        /**
         * The default study: chest (48 x 2.5 mm, Explicit VR, 3 exact and 3 near duplicates), head
         * (32 x 3 mm, Implicit VR), abdomen (40 x 2 mm, Explicit VR, shuffled file names).
         */
        public static List<SeriesSpec> defaults() {
            return List.of(
                    new SeriesSpec("chest", Anatomy.CHEST, 48, 2.5, Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true, false, 3, 3),
                    new SeriesSpec("head", Anatomy.HEAD, 32, 3.0, Syntax.IMPLICIT_VR_LITTLE_ENDIAN, true, false, 0, 0),
                    new SeriesSpec("abdomen", Anatomy.ABDOMEN, 40, 2.0, Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true, true, 0, 0));
        }
    }

    /**
     * What to generate.
     *
     * @param seed seed of every random choice (UIDs, anatomy jitter, noise, duplicate picks, shuffle)
     * @param size rows = columns of every image, 16..1024
     * @param series the series of the study, in order (numbered 1..n), with distinct names
     */
    public record Options(long seed, int size, List<SeriesSpec> series) {

        public Options {
            if (size < 16 || size > 1024) {
                throw new IllegalArgumentException("size must be in 16..1024: " + size);
            }
            series = List.copyOf(series);
            if (series.isEmpty()) {
                throw new IllegalArgumentException("at least one series is needed");
            }
            Set<String> names = new HashSet<>();
            for (SeriesSpec s : series) {
                if (!names.add(s.name())) {
                    throw new IllegalArgumentException("duplicate series name: " + s.name());
                }
            }
        }

        /** Seed 42, 256 x 256, {@link SeriesSpec#defaults()}. */
        public static Options defaults() {
            return new Options(42, 256, SeriesSpec.defaults());
        }

        public Options withSeed(long newSeed) {
            return new Options(newSeed, size, series);
        }

        public Options withSize(int newSize) {
            return new Options(seed, newSize, series);
        }

        public Options withSeries(List<SeriesSpec> newSeries) {
            return new Options(seed, size, newSeries);
        }

        /** Every series {@link SeriesSpec#scaled scaled} by {@code factor} (e.g. 0.25 for a quick test study). */
        public Options withSliceScale(double factor) {
            return new Options(seed, size, series.stream().map(s -> s.scaled(factor)).toList());
        }
    }

    /** A planted duplicate: {@code file} repeats (exactly or nearly) the slice in {@code original}. */
    public record Duplicate(Path file, Path original) {
    }

    /**
     * One generated series.
     *
     * @param name the spec's name
     * @param folder the series folder, {@code <outDir>/series-NN-<name>}
     * @param seriesInstanceUid (0020,000E)
     * @param seriesNumber (0020,0011), 1-based position in the study
     * @param anatomy the body region drawn
     * @param syntax transfer syntax of the data sets
     * @param preamble whether the files are Part 10 (preamble and meta group) or bare data sets
     * @param sliceCount number of distinct slices (= {@code slices().size()})
     * @param slices the distinct slices' files in acquisition order: index i has Instance Number
     *     i + 1; the first is the most superior, z decreases by the slice thickness each step
     * @param exactDuplicates planted exact duplicates (identical pixel data and position)
     * @param nearDuplicates planted near duplicates (same position, pixel data re-noised by 2 HU)
     */
    public record SeriesResult(String name, Path folder, String seriesInstanceUid, int seriesNumber, Anatomy anatomy,
            Syntax syntax, boolean preamble, int sliceCount, List<Path> slices, List<Duplicate> exactDuplicates,
            List<Duplicate> nearDuplicates) {

        public SeriesResult {
            slices = List.copyOf(slices);
            exactDuplicates = List.copyOf(exactDuplicates);
            nearDuplicates = List.copyOf(nearDuplicates);
        }

        /** Every file of the series: the slices, then the exact, then the near duplicates. */
        public List<Path> files() {
            return Stream.of(slices.stream(), exactDuplicates.stream().map(Duplicate::file),
                    nearDuplicates.stream().map(Duplicate::file)).flatMap(s -> s).toList();
        }

        /** Number of files written for this series. */
        public int fileCount() {
            return sliceCount + exactDuplicates.size() + nearDuplicates.size();
        }
    }

    /**
     * A generated study.
     *
     * @param root the output folder
     * @param studyInstanceUid (0020,000D), shared by all series
     * @param readme the non-DICOM {@code README.txt} at the root
     * @param series one entry per series, in order
     */
    public record Result(Path root, String studyInstanceUid, Path readme, List<SeriesResult> series) {

        public Result {
            series = List.copyOf(series);
        }

        /** All DICOM files written, series by series. */
        public List<Path> dicomFiles() {
            return series.stream().flatMap(s -> s.files().stream()).toList();
        }
    }

    /** Generates the default study ({@link Options#defaults()}) into {@code outDir}. */
    public static Result generate(Path outDir) throws IOException {
        return generate(outDir, Options.defaults());
    }

    /**
     * Generates a study into {@code outDir}, which is created if missing and must otherwise be empty
     * (so that no stale files of an earlier, larger study can mix in). Every file is written
     * atomically (temp file and rename).
     *
     * @throws FileAlreadyExistsException when {@code outDir} exists and is not empty
     * @throws NotDirectoryException when {@code outDir} is a file
     */
    public static Result generate(Path outDir, Options options) throws IOException {
        Objects.requireNonNull(outDir, "outDir");
        Objects.requireNonNull(options, "options");
        prepareEmptyFolder(outDir);

        // All UIDs come from one stream drawn in a fixed order, before any parallel work.
        SplittableRandom uidRandom = new SplittableRandom(mix(options.seed(), SALT_UIDS));
        String studyUid = DicomWriter.uid(uidRandom);
        String frameOfReferenceUid = DicomWriter.uid(uidRandom);

        List<SeriesResult> results = new ArrayList<>();
        List<SliceJob> jobs = new ArrayList<>();
        for (int si = 0; si < options.series().size(); si++) {
            SeriesSpec spec = options.series().get(si);
            String seriesUid = DicomWriter.uid(uidRandom);
            Path folder = outDir.resolve(String.format("series-%02d-%s", si + 1, spec.name()));
            Files.createDirectories(folder);
            SeriesContext ctx = new SeriesContext(si, spec, options.seed(), options.size(),
                    seriesHeader(options, si, spec, studyUid, seriesUid, frameOfReferenceUid));

            int n = spec.slices();
            SplittableRandom plan = new SplittableRandom(mix(mix(options.seed(), SALT_PLAN), si));
            // File numbers of the distinct slices: identity, or a seeded permutation.
            int[] fileNumber = IntStream.rangeClosed(1, n).toArray();
            if (spec.shuffledFileNames()) {
                shuffle(fileNumber, plan);
            }
            List<Path> slices = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Path file = folder.resolve(fileName(fileNumber[i]));
                slices.add(file);
                jobs.add(new SliceJob(ctx, i, i + 1, DicomWriter.uid(uidRandom), file, Copy.ORIGINAL));
            }
            // Distinct slices for the duplicates: the head of a seeded permutation.
            int[] picks = IntStream.range(0, n).toArray();
            shuffle(picks, plan);
            List<Duplicate> exact = new ArrayList<>();
            List<Duplicate> near = new ArrayList<>();
            int instance = n;
            for (int k = 0; k < spec.exactDuplicates() + spec.nearDuplicates(); k++) {
                int source = picks[k];
                instance++;
                Path file = folder.resolve(fileName(instance));
                boolean isExact = k < spec.exactDuplicates();
                (isExact ? exact : near).add(new Duplicate(file, slices.get(source)));
                jobs.add(new SliceJob(ctx, source, instance, DicomWriter.uid(uidRandom), file,
                        isExact ? Copy.EXACT : Copy.NEAR));
            }
            results.add(new SeriesResult(spec.name(), folder, seriesUid, si + 1, spec.anatomy(), spec.syntax(),
                    spec.preamble(), n, slices, exact, near));
        }

        try {
            jobs.parallelStream().forEach(job -> {
                try {
                    job.write();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }

        Path readme = outDir.resolve(README);
        AtomicFile.writeBytes(readme, readmeText(options, results).getBytes(StandardCharsets.UTF_8));
        return new Result(outDir, studyUid, readme, results);
    }

    private static void prepareEmptyFolder(Path outDir) throws IOException {
        if (Files.exists(outDir)) {
            if (!Files.isDirectory(outDir)) {
                throw new NotDirectoryException(outDir.toString());
            }
            try (Stream<Path> entries = Files.list(outDir)) {
                if (entries.findAny().isPresent()) {
                    throw new FileAlreadyExistsException(outDir.toString(), null,
                            "output folder is not empty; generate into a new or empty folder");
                }
            }
        }
        Files.createDirectories(outDir);
    }

    private static String fileName(int number) {
        return String.format("IM%05d.dcm", number);
    }

    private static String readmeText(Options options, List<SeriesResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("Synthetic CT phantom study written by lessismore's phantom generator\n")
          .append("(lessismore.synth.PhantomGenerator). It holds no patient data: every image is\n")
          .append("computed from geometric shapes and seeded noise; the patient name is the fixed\n")
          .append("fake name PHANTOM^DEMO.\n\n")
          .append("seed=").append(options.seed()).append(" size=").append(options.size()).append('\n');
        for (SeriesResult r : results) {
            sb.append(r.folder().getFileName()).append(": ").append(r.sliceCount()).append(" slices, ")
              .append(r.exactDuplicates().size()).append(" exact and ")
              .append(r.nearDuplicates().size()).append(" near duplicates, ")
              .append(r.syntax()).append(r.preamble() ? "" : " without preamble").append('\n');
        }
        sb.append("\nThis file is not DICOM; tools scanning this folder should skip it.\n");
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // Headers and slice jobs

    /** Elements shared by every file of a series; per-slice elements are added to a copy. */
    private static DicomWriter.Builder seriesHeader(Options options, int si, SeriesSpec spec, String studyUid,
            String seriesUid, String frameOfReferenceUid) {
        Anatomy a = spec.anatomy();
        double spacing = a.fovMm / options.size();
        return DicomWriter.builder()
                .addStrings(Tags.IMAGE_TYPE, VR.CS, "ORIGINAL", "PRIMARY", "AXIAL")
                .addString(Tags.SOP_CLASS_UID, VR.UI, DicomWriter.CT_IMAGE_STORAGE)
                .addString(Tags.STUDY_DATE, VR.DA, STUDY_DATE)
                .addString(Tags.SERIES_DATE, VR.DA, STUDY_DATE)
                .addString(Tags.STUDY_TIME, VR.TM, "090000")
                .addString(Tags.SERIES_TIME, VR.TM, String.format("09%02d00", Math.min(59, si + 1)))
                .addString(Tags.ACCESSION_NUMBER, VR.SH, "")
                .addString(Tags.MODALITY, VR.CS, "CT")
                .addString(Tags.MANUFACTURER, VR.LO, "lessismore")
                .addString(Tags.REFERRING_PHYSICIAN_NAME, VR.PN, "")
                .addString(Tags.STUDY_DESCRIPTION, VR.LO, "Synthetic phantom study")
                .addString(Tags.SERIES_DESCRIPTION, VR.LO, "Phantom " + spec.name() + " "
                        + DicomWriter.formatDS(spec.sliceThicknessMm()) + " mm")
                .addString(Tags.MANUFACTURER_MODEL_NAME, VR.LO, "PhantomGenerator")
                .addString(Tags.PATIENT_NAME, VR.PN, "PHANTOM^DEMO")
                .addString(Tags.PATIENT_ID, VR.LO, "PHANTOM-" + options.seed())
                .addString(Tags.PATIENT_BIRTH_DATE, VR.DA, "")
                .addString(Tags.PATIENT_SEX, VR.CS, "O")
                .addString(Tags.BODY_PART_EXAMINED, VR.CS, a.bodyPart)
                .addDS(Tags.SLICE_THICKNESS, spec.sliceThicknessMm())
                .addDS(Tags.KVP, 120)
                .addString(Tags.PATIENT_POSITION, VR.CS, "HFS")
                .addString(Tags.STUDY_INSTANCE_UID, VR.UI, studyUid)
                .addString(Tags.SERIES_INSTANCE_UID, VR.UI, seriesUid)
                .addString(Tags.STUDY_ID, VR.SH, "1")
                .addIS(Tags.SERIES_NUMBER, si + 1)
                .addIS(Tags.ACQUISITION_NUMBER, 1)
                .addDS(Tags.IMAGE_ORIENTATION_PATIENT, 1, 0, 0, 0, 1, 0)
                .addString(Tags.FRAME_OF_REFERENCE_UID, VR.UI, frameOfReferenceUid)
                .addString(Tags.POSITION_REFERENCE_INDICATOR, VR.LO, "")
                .addUS(Tags.SAMPLES_PER_PIXEL, 1)
                .addString(Tags.PHOTOMETRIC_INTERPRETATION, VR.CS, "MONOCHROME2")
                .addUS(Tags.ROWS, options.size())
                .addUS(Tags.COLUMNS, options.size())
                .addDS(Tags.PIXEL_SPACING, spacing, spacing)
                .addUS(Tags.BITS_ALLOCATED, 16)
                .addUS(Tags.BITS_STORED, 12)
                .addUS(Tags.HIGH_BIT, 11)
                .addUS(Tags.PIXEL_REPRESENTATION, 0)
                .addDS(Tags.WINDOW_CENTER, a.windowCenter)
                .addDS(Tags.WINDOW_WIDTH, a.windowWidth)
                .addDS(Tags.RESCALE_INTERCEPT, -HU_OFFSET)
                .addDS(Tags.RESCALE_SLOPE, 1)
                .addString(Tags.RESCALE_TYPE, VR.LO, "HU");
    }

    /** Per-series constants shared by its slice jobs. */
    private record SeriesContext(int index, SeriesSpec spec, long seed, int size, DicomWriter.Builder header) {

        /** z (mm) of the slice with 0-based acquisition index i: superior first, then downwards. */
        double z(int i) {
            double first = spec.anatomy().centreZMm + (spec.slices() - 1) * spec.sliceThicknessMm() / 2;
            return first - i * spec.sliceThicknessMm();
        }

        /** The slice's position in its region, 0 at the inferior end, 1 at the superior end. */
        double t(int i) {
            return 0.5 + (z(i) - spec.anatomy().centreZMm) / spec.anatomy().extentMm;
        }
    }

    private enum Copy { ORIGINAL, EXACT, NEAR }

    /** One file to write: slice {@code slice} of a series, as original or planted copy. */
    private record SliceJob(SeriesContext ctx, int slice, int instanceNumber, String sopInstanceUid, Path file,
            Copy copy) {

        void write() throws IOException {
            short[] pixels = renderStored(ctx, slice);
            if (copy == Copy.NEAR) {
                // A near duplicate repeats the stored slice (noise included) plus a little fresh noise,
                // as a re-reconstruction or re-export with slightly different settings would.
                SplittableRandom rnd = new SplittableRandom(mix(mix(mix(ctx.seed, SALT_NEAR), ctx.index), slice));
                for (int p = 0; p < pixels.length; p++) {
                    long v = pixels[p] + Math.round(NEAR_DUPLICATE_SIGMA_HU * rnd.nextGaussian());
                    pixels[p] = (short) Math.clamp(v, 0, MAX_STORED);
                }
            }
            Anatomy a = ctx.spec.anatomy();
            double half = a.fovMm / 2 - a.fovMm / ctx.size / 2; // centre of pixel (0,0) is at (-half, -half)
            double z = ctx.z(slice);
            DicomWriter.Builder b = ctx.header.copy()
                    .addString(Tags.SOP_INSTANCE_UID, VR.UI, sopInstanceUid)
                    .addIS(Tags.INSTANCE_NUMBER, instanceNumber)
                    .addDS(Tags.IMAGE_POSITION_PATIENT, -half, -half, z)
                    .addDS(Tags.SLICE_LOCATION, z)
                    .addPixelData(pixels);
            b.write(file, ctx.spec.syntax(), ctx.spec.preamble());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Rendering

    /**
     * Renders slice {@code i} of a series as stored values (HU + 1024, clipped to 12 bits), shape
     * {@code size x size}, row-major, row 0 anterior, column 0 at the patient's right. Pure function
     * of (seed, series index, spec, size, i), so exact duplicates just render the slice again.
     */
    static short[] renderStored(SeriesContext ctx, int i) {
        Anatomy anatomy = ctx.spec.anatomy();
        Canvas c = new Canvas(ctx.size, anatomy.fovMm);
        double[] jitter = jitter(ctx.seed, ctx.index);
        double t = ctx.t(i);
        switch (anatomy) {
            case CHEST -> drawChest(c, t, jitter);
            case HEAD -> drawHead(c, t, jitter);
            case ABDOMEN -> drawAbdomen(c, t, jitter);
        }
        SplittableRandom noise = new SplittableRandom(mix(mix(mix(ctx.seed, SALT_NOISE), ctx.index), i));
        return c.toStored(ctx.z(i), jitter, noise);
    }

    /**
     * Per-series anatomy jitter: 32 values in [-1, 1] from the seed, the same for every slice of the
     * series (so organs keep their shape along z), different between seeds (so studies differ).
     */
    private static double[] jitter(long seed, int seriesIndex) {
        SplittableRandom r = new SplittableRandom(mix(mix(seed, SALT_SHAPE), seriesIndex));
        double[] j = new double[32];
        for (int k = 0; k < j.length; k++) {
            j[k] = 2 * r.nextDouble() - 1;
        }
        return j;
    }

    /**
     * Chest, t = 0 at the diaphragm, t = 1 towards the lung apices. Coordinates in mm (LPS: +x to
     * the patient's left, +y posterior), angles in degrees.
     */
    private static void drawChest(Canvas c, double t, double[] j) {
        double bcx = 2 * j[0];
        double bcy = 5 + 2 * j[1];
        double brx = (165 + 6 * j[2]) * (1 - 0.10 * t);
        double bry = (118 + 5 * j[3]) * (1 - 0.06 * t);
        drawBodyWall(c, bcx, bcy, brx, bry, 14);

        // Mediastinal fat between the lungs.
        c.ellipse(bcx, bcy - 10, 28, 75, 0, -80);
        // Ribs: seven per side on a ring just inside the muscle wall; their angle drifts smoothly with
        // z because ribs run obliquely through axial planes.
        for (int k = 0; k < 7; k++) {
            double theta = 108 + k * 24 + 6 * StrictMath.sin(2 * Math.PI * (1.3 * t + 0.17 * k));
            for (int side = -1; side <= 1; side += 2) {
                double th = Math.toRadians(side < 0 ? theta : 180 - theta);
                double x = bcx + (brx - 18) * StrictMath.cos(th);
                double y = bcy + (bry - 17) * StrictMath.sin(th);
                c.ellipse(x, y, 7, 4.5, Math.toDegrees(th) + 90, 750);
            }
        }
        // Sternum, anterior midline.
        c.ellipse(bcx, bcy - bry + 18, 15, 6 * smoothstep(0.1, 0.3, t), 0, 500);

        // Lungs shrink towards the apex and move medially.
        double lrx = (60 + 3 * j[4]) * (1 - 0.35 * t * t);
        double lry = (88 + 3 * j[5]) * (1 - 0.30 * t * t);
        double lcx = 80 - 10 * t;
        c.ellipse(bcx - lcx, bcy - 5, lrx, lry, -5, -850 + 10 * j[6]);
        c.ellipse(bcx + lcx, bcy - 5, lrx * 0.95, lry, 5, -850 + 10 * j[7]);
        // Pulmonary vessels: small blood-filled circles drifting smoothly through each lung.
        for (int k = 0; k < 9; k++) {
            double phi = 0.7 * k + 1.2 * t + 0.3 * StrictMath.sin(3 * t + k);
            double rr = 0.25 + 0.5 * ((k * 0.37 + 0.5 * (j[8] + 1)) % 1.0);
            double r = (1.8 + 2.5 * (1 - rr)) * (1 - 0.3 * t);
            for (int side = -1; side <= 1; side += 2) {
                double x = bcx + side * lcx + rr * lrx * StrictMath.cos(phi + side);
                double y = bcy - 5 + rr * lry * StrictMath.sin(phi + side);
                c.ellipse(x, y, r, r, 0, 60);
            }
        }
        // Hilar vessels, near the lung roots mid-chest.
        double hil = bump(t, 0.5, 0.2);
        c.ellipse(bcx - 28, bcy - 5, 9 * hil, 12 * hil, 0, 160);
        c.ellipse(bcx + 30, bcy - 8, 8 * hil, 11 * hil, 0, 160);

        // Liver dome under the right lung base, stomach/spleen under the left.
        double dome = bump(t, -0.15, 0.42);
        c.ellipse(bcx - 62, bcy + 10, 72 * dome, 62 * dome, 0, 60);
        double left = bump(t, -0.2, 0.35);
        c.ellipse(bcx + 62, bcy + 20, 45 * left, 45 * left, 0, 40);

        // Heart: pericardial fat, myocardium, contrast-filled chambers (arterial phase).
        double h = bump(t, 0.32 + 0.03 * j[9], 0.42);
        double hx = bcx + 15 + 3 * j[10];
        double hy = bcy - 18;
        c.ellipse(hx, hy, 70 * h, 56 * h, -30, -90);
        c.ellipse(hx, hy, 64 * h, 50 * h, -30, 40);
        c.ellipse(hx + 18, hy + 6, 24 * h, 18 * h, -30, 230);
        c.ellipse(hx - 20, hy - 14, 22 * h, 13 * h, -30, 190);
        double la = bump(t, 0.55, 0.18);
        c.ellipse(bcx + 5, bcy + 18, 22 * la, 14 * la, 0, 210);

        // Great vessels: descending aorta throughout, ascending aorta and arch higher up, SVC.
        c.ellipse(bcx + 26, bcy + 42, 12, 12, 0, 250);
        double asc = bump(t, 0.72, 0.25);
        c.ellipse(bcx + 8, bcy - 20, 15 * asc, 15 * asc, 0, 250);
        double arch = bump(t, 0.93, 0.09);
        c.ellipse(bcx + 14, bcy + 10, 12 * arch, 38 * arch, 10, 250);
        double svc = bump(t, 0.7, 0.3);
        c.ellipse(bcx - 22, bcy - 14, 10 * svc, 10 * svc, 0, 300);

        // Airways: trachea above the carina, main bronchi just below it.
        double tr = smoothstep(0.5, 0.58, t);
        c.ellipse(bcx, bcy + 12, 11 * tr, 11 * tr, 0, 50);
        c.ellipse(bcx, bcy + 12, 8.5 * tr, 8.5 * tr, 0, -980);
        double br = bump(t, 0.42, 0.12);
        c.ellipse(bcx - 16, bcy + 10, 6 * br, 6 * br, 0, -970);
        c.ellipse(bcx + 16, bcy + 10, 6 * br, 6 * br, 0, -970);
        // Oesophagus with a little air.
        c.ellipse(bcx + 8, bcy + 30, 7, 7, 0, 35);
        c.ellipse(bcx + 8, bcy + 30, 2, 2, 0, -900);

        drawSpine(c, bcx, bcy + 58, 0.85, t, 120, j[11]);
        drawTable(c, bcy + 118 + 5 * j[3]); // fixed: the table does not follow the body outline
    }

    /** Head, t = 0 at the skull base and orbits, t = 1 near the vertex. */
    private static void drawHead(Canvas c, double t, double[] j) {
        // Head outline: an ellipsoid whose cross-section shrinks towards the vertex (t = 1) and
        // vanishes at t = 1.35, so a series run past the vertex shows air only.
        double s = bump(t, 0.1, 1.25);
        double hcx = 1.5 * j[0];
        double hcy = 2 * j[1];
        double hrx = (74 + 3 * j[2]) * s;
        double hry = (92 + 3 * j[3]) * s;

        c.ellipse(hcx, hcy, hrx, hry, 0, 25);                 // scalp
        c.ellipse(hcx, hcy, hrx - 2, hry - 2, 0, -60);        // subcutaneous fat
        c.ellipse(hcx, hcy, hrx - 4, hry - 4, 0, 30);         // galea
        c.ellipse(hcx, hcy, hrx - 5, hry - 5, 0, 1200);       // outer table of the skull
        c.ellipse(hcx, hcy, hrx - 8, hry - 8, 0, 650);        // diploe
        c.ellipse(hcx, hcy, hrx - 10, hry - 10, 0, 1200);     // inner table
        c.ellipse(hcx, hcy, hrx - 12, hry - 12, 0, 8);        // CSF
        c.ellipse(hcx, hcy, hrx - 14, hry - 14, 0, 38);       // grey matter
        double wm = smoothstep(0.25, 0.45, t) * (1 - smoothstep(0.85, 1.0, t));
        c.ellipse(hcx, hcy, (hrx - 26) * wm, (hry - 30) * wm, 0, 28); // white matter

        // Skull base: petrous bones with mastoid air, brainstem, fourth ventricle.
        double pb = bump(t, 0.08, 0.17);
        c.ellipse(hcx - 40, hcy + 5, 24 * pb, 8 * pb, 35, 1300);
        c.ellipse(hcx + 40, hcy + 5, 24 * pb, 8 * pb, -35, 1300);
        c.ellipse(hcx - 56, hcy + 22, 6 * pb, 6 * pb, 0, -700);
        c.ellipse(hcx + 56, hcy + 22, 6 * pb, 6 * pb, 0, -700);
        double bs = bump(t, 0.15, 0.25);
        c.ellipse(hcx, hcy + 12, 14 * bs, 14 * bs, 0, 32);
        c.ellipse(hcx, hcy + 30, 3 * bs, 3 * bs, 0, 8);

        // Orbits: fat, eyeballs, lenses; nasal cavity and sinuses.
        double ob = bump(t, 0.1, 0.17);
        for (int side = -1; side <= 1; side += 2) {
            double ex = hcx + side * 31;
            double ey = hcy - hry + 24;
            c.ellipse(ex, ey, 16 * ob, 16 * ob, 0, -80);
            c.ellipse(ex, ey, 12 * ob, 12 * ob, 0, 15);
            c.ellipse(ex, ey - 9 * ob, 3 * ob, 2 * ob, 0, 100);
        }
        double nc = bump(t, 0.03, 0.18);
        c.ellipse(hcx, hcy - hry + 28, 12 * nc, 20 * nc, 0, -900);
        double fs = bump(t, 0.3, 0.09);
        c.ellipse(hcx, hcy - hry + 15, 12 * fs, 5 * fs, 0, -950);

        // Ventricles and fissures.
        double lv = bump(t, 0.57, 0.2);
        c.ellipse(hcx - 9, hcy - 8, 5.5 * lv, 26 * lv, 8, 6);
        c.ellipse(hcx + 9, hcy - 8, 5.5 * lv, 26 * lv, -8, 6);
        double oh = bump(t, 0.48, 0.1);
        c.ellipse(hcx - 16, hcy + 24, 5 * oh, 10 * oh, -15, 6);
        c.ellipse(hcx + 16, hcy + 24, 5 * oh, 10 * oh, 15, 6);
        double v3 = bump(t, 0.4, 0.1);
        c.ellipse(hcx, hcy, 2.5 * v3, 10 * v3, 0, 6);
        double sf = bump(t, 0.4, 0.12);
        c.ellipse(hcx - (hrx - 30), hcy - 5, 3 * sf, 18 * sf, 20, 8);
        c.ellipse(hcx + (hrx - 30), hcy - 5, 3 * sf, 18 * sf, -20, 8);
        // Basal ganglia, slightly denser than white matter; calcified pineal gland.
        double bg = bump(t, 0.45, 0.15);
        c.ellipse(hcx - 18, hcy - 2, 10 * bg, 14 * bg, 0, 42);
        c.ellipse(hcx + 18, hcy - 2, 10 * bg, 14 * bg, 0, 42);
        double pg = bump(t, 0.45, 0.06);
        c.ellipse(hcx, hcy + 18, 2.2 * pg, 2.2 * pg, 0, 250);
        // Falx and contrast-enhanced vessels: superior sagittal sinus, middle cerebral arteries.
        double fx = smoothstep(0.45, 0.55, t);
        c.ellipse(hcx, hcy, 1.0 * fx, (hry - 16) * 0.85 * fx, 0, 55);
        c.ellipse(hcx, hcy + hry - 15, 4 * s, 4 * s, 0, 180);
        double mca = bump(t, 0.3, 0.08);
        c.ellipse(hcx - 25, hcy - 12, 2.5 * mca, 2.5 * mca, 0, 200);
        c.ellipse(hcx + 25, hcy - 12, 2.5 * mca, 2.5 * mca, 0, 200);

        // Head rest below the occiput.
        // Head rest and table stay put while the head's cross-section changes.
        double back = hcy + 92 + 3 * j[3];
        c.ellipse(hcx, back + 10, 55, 8, 0, -150);
        drawTable(c, back + 18);
    }

    /** Abdomen, t = 0 near the lower kidney poles, t = 1 towards the liver dome. */
    private static void drawAbdomen(Canvas c, double t, double[] j) {
        double bcx = 2 * j[0];
        double bcy = 8 + 2 * j[1];
        double brx = 162 + 6 * j[2];
        double bry = 122 + 5 * j[3];
        drawBodyWall(c, bcx, bcy, brx, bry, 20);
        c.ellipse(bcx, bcy, brx - 28, bry - 26, 0, -95); // intra-abdominal fat

        // Psoas muscles, larger lower down.
        double ps = 10 + 8 * (1 - t);
        c.ellipse(bcx - 38, bcy + 62, ps, ps, 0, 48);
        c.ellipse(bcx + 38, bcy + 62, ps, ps, 0, 48);

        // Bowel loops (gas or fluid) drifting smoothly, mostly in the lower, anterior abdomen.
        for (int k = 0; k < 8; k++) {
            double a = -85 + 24 * k + 6 * j[12 + k];
            double b = -70 + 25 * ((k * 5) % 4) + 5 * j[20 + k % 8];
            double phase = 2 * Math.PI * (0.8 * t + 0.13 * k);
            double x = bcx + a + 10 * StrictMath.sin(phase);
            double y = bcy + b + 10 * StrictMath.cos(phase);
            double p = bump(t, 0.2 + 0.05 * (k % 3), 0.55);
            c.ellipse(x, y, 16 * p, 12 * p, 20 * k, 40);
            c.ellipse(x, y, 12 * p, 8 * p, 20 * k, k % 2 == 0 ? -900 : 20);
        }
        // Ascending and descending colon with gas.
        c.ellipse(bcx - 98, bcy + 5, 20, 20, 0, 40);
        c.ellipse(bcx - 98, bcy + 5, 15, 15, 0, -900);
        c.ellipse(bcx + 102, bcy + 15, 16, 16, 0, 40);
        c.ellipse(bcx + 102, bcy + 15, 11, 11, 0, -900);

        // Contrast-enhanced aorta and inferior vena cava (portal venous phase).
        c.ellipse(bcx + 14, bcy + 45, 11, 11, 0, 230);
        c.ellipse(bcx - 20, bcy + 42, 13, 10, 0, 170);
        double sma = 1 - smoothstep(0.55, 0.7, t);
        c.ellipse(bcx + 10, bcy + 26, 4 * sma, 4 * sma, 0, 230);

        // Kidneys: enhancing cortex, sinus fat; the right one sits lower.
        double kl = bump(t, 0.35 + 0.03 * j[28], 0.45);
        c.ellipse(bcx + 72, bcy + 58, 24 * kl, 34 * kl, 25, 170);
        c.ellipse(bcx + 64, bcy + 54, 8 * kl, 14 * kl, 25, -40);
        double kr = bump(t, 0.28 + 0.03 * j[29], 0.45);
        c.ellipse(bcx - 72, bcy + 60, 24 * kr, 34 * kr, -25, 170);
        c.ellipse(bcx - 64, bcy + 56, 8 * kr, 14 * kr, -25, -40);

        // Liver grows towards the dome; portal/hepatic vessels inside; gallbladder.
        double lg = 0.35 + 0.65 * smoothstep(-0.1, 1.0, t);
        double lcx = bcx - 55 + 5 * t;
        double lcy = bcy - 2;
        c.ellipse(lcx, lcy, (88 + 3 * j[4]) * lg, (78 + 3 * j[5]) * lg, 10, 100);
        for (int k = 0; k < 6; k++) {
            double phi = 1.1 * k + 0.8 * t;
            double x = lcx + 0.5 * 80 * lg * StrictMath.cos(phi);
            double y = lcy + 0.5 * 70 * lg * StrictMath.sin(phi);
            double r = (3 + 1.5 * (k % 3)) * lg;
            c.ellipse(x, y, r, r, 0, 170);
        }
        double gb = bump(t, 0.35, 0.2);
        c.ellipse(bcx - 40, bcy - 55, 16 * gb, 22 * gb, 0, 8);

        // Spleen, stomach (wall, fluid, air anteriorly), pancreas.
        double sp = bump(t, 0.75, 0.4);
        c.ellipse(bcx + 88, bcy + 30, 30 * sp, 52 * sp, -30, 110);
        double st = bump(t, 0.85, 0.3);
        c.ellipse(bcx + 48, bcy - 38, 48 * st, 34 * st, 0, 45);
        c.ellipse(bcx + 48, bcy - 38, 44 * st, 30 * st, 0, 15);
        c.ellipse(bcx + 50, bcy - 58, 28 * st, 9 * st, 0, -950);
        double pa = bump(t, 0.55, 0.18);
        c.ellipse(bcx + 10, bcy + 10, 48 * pa, 11 * pa, -15, 90);

        drawSpine(c, bcx, bcy + 72, 1.0, t, 80, j[30]);
        drawTable(c, bcy + bry);
    }

    /** Skin (30 HU), subcutaneous fat ring (-100 HU), muscle wall (45 HU) of thickness {@code wall} mm. */
    private static void drawBodyWall(Canvas c, double cx, double cy, double rx, double ry, double wall) {
        c.ellipse(cx, cy, rx, ry, 0, 30);
        c.ellipse(cx, cy, rx - 2.5, ry - 2.5, 0, -100);
        c.ellipse(cx, cy, rx - wall, ry - wall + 1, 0, 45);
    }

    /**
     * Vertebra centred at (cx, cy), scaled by s: paraspinal muscles, cortical shell and cancellous
     * body, posterior elements, spinal canal. An intervertebral disc recurs every 27 mm along z
     * ({@code t * extentMm}), blended in smoothly so the vertebral body fades to disc and back.
     */
    private static void drawSpine(Canvas c, double cx, double cy, double s, double t, double extentMm, double jit) {
        c.ellipse(cx - 30 * s, cy + 36 * s, 20 * s, 16 * s, 0, 50);
        c.ellipse(cx + 30 * s, cy + 36 * s, 20 * s, 16 * s, 0, 50);
        double zmm = t * extentMm;
        double disc = smoothstep(0.82, 0.95, 0.5 + 0.5 * StrictMath.cos(2 * Math.PI * (zmm / 27.0 + 0.3 * jit)));
        c.ellipse(cx, cy, 19 * s, 16 * s, 0, lerp(900, 90, disc));
        c.ellipse(cx, cy, 16.5 * s, 13.5 * s, 0, lerp(650, 85, disc));
        c.ellipse(cx, cy + 24 * s, 20 * s, 9 * s, 0, 700);
        c.ellipse(cx, cy + 40 * s, 5 * s, 12 * s, 0, 700);
        c.ellipse(cx, cy + 20 * s, 8 * s, 7.5 * s, 0, 15);
    }

    /** Patient table, a thin carbon-fibre slab just below the body. */
    private static void drawTable(Canvas c, double topY) {
        c.ellipse(0, topY + 14, 230, 5, 0, 150);
    }

    /** sqrt(1 - ((t - c) / hw)^2) inside the interval, 0 outside: the radius profile of an ellipsoid along z. */
    static double bump(double t, double centre, double halfWidth) {
        double v = (t - centre) / halfWidth;
        return v * v >= 1 ? 0 : Math.sqrt(1 - v * v);
    }

    static double smoothstep(double e0, double e1, double x) {
        double u = Math.clamp((x - e0) / (e1 - e0), 0.0, 1.0);
        return u * u * (3 - 2 * u);
    }

    private static double lerp(double a, double b, double u) {
        return a + (b - a) * u;
    }

    /**
     * A slice image in HU (float, size x size, row-major) on which ellipses are painted in order, each
     * replacing what lies under it, with a one-pixel partial-volume ramp at the edge (as CT edges are
     * never perfectly sharp, and so that thin structures do not flicker between slices).
     */
    private static final class Canvas {
        private final int n;
        private final double spacing;
        private final double origin; // coordinate of the centre of pixel 0 along x and y, mm
        private final float[] hu;

        Canvas(int n, double fovMm) {
            this.n = n;
            this.spacing = fovMm / n;
            this.origin = -fovMm / 2 + spacing / 2;
            this.hu = new float[n * n];
            Arrays.fill(hu, -1000f);
        }

        /** Paints an ellipse (centre, radii in mm, rotation in degrees) with {@code value} HU; radii of 0 paint nothing. */
        void ellipse(double cx, double cy, double rx, double ry, double angleDeg, double value) {
            if (!(rx > 0.05 && ry > 0.05)) {
                return; // organ absent at this z
            }
            double a = Math.toRadians(angleDeg);
            double cos = StrictMath.cos(a);
            double sin = StrictMath.sin(a);
            double hx = Math.sqrt(rx * cos * rx * cos + ry * sin * ry * sin) + spacing;
            double hy = Math.sqrt(rx * sin * rx * sin + ry * cos * ry * cos) + spacing;
            int c0 = Math.max(0, (int) Math.floor((cx - hx - origin) / spacing));
            int c1 = Math.min(n - 1, (int) Math.ceil((cx + hx - origin) / spacing));
            int r0 = Math.max(0, (int) Math.floor((cy - hy - origin) / spacing));
            int r1 = Math.min(n - 1, (int) Math.ceil((cy + hy - origin) / spacing));
            double irx2 = 1 / (rx * rx);
            double iry2 = 1 / (ry * ry);
            // q = (u/rx)^2 + (v/ry)^2 is 1 on the boundary; well inside / outside skip the ramp maths.
            double margin = 0.75 * spacing / Math.min(rx, ry);
            double qIn = margin < 1 ? (1 - margin) * (1 - margin) : 0;
            double qOut = (1 + margin) * (1 + margin);
            float v = (float) value;
            for (int r = r0; r <= r1; r++) {
                double dy = origin + r * spacing - cy;
                int row = r * n;
                for (int col = c0; col <= c1; col++) {
                    double dx = origin + col * spacing - cx;
                    double u = dx * cos + dy * sin;
                    double w = -dx * sin + dy * cos;
                    double q = u * u * irx2 + w * w * iry2;
                    if (q >= qOut) {
                        continue;
                    }
                    int p = row + col;
                    if (q <= qIn) {
                        hu[p] = v;
                        continue;
                    }
                    // First-order signed distance to the boundary, (q - 1) / |grad q|, in mm.
                    double gu = u * irx2;
                    double gw = w * iry2;
                    double d = (q - 1) / (2 * Math.sqrt(gu * gu + gw * gw));
                    double alpha = Math.clamp(0.5 - d / spacing, 0.0, 1.0);
                    hu[p] = (float) (hu[p] + alpha * (v - hu[p]));
                }
            }
        }

        /**
         * Adds a faint smooth soft-tissue texture (varies slowly with x, y and z) and Gaussian noise,
         * then converts to stored values: round(HU) + 1024 clipped to 0..4095.
         */
        short[] toStored(double z, double[] j, SplittableRandom noise) {
            // Separable texture: a(x) * b(y), so only 2n sines per slice.
            double[] tx = new double[n]; // by column
            double[] ty = new double[n]; // by row
            for (int k = 0; k < n; k++) {
                double coord = origin + k * spacing;
                tx[k] = StrictMath.sin(0.11 * coord + 0.07 * z + 3 * j[31]);
                ty[k] = StrictMath.cos(0.09 * coord - 0.05 * z + 3 * j[30]);
            }
            short[] out = new short[n * n];
            for (int r = 0; r < n; r++) {
                for (int col = 0; col < n; col++) {
                    int p = r * n + col;
                    double h = hu[p];
                    if (h > -200 && h < 300) {
                        h += 5 * tx[col] * ty[r];
                    }
                    h += NOISE_SIGMA_HU * noise.nextGaussian();
                    out[p] = (short) Math.clamp(Math.round(h) + HU_OFFSET, 0, MAX_STORED);
                }
            }
            return out;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Seeded helpers

    /** Mixes a value into a seed (MurmurHash3 finaliser), so derived streams are independent. */
    private static long mix(long seed, long value) {
        long z = seed * 0x9E37_79B9_7F4A_7C15L + value;
        z = (z ^ (z >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CE_B9FE_1A85_EC53L;
        return z ^ (z >>> 33);
    }

    /** Fisher-Yates shuffle with the given random source. */
    private static void shuffle(int[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int k = r.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[k];
            a[k] = tmp;
        }
    }
}
