package lessismore.io.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link JpegCodec} against the fixtures of {@code scripts/fixtures/make_jpeg_fixtures.sh}: crops
 * of the real CT series encoded by dcmtk (and by that script's small encoder for what dcmcjpeg
 * cannot make: restart intervals, Huffman codes over 9 bits, 4:2:0, separate scans per component,
 * lossless precisions 2, 6 and 12), with dcmtk's dcmdjpeg as the oracle for every fixture.
 *
 * <p>Measured agreement with dcmdjpeg: lossless fixtures are bit-exact; lossy fixtures
 * (baseline, extended 8 and 12 bits, the islow IDCT) are bit-exact too (max abs difference 0) for
 * every component, subsampled chroma included: the codec interpolates 4:2:2 and 4:2:0 chroma with
 * libjpeg's "fancy" upsampling, as dcmtk does.
 *
 * <p>Timing: {@link #main} (see there). Measured on the shared 2-core development container
 * (Temurin 25, best batch): 512×512 lossless SV1 slices, chest 12-bit 1.74–1.82 ms (≈ 290–300 MB/s
 * of decoded 16-bit samples), GE head 16-bit signed 1.9–2.0 ms (≈ 265–275 MB/s); the chest slice
 * as 12-bit extended sequential DCT 3.2 ms (≈ 165 MB/s); full 512×512 decodes were also bit-exact
 * against the source (lossless) and dcmdjpeg (12-bit DCT).
 */
class JpegCodecTest {
    private static final JpegCodec CODEC = new JpegCodec();

    /** One fixture: the stream, its description, the expected samples. */
    record Fixture(String name, Properties p, byte[] stream, short[] expected) {
        FrameInfo info() {
            return new FrameInfo(i("rows"), i("columns"), i("samples"), i("bitsAllocated"), i("bitsStored"),
                    Boolean.parseBoolean(p.getProperty("signed")));
        }

        int i(String key) {
            return Integer.parseInt(p.getProperty(key).trim());
        }

        boolean lossless() {
            return "source".equals(p.getProperty("oracle"));
        }

        short[] decode() throws CodecException {
            short[] out = new short[info().sampleCount()];
            CODEC.decode(stream, 0, stream.length, info(), out);
            return out;
        }
    }

    static Path fixtureDir() {
        try {
            return Paths.get(JpegCodecTest.class.getResource("/fixtures/jpeg").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Fixture> fixtures(Path dir) throws IOException {
        List<Fixture> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path props : s.filter(f -> f.toString().endsWith(".properties")).sorted().toList()) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(props)) {
                    p.load(r);
                }
                byte[] stream = Files.readAllBytes(dir.resolve(p.getProperty("stream")));
                byte[] raw = Files.readAllBytes(dir.resolve(p.getProperty("expected")));
                short[] expected = new short[raw.length / 2];
                ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(expected);
                String name = props.getFileName().toString().replace(".properties", "");
                out.add(new Fixture(name, p, stream, expected));
            }
        }
        return out;
    }

    static Fixture fixture(String name) throws IOException {
        return fixtures(fixtureDir()).stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void everyProcessAndDepthIsCovered() throws IOException {
        List<Fixture> all = fixtures(fixtureDir());
        assertTrue(all.size() >= 25, "fixtures missing: run scripts/fixtures/make_jpeg_fixtures.sh");
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (Fixture f : all) {
            seen.add(f.p().getProperty("sof") + "/P" + f.p().getProperty("precision"));
            if ("C3".equals(f.p().getProperty("sof"))) {
                seen.add("predictor" + f.p().getProperty("predictor"));
            }
        }
        for (String want : List.of("C0/P8", "C1/P8", "C1/P12", "C3/P2", "C3/P6", "C3/P8", "C3/P12", "C3/P16",
                "predictor1", "predictor2", "predictor3", "predictor4", "predictor5", "predictor6", "predictor7")) {
            assertTrue(seen.contains(want), want + " not covered by the fixtures: " + seen);
        }
    }

    @TestFactory
    Stream<DynamicTest> decodesEveryFixtureLikeDcmtk() throws IOException {
        return fixtures(fixtureDir()).stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> check(f)));
    }

    private static void check(Fixture f) throws CodecException {
        short[] got = f.decode();
        assertEquals(f.expected().length, got.length, "sample count");
        if (f.lossless()) {
            assertArrayEquals(f.expected(), got, f.name() + ": lossless decode differs from the source");
            return;
        }
        int spp = f.i("samples");
        for (int c = 0; c < spp; c++) {
            int d = maxAbsDiff(f.expected(), got, spp, c);
            System.out.printf(Locale.ROOT, "%s component %d: max abs diff to dcmdjpeg %d%n", f.name(), c, d);
            assertEquals(0, d, f.name() + " component " + c + ": max abs difference to dcmdjpeg");
        }
    }

    static int maxAbsDiff(short[] a, short[] b, int spp, int c) {
        int max = 0;
        for (int i = c; i < a.length; i += spp) {
            max = Math.max(max, Math.abs((a[i] & 0xFFFF) - (b[i] & 0xFFFF)));
        }
        return max;
    }

    // ---------------------------------------------------------------------------------------------
    // Damaged data: only CodecException, never a read outside [off, off + len).

    private static final List<String> ROBUSTNESS = List.of("lossless_sv1_head16s", "lossless_rst_rgb8",
            "lossless_sv1_jump16s", "baseline_rst_420_rgb8", "baseline_422_rgb8", "extended12_rst_chest12",
            "baseline_chest8");

    @Test
    void truncationsOnlyEverThrowCodecException() throws Exception {
        for (String name : ROBUSTNESS) {
            Fixture f = fixture(name);
            short[] full = f.decode();
            int n = f.stream().length;
            int sos = indexOf(f.stream(), 0xDA);
            int scanStart = sos + 2 + ((f.stream()[sos + 2] & 0xFF) << 8 | (f.stream()[sos + 3] & 0xFF));
            int scanEnd = lastIndexOf(f.stream(), 0xD9); // EOI
            while ((f.stream()[scanEnd - 1] & 0xFF) == 0xFF) {
                scanEnd--; // fill bytes before the marker are not scan data
            }
            int step = Math.max(1, n / 400);
            for (int cut = 0; cut < n; cut += cut > n - 40 ? 1 : step) {
                // The bytes after the cut stay in the array: reading them would decode the frame.
                short[] out = new short[f.info().sampleCount()];
                try {
                    CODEC.decode(f.stream(), 0, cut, f.info(), out);
                    assertTrue(cut >= scanEnd, name + ": decoded although cut at " + cut + " inside the scan");
                    assertArrayEquals(full, out, name + ": cut at " + cut);
                } catch (CodecException e) {
                    assertTrue(e.getMessage().startsWith("JPEG: "), e.getMessage());
                    if (cut > scanStart + 8 && cut < scanEnd - 1) {
                        assertTrue(e.getMessage().matches("JPEG: data ends inside the scan after \\d+ of \\d+ rows"),
                                name + " cut at " + cut + ": " + e.getMessage());
                    }
                } catch (Throwable t) {
                    fail(name + ": cut at " + cut + " threw " + t, t);
                }
            }
        }
    }

    @Test
    void frameInsideALargerBufferIsReadOnlyWithinItsBounds() throws Exception {
        for (String name : ROBUSTNESS) {
            Fixture f = fixture(name);
            byte[] s = f.stream();
            byte[] big = new byte[s.length + 300];
            Arrays.fill(big, (byte) 0xFF);
            System.arraycopy(s, 0, big, 100, s.length);
            short[] out = new short[f.info().sampleCount()];
            CODEC.decode(big, 100, s.length, f.info(), out);
            assertArrayEquals(f.decode(), out, name);
        }
    }

    @Test
    void randomCorruptionsOnlyEverThrowCodecException() throws Exception {
        SplittableRandom rnd = new SplittableRandom(20240611);
        int trials = 0;
        int refused = 0;
        for (String name : ROBUSTNESS) {
            Fixture f = fixture(name);
            short[] out = new short[f.info().sampleCount()];
            for (int t = 0; t < 500; t++, trials++) {
                byte[] b = f.stream().clone();
                int flips = 1 + rnd.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    // Half of the damage in the headers (first 700 bytes), where it hurts most.
                    int at = rnd.nextBoolean() ? rnd.nextInt(Math.min(700, b.length)) : rnd.nextInt(b.length);
                    b[at] = rnd.nextInt(4) == 0 ? (byte) 0xFF : (byte) rnd.nextInt(256);
                }
                try {
                    CODEC.decode(b, 0, b.length, f.info(), out);
                } catch (CodecException e) {
                    refused++;
                    assertTrue(e.getMessage().startsWith("JPEG: ") && !e.getMessage().contains("internal"),
                            name + ": " + e.getMessage());
                } catch (Throwable e) {
                    fail(name + " trial " + t + " threw " + e, e);
                }
            }
        }
        assertTrue(refused > trials / 10, "suspiciously few corruptions detected: " + refused + " of " + trials);
    }

    // ---------------------------------------------------------------------------------------------
    // Refusals with a clear message.

    private static String refusal(byte[] stream, FrameInfo info) {
        CodecException e = assertThrows(CodecException.class,
                () -> CODEC.decode(stream, 0, stream.length, info, new short[info.sampleCount()]));
        return e.getMessage();
    }

    private static byte[] withMarker(byte[] s, int from, int to) {
        byte[] b = s.clone();
        int i = indexOf(b, from);
        b[i + 1] = (byte) to;
        return b;
    }

    @Test
    void unsupportedProcessesAreRefusedByName() throws Exception {
        Fixture f = fixture("baseline_chest8");
        FrameInfo info = f.info();
        assertEquals("JPEG: progressive DCT (SOF2) is not supported", refusal(withMarker(f.stream(), 0xC0, 0xC2), info));
        assertEquals("JPEG: arithmetic coding (SOF9) is not supported", refusal(withMarker(f.stream(), 0xC0, 0xC9), info));
        assertEquals("JPEG: arithmetic coding (SOF10) is not supported", refusal(withMarker(f.stream(), 0xC0, 0xCA), info));
        assertEquals("JPEG: hierarchical (differential, SOF5) is not supported",
                refusal(withMarker(f.stream(), 0xC0, 0xC5), info));
        assertEquals("JPEG: hierarchical arithmetic coding (SOF13) is not supported",
                refusal(withMarker(f.stream(), 0xC0, 0xCD), info));
        // a DHP segment (hierarchical progression) right after SOI
        byte[] dhp = new byte[f.stream().length + 4];
        System.arraycopy(f.stream(), 0, dhp, 0, 2);
        dhp[2] = (byte) 0xFF;
        dhp[3] = (byte) 0xDE;
        dhp[4] = 0;
        dhp[5] = 2;
        System.arraycopy(f.stream(), 2, dhp, 6, f.stream().length - 2);
        assertEquals("JPEG: hierarchical JPEG (DHP marker) is not supported", refusal(Arrays.copyOf(dhp, dhp.length - 2), info));
        // JPEG-LS and JPEG 2000 are other codecs
        assertEquals("JPEG: this is a JPEG-LS stream (0xFFF7), not JPEG", refusal(withMarker(f.stream(), 0xC0, 0xF7), info));
        byte[] j2k = {(byte) 0xFF, 0x4F, (byte) 0xFF, 0x51, 0, 0};
        assertEquals("JPEG: not a JPEG stream (no SOI marker at the start, it starts 0xFF4F)", refusal(j2k, info));
    }

    @Test
    void losslessRestartIntervalsInsideLinesAreRefusedLikeDcmtk() throws Exception {
        Fixture f = fixture("lossless_rst_rgb8"); // 69 columns, restart every line
        byte[] s = f.stream().clone();
        int dri = indexOf(s, 0xDD);
        assertEquals(69, (s[dri + 4] & 0xFF) << 8 | (s[dri + 5] & 0xFF));
        s[dri + 5] = 50;
        assertEquals("JPEG: lossless restart interval 50 is not a multiple of the line length 69", refusal(s, f.info()));
        s[dri + 5] = (byte) 138; // every two lines: valid, but the stream has RST markers every line
        assertEquals("JPEG: scan interrupted by marker 0xFFD0 after 1 of 45 rows", refusal(s, f.info()));
    }

    @Test
    void headerMismatchesAreRefusedWithBothValues() throws Exception {
        Fixture f = fixture("baseline_chest8"); // 91 columns x 67 rows, 8 bits
        assertEquals("JPEG: frame is 91x67 but the DICOM header says 512x512",
                refusal(f.stream(), new FrameInfo(512, 512, 1, 8, 8, false)));
        assertEquals("JPEG: frame has 1 component but the DICOM header says SamplesPerPixel 3",
                refusal(f.stream(), new FrameInfo(67, 91, 3, 8, 8, false)));
        Fixture x = fixture("extended12_chest12");
        assertEquals("JPEG: sample precision is 12 bits but the DICOM header says BitsAllocated 8",
                refusal(x.stream(), new FrameInfo(128, 128, 1, 8, 8, false)));
        assertEquals("JPEG: sample precision is 12 bits but the DICOM header says BitsStored 16 (signed)",
                refusal(x.stream(), new FrameInfo(128, 128, 1, 16, 16, true)));
    }

    @Test
    void truncatedAndTableLessStreamsAreRefusedClearly() throws Exception {
        Fixture f = fixture("lossless_sv1_head16s");
        byte[] half = Arrays.copyOf(f.stream(), f.stream().length / 2);
        String m = refusal(half, f.info());
        assertTrue(m.matches("JPEG: data ends inside the scan after \\d+ of 128 rows"), m);
        int rows = Integer.parseInt(m.replaceAll(".*after (\\d+) of.*", "$1"));
        assertTrue(rows > 40 && rows < 90, m);

        // Drop the DHT segment: the scan uses a table never defined.
        byte[] s = f.stream();
        int dht = indexOf(s, 0xC4);
        int len = (s[dht + 2] & 0xFF) << 8 | (s[dht + 3] & 0xFF);
        byte[] noTable = new byte[s.length - 2 - len];
        System.arraycopy(s, 0, noTable, 0, dht);
        System.arraycopy(s, dht + 2 + len, noTable, dht, s.length - dht - 2 - len);
        assertEquals("JPEG: Huffman table DC0 used but not defined", refusal(noTable, f.info()));

        Fixture b = fixture("baseline_chest8");
        s = b.stream();
        int dqt = indexOf(s, 0xDB);
        len = (s[dqt + 2] & 0xFF) << 8 | (s[dqt + 3] & 0xFF);
        byte[] noQuant = new byte[s.length - 2 - len];
        System.arraycopy(s, 0, noQuant, 0, dqt);
        System.arraycopy(s, dqt + 2 + len, noQuant, dqt, s.length - dqt - 2 - len);
        assertEquals("JPEG: quantization table 0 used but not defined", refusal(noQuant, b.info()));

        assertEquals("JPEG: data ends before the first scan",
                refusal(Arrays.copyOf(s, indexOf(s, 0xDA)), b.info()));
        assertTrue(refusal(new byte[0], b.info()).startsWith("JPEG: not a JPEG stream"));
    }

    @Test
    void badArgumentsAreCodecExceptions() throws Exception {
        Fixture f = fixture("baseline_chest8");
        assertThrows(CodecException.class, () -> CODEC.decode(f.stream(), 10, f.stream().length, f.info(),
                new short[f.info().sampleCount()]));
        assertThrows(CodecException.class, () -> CODEC.decode(f.stream(), 0, f.stream().length, f.info(), new short[10]));
        assertThrows(CodecException.class, () -> CODEC.decode(f.stream(), 0, f.stream().length,
                new FrameInfo(67, 91, 1, 12, 12, false), new short[91 * 67]));
    }

    /** Index of the first marker 0xFF code in {@code b} (outside entropy data: headers only). */
    static int indexOf(byte[] b, int code) {
        for (int i = 0; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == code) {
                return i;
            }
        }
        throw new AssertionError("marker " + Integer.toHexString(code) + " not found");
    }

    static int lastIndexOf(byte[] b, int code) {
        for (int i = b.length - 2; i >= 0; i--) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == code) {
                return i;
            }
        }
        throw new AssertionError("marker " + Integer.toHexString(code) + " not found");
    }

    /**
     * Decode timing (not a test): {@code java -cp target/classes:target/test-classes
     * lessismore.io.codec.JpegCodecTest [DIR]} decodes every fixture in DIR (default: the
     * committed fixtures; {@code scripts/fixtures/make_jpeg_fixtures.sh --bench} writes full
     * 512×512 lossless slices to /tmp/lessismore-jpeg-bench) for about two seconds each and prints
     * MB/s of decoded samples (2 bytes each, as short[]), best batch of ten.
     */
    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Paths.get(args[0]) : fixtureDir();
        for (Fixture f : fixtures(dir)) {
            short[] out = new short[f.info().sampleCount()];
            for (int i = 0; i < 200; i++) { // warm-up
                CODEC.decode(f.stream(), 0, f.stream().length, f.info(), out);
            }
            // Best of many batches of 10: the machine may be shared, the minimum is the codec's speed.
            long t0 = System.nanoTime();
            double s = Double.MAX_VALUE;
            while (System.nanoTime() - t0 < 2_000_000_000L) {
                long b0 = System.nanoTime();
                for (int i = 0; i < 10; i++) {
                    CODEC.decode(f.stream(), 0, f.stream().length, f.info(), out);
                }
                s = Math.min(s, (System.nanoTime() - b0) / 1e9 / 10);
            }
            String same = Arrays.equals(out, f.expected()) ? "= expected" : "!= expected";
            System.out.printf(Locale.ROOT, "%-34s %4dx%-4d x%d  %8.3f ms  %7.1f MB/s decoded  %6.1f MB/s compressed  %s%n",
                    f.name(), f.i("columns"), f.i("rows"), f.i("samples"), s * 1e3, out.length * 2 / s / 1e6,
                    f.stream().length / s / 1e6, same);
        }
    }
}
