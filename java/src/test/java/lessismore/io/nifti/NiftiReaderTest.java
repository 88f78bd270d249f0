package lessismore.io.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import lessismore.TestData;
import lessismore.io.SkipReason;
import lessismore.io.SkippedFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NiftiReader against nibabel (scripts/golden/make_nifti_golden.py): the three real CT volumes of
 * ../shared/data/nifti read in place, and nibabel-written fixtures covering NIfTI-2, big-endian,
 * every supported datatype, scaling, qform/pixdim-only, 4D and .hdr/.img pairs. Then hostile and
 * truncated headers, which must only ever end in a SkippedFileException.
 */
class NiftiReaderTest {
    private static final String[] FIXTURES = {
        "n1_int16_scaled.nii", "n1_be_int16_lps.nii.gz", "n2_float32_coronal.nii", "n2_be_float64_qform.nii.gz",
        "n1_qform_sagittal.nii.gz", "n1_uint8_pixdim.nii", "n1_int8.nii.gz", "n1_uint16_scaled.nii.gz",
        "n1_uint32.nii.gz", "n1_int32.nii", "n1_4d_int16.nii.gz", "pair_int16.hdr", "pair_int16.img",
        "n1_slope0.nii", "n1_oblique_sform.nii.gz", "n1_extension.nii",
    };

    // ---------------------------------------------------------------- golden files

    private static List<Map<String, String>> csv(String resource) throws IOException {
        try (InputStream s = NiftiReaderTest.class.getResourceAsStream(resource)) {
            if (s == null) {
                throw new IOException("missing test resource " + resource);
            }
            String[] lines = new String(s.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            String[] head = lines[0].split(",");
            List<Map<String, String>> rows = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                String[] f = lines[i].split(",", -1);
                Map<String, String> row = new LinkedHashMap<>();
                for (int c = 0; c < head.length; c++) {
                    row.put(head[c], f[c]);
                }
                rows.add(row);
            }
            return rows;
        }
    }

    private static Path copyFixtures(Path dir) throws IOException {
        for (String name : FIXTURES) {
            try (InputStream in = NiftiReaderTest.class.getResourceAsStream("/fixtures/nifti/" + name)) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }
        return dir;
    }

    private static int compareWithGolden(String set, Path dir) throws Exception {
        List<Map<String, String>> volumes = csv("/golden/nifti-" + set + "-volumes.csv");
        List<Map<String, String>> slices = csv("/golden/nifti-" + set + "-slices.csv");
        assertFalse(volumes.isEmpty());
        int compared = 0;
        for (Map<String, String> g : volumes) {
            String file = g.get("file");
            NiftiVolume v = NiftiReader.open(dir.resolve(file));
            String where = set + ":" + file;
            assertEquals(Integer.parseInt(g.get("version")), v.version(), where);
            assertEquals(g.get("endian").equals("big"), v.bigEndian(), where);
            assertEquals(g.get("dtype"), v.dataType().label(), where);
            assertArrayEquals(new int[] {Integer.parseInt(g.get("nx")), Integer.parseInt(g.get("ny")),
                Integer.parseInt(g.get("nz"))}, v.shape(), where);
            assertEquals(g.get("affine_source"), v.affineSource(), where);
            assertEquals(Integer.parseInt(g.get("slice_axis")), v.sliceAxis(), where);
            assertEquals(Boolean.parseBoolean(g.get("reversed")), v.reversed(), where);
            assertEquals(Integer.parseInt(g.get("width")), v.sliceWidth(), where);
            assertEquals(Integer.parseInt(g.get("height")), v.sliceHeight(), where);
            assertEquals(Integer.parseInt(g.get("slices")), v.sliceCount(), where);
            // nibabel derives the qform rotation in float32 arithmetic, the spec's reference in
            // float64: their directions differ by up to ~3e-4 for a stored float32 quaternion.
            boolean q = v.affineSource().equals("qform");
            double dirTol = q ? 1e-3 : 1e-9;
            double[] normal = v.sliceNormal();
            assertEquals(Double.parseDouble(g.get("normal_x")), normal[0], dirTol, where);
            assertEquals(Double.parseDouble(g.get("normal_y")), normal[1], dirTol, where);
            assertEquals(Double.parseDouble(g.get("normal_z")), normal[2], dirTol, where);

            float[] buf = new float[v.sliceWidth() * v.sliceHeight()];
            int k = 0;
            for (Map<String, String> s : slices) {
                if (!s.get("file").equals(file)) {
                    continue;
                }
                String at = where + " slice " + k;
                assertEquals(k, Integer.parseInt(s.get("slice")), at);
                assertEquals(Integer.parseInt(s.get("stored_index")), v.storedIndex(k), at);
                double[] pos = v.slicePosition(k);
                double posTol = q ? 0.01 : 1e-4;
                assertEquals(Double.parseDouble(s.get("pos_x")), pos[0], posTol, at);
                assertEquals(Double.parseDouble(s.get("pos_y")), pos[1], posTol, at);
                assertEquals(Double.parseDouble(s.get("pos_z")), pos[2], posTol, at);
                assertArrayEquals(normal, v.sliceNormal(k), at);

                v.readSlice(k, buf);
                double sum = 0;
                double sumAbs = 0;
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                ByteBuffer bytes = ByteBuffer.allocate(buf.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : buf) {
                    sum += f;
                    sumAbs += Math.abs(f);
                    min = Math.min(min, f);
                    max = Math.max(max, f);
                    bytes.putFloat(f);
                }
                double gs = Double.parseDouble(s.get("sum"));
                assertEquals(gs, sum, 1e-6 * Math.max(1.0, sumAbs), at + " sum");
                assertEquals((float) Double.parseDouble(s.get("min")), min, at + " min");
                assertEquals((float) Double.parseDouble(s.get("max")), max, at + " max");
                String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
                assertEquals(s.get("sha256"), sha, at + " float32 bytes");
                k++;
                compared++;
            }
            assertEquals(v.sliceCount(), k, where + ": golden slices");
        }
        return compared;
    }

    @Test
    void sharedCtVolumesEqualNibabel() throws Exception {
        Path dir = TestData.sharedData().resolve("nifti");
        int n = compareWithGolden("shared", dir);
        assertEquals(164 + 112 + 30, n);
    }

    @Test
    void fixturesEqualNibabel(@TempDir Path tmp) throws Exception {
        int n = compareWithGolden("fixtures", copyFixtures(tmp));
        assertTrue(n > 50, "compared " + n);
    }

    @Test
    void notesScalingAndPairs(@TempDir Path tmp) throws Exception {
        copyFixtures(tmp);
        NiftiVolume fourD = NiftiReader.open(tmp.resolve("n1_4d_int16.nii.gz"));
        assertTrue(fourD.notes().stream().anyMatch(s -> s.contains("only the first")), fourD.notes().toString());
        assertArrayEquals(new double[] {1, 0}, NiftiReader.open(tmp.resolve("n1_slope0.nii")).scaling());
        assertArrayEquals(new double[] {2.5, -1024}, NiftiReader.open(tmp.resolve("n1_int16_scaled.nii")).scaling());
        // Opening the .img of a pair finds its .hdr.
        NiftiVolume viaImg = NiftiReader.open(tmp.resolve("pair_int16.img"));
        NiftiVolume viaHdr = NiftiReader.open(tmp.resolve("pair_int16.hdr"));
        float[] a = new float[viaImg.sliceWidth() * viaImg.sliceHeight()];
        float[] b = new float[a.length];
        for (int k = 0; k < viaImg.sliceCount(); k++) {
            viaImg.readSlice(k, a);
            viaHdr.readSlice(k, b);
            assertArrayEquals(b, a);
        }
        // A pair header without its image.
        Files.delete(tmp.resolve("pair_int16.img"));
        assertSkipped(SkipReason.CORRUPT, tmp.resolve("pair_int16.hdr"));
        // Bounds of readSlice.
        NiftiVolume v = NiftiReader.open(tmp.resolve("n1_int8.nii.gz"));
        assertThrows(IndexOutOfBoundsException.class, () -> v.readSlice(v.sliceCount(), new float[100]));
        assertThrows(IllegalArgumentException.class, () -> v.readSlice(0, new float[1]));
    }

    @Test
    void memoryLimitRefusesBeforeReading(@TempDir Path tmp) throws Exception {
        copyFixtures(tmp);
        SkippedFileException e = assertThrows(SkippedFileException.class,
                () -> NiftiReader.open(tmp.resolve("n1_int16_scaled.nii"), 100));
        assertEquals(SkipReason.UNSUPPORTED, e.reason());
        assertTrue(e.getMessage().contains("limit"), e.getMessage());
    }

    // ---------------------------------------------------------------- hostile headers

    /** A minimal valid NIfTI-1 file: 4×3×2 int16, voxel value = index. */
    private static ByteBuffer nifti1(ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(352 + 24 * 2).order(order);
        b.putInt(0, 348);
        short[] dim = {3, 4, 3, 2, 1, 1, 1, 1};
        for (int i = 0; i < 8; i++) {
            b.putShort(40 + 2 * i, dim[i]);
            b.putFloat(76 + 4 * i, 1f);
        }
        b.putShort(70, (short) 4);
        b.putShort(72, (short) 16);
        b.putFloat(108, 352f);
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1');
        for (int i = 0; i < 24; i++) {
            b.putShort(352 + 2 * i, (short) (i - 5));
        }
        return b;
    }

    /** A minimal valid NIfTI-2 file: 4×3×2 int16. */
    private static ByteBuffer nifti2(ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(544 + 24 * 2).order(order);
        b.putInt(0, 540);
        byte[] magic = {'n', '+', '2', 0, '\r', '\n', 0x1a, '\n'};
        b.put(4, magic);
        b.putShort(12, (short) 4);
        b.putShort(14, (short) 16);
        long[] dim = {3, 4, 3, 2, 1, 1, 1, 1};
        for (int i = 0; i < 8; i++) {
            b.putLong(16 + 8 * i, dim[i]);
            b.putDouble(104 + 8 * i, 1.0);
        }
        b.putLong(168, 544);
        for (int i = 0; i < 24; i++) {
            b.putShort(544 + 2 * i, (short) (i - 5));
        }
        return b;
    }

    private static Path write(Path dir, String name, byte[] data) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, data);
        return p;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static SkippedFileException assertSkipped(SkipReason reason, Path p) {
        SkippedFileException e = assertThrows(SkippedFileException.class, () -> NiftiReader.open(p));
        assertEquals(reason, e.reason(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    @Test
    void handWrittenHeadersInBothOrdersAndVersions(@TempDir Path tmp) throws Exception {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            for (ByteBuffer b : new ByteBuffer[] {nifti1(order), nifti2(order)}) {
                for (boolean gz : new boolean[] {false, true}) {
                    Path p = write(tmp, "v.nii" + (gz ? ".gz" : ""), gz ? gzip(b.array()) : b.array());
                    NiftiVolume v = NiftiReader.open(p);
                    assertEquals(order == ByteOrder.BIG_ENDIAN, v.bigEndian());
                    assertEquals("pixdim", v.affineSource());
                    assertEquals(2, v.sliceCount());
                    float[] out = new float[12];
                    v.readSlice(1, out);
                    for (int i = 0; i < 12; i++) {
                        assertEquals(12 + i - 5, out[i], 0f);
                    }
                }
            }
        }
    }

    @Test
    void hostileHeadersAreSkippedWithOneReason(@TempDir Path tmp) throws Exception {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        ByteBuffer b;

        b = nifti1(le);
        b.putShort(42, (short) -4);
        assertSkipped(SkipReason.CORRUPT, write(tmp, "negdim.nii", b.array()));

        b = nifti1(le);
        b.putShort(40, (short) 9);
        assertSkipped(SkipReason.CORRUPT, write(tmp, "dim0.nii", b.array()));

        b = nifti2(le);
        b.putLong(24, 1L << 40).putLong(32, 1L << 20).putLong(40, 1L << 20);
        assertSkipped(SkipReason.UNSUPPORTED, write(tmp, "huge2.nii", b.array()));
        b.putLong(24, 1L << 30).putLong(32, 1L << 30).putLong(40, 1L << 30);
        SkippedFileException e = assertThrows(SkippedFileException.class,
                () -> NiftiReader.open(write(tmp, "overflow2.nii", nifti2Overflow())));
        assertEquals(SkipReason.CORRUPT, e.reason(), e.getMessage());

        b = nifti1(le);
        b.putFloat(108, 1e9f);
        assertTrue(assertSkipped(SkipReason.CORRUPT, write(tmp, "offset.nii", b.array())).getMessage().contains("past the end"));
        assertSkipped(SkipReason.CORRUPT, write(tmp, "offset.nii.gz", gzip(b.array())));
        b.putFloat(108, Float.NaN);
        assertSkipped(SkipReason.CORRUPT, write(tmp, "offsetnan.nii", b.array()));
        b.putFloat(108, -16f);
        assertSkipped(SkipReason.CORRUPT, write(tmp, "offsetneg.nii", b.array()));

        b = nifti1(le);
        b.putShort(70, (short) 128);
        assertTrue(assertSkipped(SkipReason.UNSUPPORTED, write(tmp, "rgb.nii", b.array())).getMessage().contains("RGB24"));
        b.putShort(70, (short) 32);
        assertTrue(assertSkipped(SkipReason.UNSUPPORTED, write(tmp, "cplx.nii", b.array())).getMessage().contains("complex"));

        b = nifti1(le);
        b.put(344, (byte) 0).put(345, (byte) 0).put(346, (byte) 0);
        assertTrue(assertSkipped(SkipReason.UNSUPPORTED, write(tmp, "analyze.nii", b.array())).getMessage().contains("Analyze"));

        b = nifti1(le);
        b.putInt(0, 1234);
        assertSkipped(SkipReason.CORRUPT, write(tmp, "sizeof.nii", b.array()));
        assertSkipped(SkipReason.CORRUPT, write(tmp, "empty.nii", new byte[0]));
        assertSkipped(SkipReason.CORRUPT, write(tmp, "text.nii", "hello, world\n".getBytes(StandardCharsets.US_ASCII)));

        byte[] whole = nifti1(le).array();
        assertSkipped(SkipReason.CORRUPT, write(tmp, "shorthead.nii", java.util.Arrays.copyOf(whole, 200)));
        assertTrue(assertSkipped(SkipReason.CORRUPT, write(tmp, "shortdata.nii", java.util.Arrays.copyOf(whole, 380)))
                .getMessage().contains("truncated"));
        byte[] gz = gzip(whole);
        assertSkipped(SkipReason.CORRUPT, write(tmp, "shortgz.nii.gz", java.util.Arrays.copyOf(gz, gz.length / 2)));
        byte[] gzData = gzip(java.util.Arrays.copyOf(whole, 380));
        assertSkipped(SkipReason.CORRUPT, write(tmp, "shortdata.nii.gz", gzData));

        // A tiny gzip file whose header claims hundreds of megabytes.
        b = nifti1(le);
        b.putShort(42, (short) 512).putShort(44, (short) 512).putShort(46, (short) 1000);
        assertSkipped(SkipReason.CORRUPT, write(tmp, "claims.nii.gz", gzip(b.array())));

        // Slope set, intercept NaN.
        b = nifti1(le);
        b.putFloat(112, 2f).putFloat(116, Float.NaN);
        assertSkipped(SkipReason.CORRUPT, write(tmp, "inter.nii", b.array()));

        assertSkipped(SkipReason.UNREADABLE, tmp.resolve("does-not-exist.nii"));
        assertSkipped(SkipReason.UNREADABLE, tmp);
    }

    private static byte[] nifti2Overflow() {
        ByteBuffer b = nifti2(ByteOrder.LITTLE_ENDIAN);
        b.putLong(24, Integer.MAX_VALUE - 9L).putLong(32, Integer.MAX_VALUE - 9L).putLong(40, Integer.MAX_VALUE - 9L);
        b.putShort(12, (short) 64);
        return b.array();
    }

    /** Random byte changes and truncations of real files: a volume or a SkippedFileException, nothing else. */
    @Test
    void randomCorruptionOnlyEverSkips(@TempDir Path tmp) throws Exception {
        copyFixtures(tmp);
        Random rnd = new Random(42);
        List<byte[]> sources = new ArrayList<>();
        for (String name : FIXTURES) {
            byte[] data = Files.readAllBytes(tmp.resolve(name));
            if (name.endsWith(".gz")) {
                sources.add(data);
                try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(data))) {
                    sources.add(in.readAllBytes());
                }
            } else if (!name.endsWith(".img") && !name.endsWith(".hdr")) {
                sources.add(data);
            }
        }
        sources.add(nifti1(ByteOrder.BIG_ENDIAN).array());
        sources.add(nifti2(ByteOrder.LITTLE_ENDIAN).array());
        int opened = 0;
        int skipped = 0;
        for (int iter = 0; iter < 3000; iter++) {
            byte[] src = sources.get(rnd.nextInt(sources.size()));
            byte[] data = src.clone();
            int mode = rnd.nextInt(4);
            if (mode == 0) {
                data = java.util.Arrays.copyOf(data, rnd.nextInt(data.length));
            } else {
                int flips = 1 + rnd.nextInt(8);
                for (int f = 0; f < flips; f++) {
                    // Mostly the header, where the lengths are.
                    int at = mode == 3 ? rnd.nextInt(data.length) : rnd.nextInt(Math.min(data.length, 560));
                    data[at] = rnd.nextInt(3) == 0 ? (byte) 0xFF : (byte) rnd.nextInt(256);
                }
            }
            boolean gz = rnd.nextInt(3) == 0;
            Path p = write(tmp, "fuzz.nii" + (gz ? ".gz" : ""), gz ? gzip(data) : data);
            try {
                NiftiVolume v = NiftiReader.open(p, 64L << 20);
                float[] buf = new float[v.sliceWidth() * v.sliceHeight()];
                for (int k = 0; k < v.sliceCount(); k++) {
                    v.readSlice(k, buf);
                    v.slicePosition(k);
                }
                opened++;
            } catch (SkippedFileException e) {
                assertFalse(e.getMessage().isBlank());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                skipped++;
            } catch (Throwable t) {
                fail("iteration " + iter + ": " + t, t);
            }
        }
        assertTrue(opened > 100 && skipped > 100, "opened " + opened + ", skipped " + skipped);
    }
}
