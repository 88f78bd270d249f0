package lessismore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lessismore.TestData;
import lessismore.synth.DicomWriter;
import lessismore.synth.DicomWriter.Syntax;
import lessismore.synth.DicomWriter.Tags;
import lessismore.synth.DicomWriter.VR;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reduce} end to end on bad input: each case gets a one-line reason in the manifest (or on
 * stderr), the run goes on where that makes sense, the exit code says what happened, and the input
 * is byte-for-byte unchanged afterwards.
 */
class ReduceBadInputTest {
    @TempDir
    Path tmp;
    Path in;
    Path out;

    record Run(int code, String stdout, String stderr) {
    }

    @BeforeEach
    void setUp() throws Exception {
        in = Files.createDirectories(tmp.resolve("input"));
        out = tmp.resolve("out");
    }

    static Run cli(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Run(code, o.toString(), e.toString());
    }

    /** manifest.csv as path -> {decision, reason}. */
    Map<String, String[]> manifest() throws Exception {
        Map<String, String[]> m = new HashMap<>();
        List<String> lines = Files.readAllLines(out.resolve("manifest.csv"));
        assertEquals("path,frame,volume,slice_index,position_mm,instance_number,signature,decision,reference_volume,"
                + "reference_slice,score,reason", lines.getFirst());
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", 12);
            String reason = f[11].startsWith("\"") ? f[11].substring(1, f[11].length() - 1).replace("\"\"", "\"") : f[11];
            m.put(f[0], new String[] {f[7], reason});
        }
        return m;
    }

    /** Copies a few real slices of one series into the input folder. */
    void copyRealSlices(String series, int count) throws Exception {
        Path src = TestData.sharedData().resolve("ct").resolve(series);
        Path dst = Files.createDirectories(in.resolve(series));
        try (var s = Files.list(src)) {
            for (Path p : s.sorted().filter(p -> !p.getFileName().toString().equals("DIRFILE")).limit(count).toList()) {
                Files.copy(p, dst.resolve(p.getFileName()));
            }
        }
    }

    @Test
    void emptyFolderIsNothingToDo() throws Exception {
        Run r = cli("reduce", in.toString(), "--out", out.toString(), "--quiet");
        assertEquals(ExitCodes.NOTHING_TO_DO, r.code(), r.stderr());
        assertTrue(r.stderr().contains("nothing to do"), r.stderr());
        assertTrue(Files.exists(out.resolve("summary.json")));
    }

    @Test
    void missingInputIsBadInput() {
        Run r = cli("reduce", tmp.resolve("nope").toString(), "--out", out.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.stderr().contains("does not exist"), r.stderr());
        assertFalse(Files.exists(out));
    }

    @Test
    void badFilesAreSkippedWithReasonsAndTheRestIsReduced() throws Exception {
        copyRealSlices("chest-phase00", 6);
        byte[] good = Files.readAllBytes(in.resolve("chest-phase00/00-slice000.dcm"));
        Path bad = Files.createDirectories(in.resolve("bad"));
        Files.write(bad.resolve("truncated.dcm"), Arrays.copyOf(good, good.length - 512 * 512 * 2 + 1200));
        byte[] lying = good.clone();
        // Implicit VR: the first element after the meta group gets a length far past the end.
        int metaLength = (good[132 + 8] & 0xFF) | (good[132 + 9] & 0xFF) << 8;
        int first = 132 + 12 + metaLength;
        lying[first + 4] = (byte) 0x00;
        lying[first + 5] = (byte) 0x00;
        lying[first + 6] = (byte) 0x00;
        lying[first + 7] = (byte) 0x40;
        Files.write(bad.resolve("lying-length.dcm"), lying);
        Files.writeString(bad.resolve("notes.txt"), "not a DICOM file\n");
        Files.copy(TestData.sharedData().resolve("ct/philips-phantom-a/DIRFILE"), bad.resolve("DIRFILE"));
        Files.createSymbolicLink(bad.resolve("broken-link.dcm"), tmp.resolve("missing.dcm"));
        new ProcessBuilder("mkfifo", bad.resolve("pipe.dcm").toString()).start().waitFor();
        Map<String, String> before = TestData.checksums(in);

        Run r = cli("reduce", in.toString(), "--out", out.toString(), "--quiet");
        assertEquals(ExitCodes.OK, r.code(), r.stderr());
        Map<String, String[]> m = manifest();
        assertEquals(12, m.size());
        assertReason(m, "bad/truncated.dcm", "truncated pixel data: expected 524288 bytes, found 1200");
        assertTrue(m.get("bad/lying-length.dcm")[1].startsWith("corrupt DICOM: element (0008,0008) declares 1073741824 bytes"),
                m.get("bad/lying-length.dcm")[1]);
        assertReason(m, "bad/notes.txt", "not a DICOM file: no DICM marker at offset 128 and no data set at its start");
        assertReason(m, "bad/DIRFILE", "not an image: DICOMDIR (media directory)");
        assertReason(m, "bad/broken-link.dcm", "broken symbolic link");
        assertReason(m, "bad/pipe.dcm", "not a regular file (device, pipe or socket)");
        long usable = m.values().stream().filter(v -> !v[0].equals("skipped")).count();
        assertEquals(6, usable);
        assertEquals(before, TestData.checksums(in), "input unchanged");
    }

    private static void assertReason(Map<String, String[]> m, String path, String reason) {
        assertEquals("skipped", m.get(path)[0], path);
        assertEquals(reason, m.get(path)[1], path);
    }

    @Test
    void mixedSizesInOneSeriesSkipTheOddOnes() throws Exception {
        Path s = Files.createDirectories(in.resolve("series"));
        for (int i = 0; i < 5; i++) {
            int size = i == 2 ? 32 : 64;
            short[] px = new short[size * size];
            for (int j = 0; j < px.length; j++) {
                px[j] = (short) ((j * 31 + i * 7) % 2000);
            }
            DicomWriter.builder()
                    .addString(Tags.SOP_CLASS_UID, VR.UI, DicomWriter.CT_IMAGE_STORAGE)
                    .addString(Tags.SOP_INSTANCE_UID, VR.UI, "1.2.826.0.1.3680043.10.99.7." + i)
                    .addString(Tags.SERIES_INSTANCE_UID, VR.UI, "1.2.826.0.1.3680043.10.99.7")
                    .addIS(Tags.INSTANCE_NUMBER, i + 1)
                    .addUS(Tags.SAMPLES_PER_PIXEL, 1).addUS(Tags.ROWS, size).addUS(Tags.COLUMNS, size)
                    .addUS(Tags.BITS_ALLOCATED, 16).addUS(Tags.BITS_STORED, 12).addUS(Tags.HIGH_BIT, 11)
                    .addUS(Tags.PIXEL_REPRESENTATION, 0).addPixelData(px)
                    .write(s.resolve("IM" + i + ".dcm"), Syntax.EXPLICIT_VR_LITTLE_ENDIAN, true);
        }
        Run r = cli("reduce", in.toString(), "--out", out.toString(), "--quiet", "--strategy", "all");
        assertEquals(ExitCodes.OK, r.code(), r.stderr());
        Map<String, String[]> m = manifest();
        assertReason(m, "series/IM2.dcm", "image size 32x32 differs from the rest of its series (64x64)");
        assertEquals("kept", m.get("series/IM0.dcm")[0]);
    }

    @Test
    void outputInsideInputIsRefused() throws Exception {
        copyRealSlices("ge-head-tilt", 2);
        Map<String, String> before = TestData.checksums(in);
        Run r = cli("reduce", in.toString(), "--out", in.resolve("reduced").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.stderr().contains("is inside the input"), r.stderr());
        assertEquals(before, TestData.checksums(in));
        Run r2 = cli("reduce", in.resolve("ge-head-tilt").toString(), "--out", in.toString(), "--overwrite");
        assertEquals(ExitCodes.BAD_INPUT, r2.code());
        assertTrue(r2.stderr().contains("is inside the output"), r2.stderr());
        assertEquals(before, TestData.checksums(in));
    }

    @Test
    void existingOutputNeedsOverwriteAndForeignFoldersAreNeverReplaced() throws Exception {
        copyRealSlices("ge-head-tilt", 3);
        assertEquals(ExitCodes.OK, cli("reduce", in.toString(), "--out", out.toString(), "--quiet").code());
        Run again = cli("reduce", in.toString(), "--out", out.toString(), "--quiet");
        assertEquals(ExitCodes.BAD_INPUT, again.code());
        assertTrue(again.stderr().contains("--overwrite"), again.stderr());
        assertEquals(ExitCodes.OK, cli("reduce", in.toString(), "--out", out.toString(), "--quiet", "--overwrite").code());

        Path foreign = Files.createDirectories(tmp.resolve("precious"));
        Files.writeString(foreign.resolve("thesis.tex"), "do not delete");
        Run r = cli("reduce", in.toString(), "--out", foreign.toString(), "--overwrite");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.stderr().contains("refusing to replace it"), r.stderr());
        assertEquals("do not delete", Files.readString(foreign.resolve("thesis.tex")));
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(ExitCodes.BAD_INPUT, cli("reduce", in.toString()).code());
        assertEquals(ExitCodes.BAD_INPUT, cli("reduce", in.toString(), "--out", "x", "--strategy", "magic").code());
        assertEquals(ExitCodes.BAD_INPUT, cli("reduce", in.toString(), "--out", "x", "--threshold", "65").code());
        assertEquals(ExitCodes.BAD_INPUT, cli("frobnicate").code());
    }
}
