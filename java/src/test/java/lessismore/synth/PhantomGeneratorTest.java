package lessismore.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import lessismore.synth.DicomWriter.Syntax;
import lessismore.synth.DicomWriter.Tags;
import lessismore.synth.DicomWriter.VR;
import lessismore.synth.PhantomGenerator.Anatomy;
import lessismore.synth.PhantomGenerator.Duplicate;
import lessismore.synth.PhantomGenerator.Options;
import lessismore.synth.PhantomGenerator.Result;
import lessismore.synth.PhantomGenerator.SeriesResult;
import lessismore.synth.PhantomGenerator.SeriesSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhantomGeneratorTest {

    private static final Path DCMDUMP = Path.of("/usr/bin/dcmdump");

    /** A quick study: 64 x 64, half the default slice counts (24 + 16 + 20 slices, 3 + 3 duplicates). */
    private static final Options SMALL = Options.defaults().withSize(64).withSliceScale(0.5);

    @TempDir
    Path tmp;

    @Test
    void sameSeedGivesByteIdenticalFiles() throws IOException {
        Result a = PhantomGenerator.generate(tmp.resolve("a"), SMALL);
        Result b = PhantomGenerator.generate(tmp.resolve("b"), SMALL);
        List<Path> filesA = relativeFiles(a.root());
        assertEquals(filesA, relativeFiles(b.root()));
        for (Path rel : filesA) {
            assertArrayEquals(Files.readAllBytes(a.root().resolve(rel)), Files.readAllBytes(b.root().resolve(rel)),
                    "differs between runs: " + rel);
        }
        assertEquals(a.studyInstanceUid(), b.studyInstanceUid());

        Result other = PhantomGenerator.generate(tmp.resolve("c"), SMALL.withSeed(SMALL.seed() + 1));
        assertNotEquals(a.studyInstanceUid(), other.studyInstanceUid());
        Path first = a.series().get(0).slices().get(0);
        assertFalse(Arrays.equals(pixelBytes(first, 64),
                pixelBytes(other.series().get(0).slices().get(0), 64)), "another seed should give other pixels");
    }

    @Test
    void defaultStudyHasTheExpectedFiles() throws IOException {
        Result r = PhantomGenerator.generate(tmp.resolve("study"), Options.defaults());

        assertEquals(3, r.series().size());
        assertEquals(List.of(48, 32, 40), r.series().stream().map(SeriesResult::sliceCount).toList());
        assertEquals(48 + 3 + 3 + 32 + 40, r.dicomFiles().size());
        try (Stream<Path> all = Files.walk(r.root())) {
            List<Path> dcm = all.filter(p -> p.toString().endsWith(".dcm")).toList();
            assertEquals(r.dicomFiles().size(), dcm.size(), "files on disk vs. result");
        }
        assertTrue(Files.readString(r.readme()).toLowerCase(java.util.Locale.ROOT).contains("synthetic"));
        assertEquals("README.txt", r.readme().getFileName().toString());

        SeriesResult chest = r.series().get(0);
        SeriesResult head = r.series().get(1);
        SeriesResult abdomen = r.series().get(2);
        assertEquals("series-01-chest", chest.folder().getFileName().toString());
        assertEquals(3, chest.exactDuplicates().size());
        assertEquals(3, chest.nearDuplicates().size());
        assertEquals(Syntax.IMPLICIT_VR_LITTLE_ENDIAN, head.syntax());
        assertEquals(Syntax.EXPLICIT_VR_LITTLE_ENDIAN, chest.syntax());
        for (SeriesResult s : r.series()) {
            for (Path f : s.files()) {
                assertTrue(f.getFileName().toString().matches("IM\\d{5}\\.dcm"), f.toString());
                assertEquals(s.folder(), f.getParent());
                byte[] bytes = Files.readAllBytes(f);
                assertEquals("DICM", new String(bytes, 128, 4, StandardCharsets.US_ASCII));
                assertTrue(contains(bytes, s.seriesInstanceUid()), "series UID in " + f);
            }
        }
        // Chest: file names follow anatomical order; abdomen: they do not.
        assertTrue(isSorted(fileNames(chest.slices())));
        assertFalse(isSorted(fileNames(abdomen.slices())), "abdomen file names should be shuffled");
        // Duplicates are numbered after the last slice.
        assertEquals("IM00049.dcm", chest.exactDuplicates().get(0).file().getFileName().toString());
    }

    @Test
    void neighbouringSlicesDifferButOnlyALittle() throws IOException {
        int size = 128;
        Result r = PhantomGenerator.generate(tmp.resolve("study"), Options.defaults().withSize(size));
        for (SeriesResult s : r.series()) {
            List<short[]> slices = new ArrayList<>();
            for (Path f : s.slices()) {
                slices.add(pixels(f, size));
            }
            double neighbours = 0;
            double minNeighbour = Double.MAX_VALUE;
            for (int i = 0; i + 1 < slices.size(); i++) {
                double d = meanAbsDiff(slices.get(i), slices.get(i + 1));
                neighbours += d;
                minNeighbour = Math.min(minNeighbour, d);
            }
            neighbours /= slices.size() - 1;
            int n = slices.size();
            double distant = (meanAbsDiff(slices.get(0), slices.get(n - 1))
                    + meanAbsDiff(slices.get(0), slices.get(n / 2))
                    + meanAbsDiff(slices.get(n / 4), slices.get(3 * n / 4))) / 3;
            // Noise alone gives about 13 HU between two slices (|N(0, 12 * sqrt 2)|).
            assertTrue(minNeighbour > 5, s.name() + ": neighbours should differ, min " + minNeighbour);
            assertTrue(neighbours < 0.5 * distant,
                    s.name() + ": neighbours " + neighbours + " HU vs distant " + distant + " HU");
        }
    }

    @Test
    void plantedDuplicatesAreWhatTheResultSays() throws IOException {
        Result r = PhantomGenerator.generate(tmp.resolve("study"), SMALL);
        SeriesResult chest = r.series().get(0);
        assertEquals(3, chest.exactDuplicates().size());
        assertEquals(3, chest.nearDuplicates().size());
        for (Duplicate d : chest.exactDuplicates()) {
            assertArrayEquals(pixelBytes(d.original(), 64), pixelBytes(d.file(), 64), d.toString());
            assertFalse(Arrays.equals(Files.readAllBytes(d.original()), Files.readAllBytes(d.file())),
                    "an exact duplicate still has its own SOP Instance UID");
        }
        for (Duplicate d : chest.nearDuplicates()) {
            double diff = meanAbsDiff(pixels(d.original(), 64), pixels(d.file(), 64));
            // sigma 2 HU, rounded: E|round(N(0, 2))| is about 1.6.
            assertTrue(diff > 0.5 && diff < 3, d + ": mean |diff| " + diff);
        }
        // Planted duplicates point at distinct slices of the series.
        List<Path> originals = Stream.concat(chest.exactDuplicates().stream(), chest.nearDuplicates().stream())
                .map(Duplicate::original).toList();
        assertEquals(originals.size(), originals.stream().distinct().count());
        assertTrue(chest.slices().containsAll(originals));
    }

    @Test
    void refusesANonEmptyOutputFolder() throws IOException {
        Path out = tmp.resolve("busy");
        Files.createDirectories(out);
        Files.writeString(out.resolve("other.txt"), "x");
        assertThrows(FileAlreadyExistsException.class, () -> PhantomGenerator.generate(out, SMALL));
    }

    @Test
    void dicomWriterLayout() throws IOException {
        DicomWriter.Builder b = DicomWriter.builder()
                .addUS(Tags.ROWS, 2)
                .addString(Tags.SOP_CLASS_UID, VR.UI, DicomWriter.CT_IMAGE_STORAGE)  // 25 chars: NUL-padded
                .addString(Tags.SOP_INSTANCE_UID, VR.UI, DicomWriter.uid(new SplittableRandom(1)))
                .addString(Tags.MODALITY, VR.CS, "CT")
                .addString(Tags.PATIENT_NAME, VR.PN, "PHANTOM^DEMO1")                   // 13 chars: space-padded
                .addPixelData(new short[] {1, 2, 3, 4});
        byte[] f = b.toBytes(Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true);
        ByteBuffer bb = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 128; i++) {
            assertEquals(0, f[i]);
        }
        assertEquals("DICM", new String(f, 128, 4, StandardCharsets.US_ASCII));
        assertEquals(0x0002, bb.getShort(132));
        assertEquals(0x0000, bb.getShort(134));
        assertEquals("UL", new String(f, 136, 2, StandardCharsets.US_ASCII));
        int groupLength = bb.getInt(140);
        int dataSet = 144 + groupLength;
        // The first data set element is (0008,0016): the meta group ends exactly where the length says.
        assertEquals(0x0008, bb.getShort(dataSet));
        assertEquals(0x0016, bb.getShort(dataSet + 2));
        assertEquals("UI", new String(f, dataSet + 4, 2, StandardCharsets.US_ASCII));
        assertEquals(26, bb.getShort(dataSet + 6));
        assertEquals(0, f[dataSet + 8 + 25], "UI padded with NUL");
        String text = new String(f, StandardCharsets.US_ASCII);
        assertTrue(text.contains("PHANTOM^DEMO1 "), "PN padded with a space");
        // Pixel Data last, OW with the 4-byte length form.
        int px = f.length - 8 - 12;
        assertEquals((short) 0x7FE0, bb.getShort(px));
        assertEquals(0x0010, bb.getShort(px + 2));
        assertEquals("OW", new String(f, px + 4, 2, StandardCharsets.US_ASCII));
        assertEquals(0, bb.getShort(px + 6));
        assertEquals(8, bb.getInt(px + 8));
        assertEquals(3, bb.getShort(px + 16));

        byte[] bare = b.toBytes(Syntax.IMPLICIT_VR_LITTLE_ENDIAN, false);
        ByteBuffer bare16 = ByteBuffer.wrap(bare).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x0008, bare16.getShort(0), "a bare data set starts with its first element");
        assertEquals(0x0016, bare16.getShort(2));
        assertEquals(26, bare16.getInt(4), "implicit VR: 4-byte length, no VR");

        assertThrows(IllegalArgumentException.class, () -> DicomWriter.builder().addString(Tags.MODALITY, VR.CS, "é"));
        assertThrows(IllegalArgumentException.class,
                () -> DicomWriter.builder().addString(Tags.MODALITY, VR.CS, "SEVENTEEN-CHARS-X"));
        assertThrows(IllegalStateException.class,
                () -> DicomWriter.builder().addUS(Tags.ROWS, 1).toBytes(Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true));
        assertEquals("-179.296875", DicomWriter.formatDS(-179.296875));
        assertEquals("0.3", DicomWriter.formatDS(0.1 + 0.2));
    }

    /**
     * dcmdump (dcmtk) must parse a few files of every kind without errors or warnings: Part 10
     * files in Explicit and Implicit VR (read with {@code +fo}, file format only, so a missing meta
     * header would fail) and bare data sets (read with {@code -f}, data set without meta header).
     */
    @Test
    void filesAreValidDicomForDcmtk() throws Exception {
        assumeTrue(Files.isExecutable(DCMDUMP), "dcmtk's dcmdump not installed at " + DCMDUMP + "; skipping");
        List<SeriesSpec> specs = new ArrayList<>(SMALL.series());
        specs.add(new SeriesSpec("bare", Anatomy.HEAD, 4, 3.0, Syntax.IMPLICIT_VR_LITTLE_ENDIAN, false, false, 0, 0));
        Result r = PhantomGenerator.generate(tmp.resolve("study"), SMALL.withSeries(specs));

        for (SeriesResult s : r.series()) {
            List<Path> files = s.files();
            List<Path> sample = List.of(files.get(0), files.get(files.size() / 2), files.get(files.size() - 1));
            for (Path f : sample) {
                String out = dcmdump(f, s.preamble() ? "+fo" : "-f");
                String ts = s.syntax() == Syntax.EXPLICIT_VR_LITTLE_ENDIAN ? "Little Endian Explicit" : "Little Endian Implicit";
                assertTrue(out.contains("# Used TransferSyntax: " + ts), f + ":\n" + out);
                assertTrue(out.contains("(7fe0,0010) OW"), f + ":\n" + out);
                assertTrue(out.contains("[PHANTOM^DEMO]"), f + ":\n" + out);
                assertEquals(s.preamble(), out.contains("# Dicom-Meta-Information-Header"), f + ":\n" + out);
            }
        }
        // The README is not DICOM: dcmdump must reject it.
        Process p = new ProcessBuilder(DCMDUMP.toString(), "+fo", r.readme().toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(0, p.exitValue());
    }

    /** Runs dcmdump; fails on a non-zero exit code or any error/warning line; returns stdout. */
    private static String dcmdump(Path file, String formatOption) throws Exception {
        Process p = new ProcessBuilder(DCMDUMP.toString(), formatOption, file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("dcmdump timed out on " + file);
        }
        assertEquals(0, p.exitValue(), "dcmdump " + formatOption + " " + file + ":\n" + out);
        for (String line : out.split("\n")) {
            if (line.startsWith("E:") || line.startsWith("W:") || line.startsWith("F:")) {
                fail("dcmdump " + formatOption + " " + file + " reported: " + line);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /**
     * The Pixel Data value of a file written by DicomWriter for a size x size image: Pixel Data is
     * the last element, so its value is the last 2 * size^2 bytes; the element header in front of it
     * (explicit or implicit VR) is checked so that a layout change fails loudly here.
     */
    private static byte[] pixelBytes(Path file, int size) throws IOException {
        byte[] f = Files.readAllBytes(file);
        int n = 2 * size * size;
        int start = f.length - n;
        ByteBuffer bb = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(n, bb.getInt(start - 4), "Pixel Data length in " + file);
        boolean explicit = f[start - 8] == 'O' && f[start - 7] == 'W';
        int tagAt = explicit ? start - 12 : start - 8;
        assertEquals((short) 0x7FE0, bb.getShort(tagAt), "Pixel Data tag in " + file);
        assertEquals((short) 0x0010, bb.getShort(tagAt + 2), "Pixel Data tag in " + file);
        return Arrays.copyOfRange(f, start, f.length);
    }

    /** Stored values (HU + 1024) of a size x size slice. */
    private static short[] pixels(Path file, int size) throws IOException {
        short[] s = new short[size * size];
        ByteBuffer.wrap(pixelBytes(file, size)).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(s);
        return s;
    }

    /** Mean absolute difference in HU (= in stored values, slope 1). */
    private static double meanAbsDiff(short[] a, short[] b) {
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return (double) sum / a.length;
    }

    private static List<Path> relativeFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    private static List<String> fileNames(List<Path> files) {
        return files.stream().map(p -> p.getFileName().toString()).toList();
    }

    private static boolean isSorted(List<String> names) {
        for (int i = 1; i < names.size(); i++) {
            if (names.get(i - 1).compareTo(names.get(i)) > 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(byte[] haystack, String needle) {
        return new String(haystack, StandardCharsets.ISO_8859_1).contains(needle);
    }
}
