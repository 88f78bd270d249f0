package lessismore.io.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JPEG-LS decoder against dcmtk: fixtures made by {@code scripts/fixtures/make_jpegls_fixtures.sh}
 * (dcmcjpls codestreams of real CT crops; expected samples are the source for lossless, dcmtk's own
 * decode for near-lossless), damaged input, unsupported features, and what dcmcjpls cannot write
 * (precision 2–5, restart markers, MAXVAL below 2^P − 1) through a small test encoder that first
 * proves itself by reproducing dcmtk's scans byte for byte.
 */
class JpegLsCodecTest {
    private static final FrameCodec CODEC = new JpegLsCodec();

    // ---- fixtures --------------------------------------------------------------------------------

    /**
     * One fixture: codestream, geometry, expected samples (null for the CRC-only full slice) and,
     * where stored, the uncompressed source.
     */
    record Fixture(String name, byte[] stream, FrameInfo info, int near, String options, short[] expected,
                   long crc32, short[] source) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Path fixtureDir() {
        try {
            return Path.of(JpegLsCodecTest.class.getResource("/fixtures/jpegls").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Fixture> fixtures() throws IOException {
        List<Fixture> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(fixtureDir())) {
            for (Path p : s.filter(f -> f.toString().endsWith(".properties")).sorted().toList()) {
                out.add(load(p));
            }
        }
        assertTrue(out.size() >= 15, "fixtures missing: " + out.size());
        return out;
    }

    private static Fixture fixture(String name) throws IOException {
        return load(fixtureDir().resolve(name + ".properties"));
    }

    private static Fixture load(Path props) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(props)) {
            p.load(in);
        }
        String name = props.getFileName().toString().replace(".properties", "");
        FrameInfo info = new FrameInfo(Integer.parseInt(p.getProperty("rows")),
                                       Integer.parseInt(p.getProperty("columns")),
                                       Integer.parseInt(p.getProperty("samples")),
                                       Integer.parseInt(p.getProperty("bitsAllocated")),
                                       Integer.parseInt(p.getProperty("bitsStored")),
                                       Boolean.parseBoolean(p.getProperty("signed")));
        byte[] stream = Files.readAllBytes(props.resolveSibling(p.getProperty("codestream")));
        short[] expected = p.getProperty("expected") != null ? samples(props, p.getProperty("expected")) : null;
        long crc = expected == null ? Long.parseLong(p.getProperty("expectedCrc32"), 16) : -1;
        short[] source = p.getProperty("source") != null ? samples(props, p.getProperty("source")) : null;
        for (short[] v : new short[][] {expected, source}) {
            assertTrue(v == null || v.length == info.sampleCount(), name);
        }
        return new Fixture(name, stream, info, Integer.parseInt(p.getProperty("near")),
                           p.getProperty("dcmcjpls"), expected, crc, source);
    }

    private static short[] samples(Path props, String file) throws IOException {
        byte[] raw = Files.readAllBytes(props.resolveSibling(file));
        short[] v = new short[raw.length / 2];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(v);
        return v;
    }

    private static short[] decode(byte[] data, FrameInfo info) throws CodecException {
        short[] out = new short[info.sampleCount()];
        CODEC.decode(data, 0, data.length, info, out);
        return out;
    }

    private static long crc(short[] samples) {
        ByteBuffer bb = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        bb.asShortBuffer().put(samples);
        CRC32 crc = new CRC32();
        crc.update(bb.array());
        return crc.getValue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyFixtureDecodesExactly(Fixture f) throws CodecException {
        short[] got = decode(f.stream(), f.info());
        if (f.expected() != null) {
            assertArrayEquals(f.expected(), got, f.name() + " (" + f.options() + ")");
        } else {
            assertEquals(f.crc32(), crc(got), f.name());
        }
    }

    @Test
    void fixturesCoverWhatTheyClaim() throws IOException {
        // The modes the fixtures are meant to exercise really are in the codestreams.
        assertEquals(16, fixture("ct12_lossless").stream()[6]);
        assertEquals(12, fixture("ct12_lossless_cooked").stream()[6]);
        assertEquals(6, fixture("p6_lossless_cooked").stream()[6]);
        assertTrue(indexOf(fixture("ct12_custom").stream(), new byte[] {(byte) 0xFF, (byte) 0xF8}) > 0);
        assertEquals(5, scanHeaders(fixture("ct12_near5_cooked").stream()).get(0)[1]); // NEAR
        assertEquals(1, scanHeaders(fixture("rgb_line").stream()).get(0)[2]); // ILV
        assertEquals(2, scanHeaders(fixture("rgb_sample").stream()).get(0)[2]);
        assertEquals(3, scanHeaders(fixture("rgb_none").stream()).size());
    }

    @Test
    void decodesWithinALargerBufferAndNeverPastLen() throws Exception {
        Fixture f = fixture("ct12_near2");
        byte[] big = new byte[f.stream().length + 200];
        Arrays.fill(big, (byte) 0xFF);
        System.arraycopy(f.stream(), 0, big, 100, f.stream().length);
        short[] out = new short[f.info().sampleCount()];
        CODEC.decode(big, 100, f.stream().length, f.info(), out);
        assertArrayEquals(f.expected(), out);

        // The same bytes follow in the array, but len says the frame stops earlier: it must fail.
        byte[] whole = f.stream();
        for (int cut : new int[] {whole.length / 3, whole.length / 2, whole.length - 40}) {
            CodecException e = assertThrows(CodecException.class,
                                            () -> CODEC.decode(whole, 0, cut, f.info(), new short[f.info().sampleCount()]));
            assertTrue(e.getMessage().matches("JPEG-LS: data ends in line \\d+ of 128"), e.getMessage());
        }
    }

    // ---- damaged data --------------------------------------------------------------------------

    private static final Pattern DATA_ENDS = Pattern.compile("JPEG-LS: data ends in line (\\d+) of (\\d+)");

    @Test
    void truncationsOnlyEverThrowCodecException() throws Exception {
        int trials = 0;
        for (String name : new String[] {"ct12_lossless", "ct16u_near3", "rgb_sample_near2", "rgb_none", "rgb_line"}) {
            Fixture f = fixture(name);
            byte[] s = f.stream();
            int scanStart = lastScanHeaderEnd(s);
            int lastLine = 0;
            for (int cut = 0; cut < s.length; cut += cut < 64 ? 1 : Math.max(1, s.length / 300)) {
                trials++;
                try {
                    short[] out = new short[f.info().sampleCount()];
                    CODEC.decode(s, 0, cut, f.info(), out);
                    // Only the end (EOI, padding) may be cut without harm.
                    assertTrue(cut >= s.length - 4, name + ": decoded although cut at " + cut + " of " + s.length);
                } catch (CodecException e) {
                    String m = e.getMessage();
                    assertTrue(m.startsWith("JPEG-LS: ") && !m.contains("internal"), m);
                    if (cut > scanStart + 8 && cut < s.length - 8 && !f.options().contains("+in")) {
                        var mm = DATA_ENDS.matcher(m);
                        assertTrue(mm.matches(), name + " cut at " + cut + ": " + m);
                        int lineNo = Integer.parseInt(mm.group(1));
                        assertEquals(f.info().rows(), Integer.parseInt(mm.group(2)));
                        assertTrue(lineNo >= lastLine, "line numbers grow with the cut");
                        lastLine = lineNo;
                    }
                }
            }
        }
        assertTrue(trials > 1000, "trials " + trials);
    }

    /** A stream to damage: a fixture, or one of the test encoder's (restart markers, P=2, …). */
    private record Victim(String name, byte[] stream, FrameInfo info) {
    }

    private static List<Victim> victims() throws IOException {
        List<Victim> v = new ArrayList<>();
        for (Fixture f : fixtures()) {
            if (f.expected() != null) {
                v.add(new Victim(f.name(), f.stream(), f.info()));
            }
        }
        int[] grey = image(10, 1);
        int[] rgb = image(8, 3);
        v.add(new Victim("restart7", new Encoder(10, 128, 128, 1).restart(7).encode(grey),
                         new FrameInfo(128, 128, 1, 16, 10, false)));
        v.add(new Victim("restart5-near2-sample", new Encoder(8, 128, 128, 3).interleave(2).restart(5).near(2).encode(rgb),
                         new FrameInfo(128, 128, 3, 8, 8, false)));
        v.add(new Victim("restart9-line", new Encoder(8, 128, 128, 3).interleave(1).restart(9).encode(rgb),
                         new FrameInfo(128, 128, 3, 8, 8, false)));
        v.add(new Victim("p2", new Encoder(2, 128, 128, 1).encode(image(2, 1)), new FrameInfo(128, 128, 1, 8, 2, false)));
        v.add(new Victim("p5-near1", new Encoder(5, 128, 128, 1).near(1).encode(image(5, 1)),
                         new FrameInfo(128, 128, 1, 8, 5, false)));
        return v;
    }

    @Test
    void randomCorruptionsOnlyEverThrowCodecException() throws Exception {
        List<Victim> all = victims();
        Random rnd = new Random(20240611);
        int failures = 0;
        int trials = 5000;
        for (int t = 0; t < trials; t++) {
            Victim f = all.get(rnd.nextInt(all.size()));
            byte[] s = f.stream().clone();
            int edits = 1 + rnd.nextInt(4);
            for (int e = 0; e < edits; e++) {
                // A quarter of the edits hit the first 64 bytes (headers), the rest anywhere.
                int at = rnd.nextInt(4) == 0 ? rnd.nextInt(Math.min(64, s.length)) : rnd.nextInt(s.length);
                switch (rnd.nextInt(5)) {
                    case 0 -> s[at] = (byte) rnd.nextInt(256);
                    case 1 -> s[at] ^= (byte) (1 << rnd.nextInt(8));
                    case 2 -> s[at] = (byte) 0xFF;
                    case 3 -> {
                        if (at + 1 < s.length) { // a marker where data should be
                            s[at] = (byte) 0xFF;
                            s[at + 1] = (byte) (0xC0 + rnd.nextInt(64));
                        }
                    }
                    default -> s[at] = 0;
                }
            }
            int len = rnd.nextInt(5) == 0 ? rnd.nextInt(s.length + 1) : s.length;
            try {
                short[] out = new short[f.info().sampleCount()];
                CODEC.decode(s, 0, len, f.info(), out);
            } catch (CodecException e) {
                failures++;
                assertTrue(e.getMessage().startsWith("JPEG-LS: ") && !e.getMessage().contains("internal"),
                           e.getMessage());
            } catch (Throwable e) {
                fail(f.name() + " trial " + t + ": " + e, e);
            }
        }
        assertTrue(failures > trials / 2, "most damage is noticed: " + failures);
    }

    @Test
    void garbageNeverEscapes() {
        Random rnd = new Random(7);
        FrameInfo info = new FrameInfo(16, 16, 1, 16, 12, false);
        for (int t = 0; t < 2000; t++) {
            byte[] s = new byte[rnd.nextInt(200)];
            rnd.nextBytes(s);
            if (s.length > 20 && rnd.nextBoolean()) {
                // A plausible header in front of random data.
                byte[] h = new Encoder(12, 16, 16, 1).encode(new int[256]);
                System.arraycopy(h, 0, s, 0, Math.min(s.length, Math.min(h.length, 25)));
            }
            try {
                decode(s, info);
            } catch (CodecException e) {
                assertTrue(e.getMessage().startsWith("JPEG-LS: ") && !e.getMessage().contains("internal"),
                           e.getMessage());
            }
        }
    }

    // ---- refusals ---------------------------------------------------------------------------

    private static String refusal(byte[] s, FrameInfo info) {
        return assertThrows(CodecException.class, () -> decode(s, info)).getMessage();
    }

    @Test
    void unsupportedFeaturesAreRefusedClearly() throws Exception {
        Fixture f = fixture("ct12_lossless_cooked");
        byte[] s = f.stream();
        FrameInfo info = f.info();
        int afterSof = 4 + u16(s, 4); // SOI + SOF55 segment

        byte[] mapping = insert(s, afterSof, new byte[] {(byte) 0xFF, (byte) 0xF8, 0, 8, 2, 1, 1, 0, 0, 0});
        assertEquals("JPEG-LS: mapping tables (LSE id 2) are not supported", refusal(mapping, info));
        byte[] mapping3 = insert(s, afterSof, new byte[] {(byte) 0xFF, (byte) 0xF8, 0, 8, 3, 1, 1, 0, 0, 0});
        assertEquals("JPEG-LS: mapping tables (LSE id 3) are not supported", refusal(mapping3, info));

        int sos = indexOf(s, new byte[] {(byte) 0xFF, (byte) 0xDA});
        byte[] table = s.clone();
        table[sos + 6] = 5; // Tm of the first scan component
        assertEquals("JPEG-LS: mapping table 5 of component 1 is not supported", refusal(table, info));

        byte[] transform = insert(s, afterSof,
                                  new byte[] {(byte) 0xFF, (byte) 0xE8, 0, 7, 'm', 'r', 'f', 'x', 1});
        assertEquals("JPEG-LS: HP colour transform 1 (APP8 mrfx) is not supported", refusal(transform, info));
        byte[] noTransform = insert(s, afterSof,
                                    new byte[] {(byte) 0xFF, (byte) 0xE8, 0, 7, 'm', 'r', 'f', 'x', 0});
        assertArrayEquals(f.expected(), decode(noTransform, info));

        byte[] pt = s.clone();
        pt[sos + 2 + u16(s, sos + 2) - 1] = 1;
        assertEquals("JPEG-LS: point transform 1 is not supported", refusal(pt, info));

        assertEquals("JPEG-LS: frame is 128x128, the DICOM header says 128x127",
                     refusal(s, new FrameInfo(127, 128, 1, 16, 12, false)));
        assertEquals("JPEG-LS: frame is 128x128, the DICOM header says 64x128",
                     refusal(s, new FrameInfo(128, 64, 1, 16, 12, false)));
        assertEquals("JPEG-LS: the frame has 1 component, the DICOM header says 3",
                     refusal(s, new FrameInfo(128, 128, 3, 16, 12, false)));
        assertEquals("JPEG-LS: precision 12 bits does not fit BitsAllocated 8",
                     refusal(s, new FrameInfo(128, 128, 1, 8, 8, false)));
        assertEquals("JPEG-LS: output holds 10 samples, the frame has 16384",
                     assertThrows(CodecException.class, () -> CODEC.decode(s, 0, s.length, info, new short[10]))
                         .getMessage());
        assertThrows(CodecException.class, () -> CODEC.decode(s, 10, s.length, info, new short[16384]));

        byte[] baseline = s.clone();
        baseline[3] = (byte) 0xC0;
        assertEquals("JPEG-LS: not a JPEG-LS frame (SOF marker FFC0)", refusal(baseline, info));
        assertEquals("JPEG-LS: the frame does not start with an SOI marker",
                     refusal(Arrays.copyOfRange(s, 2, s.length), info));
        byte[] dnl = s.clone();
        dnl[7] = 0;
        dnl[8] = 0; // Y = 0: lines defined later by DNL
        assertEquals("JPEG-LS: number of lines deferred to a DNL marker is not supported", refusal(dnl, info));
        byte[] precision = s.clone();
        precision[6] = 17;
        assertEquals("JPEG-LS: precision 17 bits outside 2..16", refusal(precision, info));

        Fixture rgb = fixture("rgb_line");
        byte[] sub = rgb.stream().clone();
        sub[4 + 2 + 6 + 1] = 0x22; // first component 2x2, the others 1x1
        assertEquals("JPEG-LS: subsampled components are not supported", refusal(sub, rgb.info()));
    }

    @Test
    void missingComponentsAndBadParametersAreRefused() throws Exception {
        Fixture f = fixture("rgb_none");
        byte[] s = f.stream();
        List<int[]> scans = scanHeaders(s);
        int secondSos = scans.get(1)[3];
        byte[] twoScans = Arrays.copyOf(s, secondSos);
        assertEquals("JPEG-LS: the data ends before component 2 was decoded", refusal(twoScans, f.info()));

        byte[] lse = new Encoder(12, 8, 8, 1).near(0).presets(4095, 2, 1, 21, 64).encode(new int[64]);
        assertTrue(refusal(lse, new FrameInfo(8, 8, 1, 16, 12, false)).startsWith("JPEG-LS: invalid preset parameters"));
        byte[] maxval = new Encoder(8, 8, 8, 1).presets(300, 0, 0, 0, 0).encode(new int[64]);
        assertEquals("JPEG-LS: MAXVAL 300 exceeds the 8-bit precision", refusal(maxval, new FrameInfo(8, 8, 1, 8, 8, false)));
        byte[] near = new Encoder(2, 8, 8, 1).encode(new int[64]);
        near[indexOf(near, new byte[] {(byte) 0xFF, (byte) 0xDA}) + 7] = 2; // NEAR 2 with MAXVAL 3
        assertEquals("JPEG-LS: NEAR 2 is invalid for MAXVAL 3", refusal(near, new FrameInfo(8, 8, 1, 8, 2, false)));
    }

    // ---- the test encoder against dcmtk, then what dcmcjpls cannot write ---------------------------

    /**
     * The test encoder, given dcmtk's source, parameters and interleave mode, writes exactly dcmtk's
     * entropy-coded bytes (lossless and near-lossless, default and custom presets, all interleave
     * modes), and its reconstruction equals dcmtk's decode. That makes it a trustworthy source for
     * the streams dcmcjpls cannot write.
     */
    @Test
    void testEncoderReproducesDcmtkScansByteForByte() throws Exception {
        int lossless = 0;
        int nearLossless = 0;
        for (Fixture f : fixtures()) {
            short[] input = f.near() == 0 ? f.expected() : f.source();
            if (input == null) {
                continue;
            }
            byte[] s = f.stream();
            Encoder e = new Encoder(s[6], f.info().rows(), f.info().columns(), f.info().samplesPerPixel())
                .interleave(scanHeaders(s).get(0)[2]).near(f.near());
            int lse = indexOf(s, new byte[] {(byte) 0xFF, (byte) 0xF8, 0, 13, 1});
            if (lse > 0) {
                e.presets(u16(s, lse + 5), u16(s, lse + 7), u16(s, lse + 9), u16(s, lse + 11), u16(s, lse + 13));
            }
            byte[] ours = e.encode(unsigned(input));
            assertArrayEquals(entropyData(s), entropyData(ours), f.name());
            assertArrayEquals(f.expected(), shorts(e.reconstructed()), f.name());
            assertArrayEquals(f.expected(), decode(ours, f.info()), f.name());
            if (f.near() == 0) {
                lossless++;
            } else {
                nearLossless++;
            }
        }
        assertTrue(lossless >= 10 && nearLossless >= 8, lossless + " lossless, " + nearLossless + " near-lossless");
    }

    /** A crop of the 12-bit fixture scaled to {@code bits}, optionally as 3 components. */
    private static int[] image(int bits, int components) throws IOException {
        short[] src = fixture("ct12_lossless").expected(); // 128x128, 12 bits
        int[] out = new int[src.length * components];
        for (int i = 0; i < src.length; i++) {
            int v = src[i] & 0xFFF;
            for (int c = 0; c < components; c++) {
                int w = bits >= 12 ? v << (bits - 12) : v >> (12 - bits);
                if (c > 0) {
                    w = (w * (c + 2) / 3 + c) & ((1 << bits) - 1); // related but not equal channels
                }
                out[i * components + c] = w;
            }
        }
        return out;
    }

    private static short[] shorts(int[] v) {
        short[] s = new short[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = (short) v[i];
        }
        return s;
    }

    private static int[] unsigned(short[] v) {
        int[] s = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = v[i] & 0xFFFF;
        }
        return s;
    }

    @Test
    void everyPrecisionFrom2To16() throws Exception {
        for (int bits = 2; bits <= 16; bits++) {
            int[] img = image(bits, 1);
            int alloc = bits <= 8 ? 8 : 16;
            FrameInfo info = new FrameInfo(128, 128, 1, alloc, bits, false);
            assertArrayEquals(shorts(img), decode(new Encoder(bits, 128, 128, 1).encode(img), info), "P=" + bits);
            for (int near : new int[] {1, 3}) {
                if (near > ((1 << bits) - 1) / 2) {
                    continue;
                }
                Encoder e = new Encoder(bits, 128, 128, 1).near(near);
                byte[] s = e.encode(img);
                assertArrayEquals(shorts(e.reconstructed()), decode(s, info), "P=" + bits + " NEAR=" + near);
                for (int i = 0; i < img.length; i++) {
                    assertTrue(Math.abs(img[i] - e.reconstructed()[i]) <= near);
                }
            }
        }
    }

    @Test
    void restartMarkersEveryInterleaveMode() throws Exception {
        for (int ilv = 0; ilv <= 2; ilv++) {
            int components = ilv == 0 ? 1 : 3;
            int[] img = image(10, components);
            FrameInfo info = new FrameInfo(128, 128, components, 16, 10, false);
            for (int interval : new int[] {1, 7, 40, 127}) {
                for (int near : new int[] {0, 2}) {
                    Encoder e = new Encoder(10, 128, 128, components).interleave(ilv).restart(interval).near(near);
                    byte[] s = e.encode(img);
                    assertTrue(indexOf(s, new byte[] {(byte) 0xFF, (byte) 0xD0}) > 0);
                    String what = "ILV " + ilv + " interval " + interval + " NEAR " + near;
                    assertArrayEquals(shorts(e.reconstructed()), decode(s, info), what);
                }
            }
            // A restart marker missing: refused, not misread.
            byte[] s = new Encoder(10, 128, 128, components).interleave(ilv).restart(40).encode(img);
            int rst = indexOf(s, new byte[] {(byte) 0xFF, (byte) 0xD0});
            s[rst + 1] = (byte) 0xDC;
            assertTrue(refusal(s, info).startsWith("JPEG-LS: expected a restart marker before line 41 of 128"),
                       refusal(s, info));
        }
    }

    @Test
    void customMaxvalDefaultsAndNonInterleavedColourThroughTheTestEncoder() throws Exception {
        int[] img = image(8, 3);
        for (int i = 0; i < img.length; i++) {
            img[i] = Math.min(img[i], 200);
        }
        FrameInfo info = new FrameInfo(128, 128, 3, 8, 8, false);
        for (int ilv = 0; ilv <= 2; ilv++) {
            // MAXVAL 200 < 255 with default thresholds (zeros in the LSE segment)
            Encoder e = new Encoder(8, 128, 128, 3).interleave(ilv).presets(200, 0, 0, 0, 0).near(ilv);
            byte[] s = e.encode(img);
            assertArrayEquals(shorts(e.reconstructed()), decode(s, info), "ILV " + ilv);
        }
        // Tiny frames: one column, one row, one pixel.
        for (int[] size : new int[][] {{1, 1}, {1, 37}, {37, 1}, {2, 3}}) {
            int[] small = Arrays.copyOf(img, size[0] * size[1]);
            FrameInfo si = new FrameInfo(size[0], size[1], 1, 8, 8, false);
            assertArrayEquals(shorts(small), decode(new Encoder(8, size[0], size[1], 1).encode(small), si));
        }
        // Flat image: nothing but runs.
        int[] flat = new int[128 * 128 * 3];
        Arrays.fill(flat, 77);
        assertArrayEquals(shorts(flat), decode(new Encoder(8, 128, 128, 3).interleave(2).encode(flat), info));
    }

    /** Prints decode throughput (no assertion on it: shared CI machines vary too much). */
    @Test
    void throughputOnAFull512Slice() throws Exception {
        Fixture f = fixture("full512_ct16s");
        short[] out = new short[f.info().sampleCount()];
        byte[] s = f.stream();
        long warmUntil = System.nanoTime() + 1_500_000_000L;
        while (System.nanoTime() < warmUntil) {
            CODEC.decode(s, 0, s.length, f.info(), out);
        }
        assertEquals(f.crc32(), crc(out));
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            int n = 20;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                CODEC.decode(s, 0, s.length, f.info(), out);
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9 / n);
        }
        System.out.printf("JPEG-LS decode of a 512x512 signed 16-bit CT slice (dcmcjpls lossless, %d bytes): "
                          + "%.1f ms, %.0f MB/s of output (best of 5 rounds of 20)%n",
                          s.length, best * 1000, out.length * 2 / 1e6 / best);
    }

    // ---- stream helpers ---------------------------------------------------------------------

    private static int u16(byte[] s, int p) {
        return ((s[p] & 0xFF) << 8) | (s[p + 1] & 0xFF);
    }

    private static int indexOf(byte[] s, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= s.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (s[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] insert(byte[] s, int at, byte[] what) {
        byte[] r = new byte[s.length + what.length];
        System.arraycopy(s, 0, r, 0, at);
        System.arraycopy(what, 0, r, at, what.length);
        System.arraycopy(s, at, r, at + what.length, s.length - at);
        return r;
    }

    /** Walks the marker segments: for each SOS, {Ns, NEAR, ILV, position of the marker, end of header}. */
    private static List<int[]> scanHeaders(byte[] s) {
        List<int[]> out = new ArrayList<>();
        int p = 2;
        while (p + 4 <= s.length) {
            int code = s[p + 1] & 0xFF;
            if (code == 0xD9) {
                break;
            }
            int len = u16(s, p + 2);
            if (code == 0xDA) {
                int ns = s[p + 4] & 0xFF;
                out.add(new int[] {ns, s[p + 5 + 2 * ns] & 0xFF, s[p + 6 + 2 * ns] & 0xFF, p, p + 2 + len});
                p = nextMarker(s, p + 2 + len);
            } else {
                p += 2 + len;
            }
        }
        return out;
    }

    private static int lastScanHeaderEnd(byte[] s) {
        List<int[]> h = scanHeaders(s);
        return h.get(h.size() - 1)[4];
    }

    /** Next marker other than RSTm after entropy-coded data; fill bytes before it are skipped. */
    private static int nextMarker(byte[] s, int p) {
        for (int i = p; i + 1 < s.length; i++) {
            int next = s[i + 1] & 0xFF;
            if (s[i] == (byte) 0xFF && next >= 0x80 && next != 0xFF && (next < 0xD0 || next > 0xD7)) {
                return i;
            }
        }
        return s.length;
    }

    /** The entropy-coded bytes of all scans, concatenated, without the fill bytes before markers. */
    private static byte[] entropyData(byte[] s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int[] h : scanHeaders(s)) {
            int e = nextMarker(s, h[4]);
            while (e > h[4] && s[e - 1] == (byte) 0xFF) {
                e--;
            }
            out.write(s, h[4], e - h[4]);
        }
        return out.toByteArray();
    }

    // ---- test encoder -------------------------------------------------------------------------

    /**
     * A plain JPEG-LS encoder (T.87 Annex A, with the interleave modes of Annex B and restart
     * intervals), written for these tests only: it lets the decoder be checked where dcmcjpls
     * writes nothing. It is proved on dcmtk's own streams first.
     */
    static final class Encoder {
        private static final int[] J = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                        4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        private final int precision;
        private final int rows;
        private final int cols;
        private final int components;
        private int interleave;
        private int near;
        private int restart;
        private int[] presets; // MAXVAL, T1, T2, T3, RESET as written (0: default), or null

        private int maxval;
        private int range;
        private int qbpp;
        private int limit;
        private int t1;
        private int t2;
        private int t3;
        private int reset;
        private final long[] a = new long[367];
        private final int[] b = new int[365];
        private final int[] c = new int[365];
        private final int[] n = new int[367];
        private final int[] nn = new int[367];
        private int[] runIndex;
        private int[] recon;

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int bitBuf;
        private int bitCount;
        private boolean lastFF;

        Encoder(int precision, int rows, int cols, int components) {
            this.precision = precision;
            this.rows = rows;
            this.cols = cols;
            this.components = components;
            this.interleave = components > 1 ? 1 : 0;
        }

        Encoder interleave(int ilv) {
            this.interleave = ilv;
            return this;
        }

        Encoder near(int v) {
            this.near = v;
            return this;
        }

        Encoder restart(int lines) {
            this.restart = lines;
            return this;
        }

        Encoder presets(int mv, int p1, int p2, int p3, int rs) {
            this.presets = new int[] {mv, p1, p2, p3, rs};
            return this;
        }

        /** The decoded (reconstructed) samples of the last encode, interleaved per pixel. */
        int[] reconstructed() {
            return recon;
        }

        byte[] encode(int[] samples) {
            out.reset();
            recon = new int[samples.length];
            maxval = presets != null && presets[0] != 0 ? presets[0] : (1 << precision) - 1;
            range = (maxval + 2 * near) / (2 * near + 1) + 1;
            qbpp = JpegLsScanDecoder.ceilLog2(range);
            int bpp = Math.max(2, JpegLsScanDecoder.ceilLog2(maxval + 1));
            limit = 2 * (bpp + Math.max(8, bpp));
            int[] t = defaults(maxval, near);
            t1 = presets != null && presets[1] != 0 ? presets[1] : t[0];
            t2 = presets != null && presets[2] != 0 ? presets[2] : t[1];
            t3 = presets != null && presets[3] != 0 ? presets[3] : t[2];
            reset = presets != null && presets[4] != 0 ? presets[4] : 64;

            marker(0xD8);
            marker(0xF7);
            u16(8 + 3 * components);
            out.write(precision);
            u16(rows);
            u16(cols);
            out.write(components);
            for (int i = 0; i < components; i++) {
                out.write(i + 1);
                out.write(0x11);
                out.write(0);
            }
            if (presets != null) {
                marker(0xF8);
                u16(13);
                out.write(1);
                for (int v : presets) {
                    u16(v);
                }
            }
            if (restart > 0) {
                marker(0xDD);
                u16(4);
                u16(restart);
            }
            if (interleave == 0) {
                for (int i = 0; i < components; i++) {
                    scan(samples, new int[] {i});
                }
            } else {
                int[] all = new int[components];
                for (int i = 0; i < components; i++) {
                    all[i] = i;
                }
                scan(samples, all);
            }
            marker(0xD9);
            return out.toByteArray();
        }

        /** Default T1, T2, T3 (T.87 C.2.4.1.1.1), written out again here on purpose. */
        private static int[] defaults(int maxval, int near) {
            int[] basic = {3, 7, 21};
            int[] t = new int[3];
            int lower = near + 1;
            for (int i = 0; i < 3; i++) {
                int v;
                if (maxval >= 128) {
                    int factor = (Math.min(maxval, 4095) + 128) / 256;
                    v = factor * (basic[i] - (i + 2)) + (i + 2) + (2 * i + 3) * near;
                } else {
                    int factor = 256 / (maxval + 1);
                    v = Math.max(i + 2, basic[i] / factor + (2 * i + 3) * near);
                }
                t[i] = v > maxval || v < lower ? lower : v;
                lower = t[i];
            }
            return t;
        }

        private void marker(int code) {
            out.write(0xFF);
            out.write(code);
        }

        private void u16(int v) {
            out.write(v >> 8);
            out.write(v & 0xFF);
        }

        private void scan(int[] samples, int[] comps) {
            int ns = comps.length;
            marker(0xDA);
            u16(6 + 2 * ns);
            out.write(ns);
            for (int cIdx : comps) {
                out.write(cIdx + 1);
                out.write(0);
            }
            out.write(near);
            out.write(ns == 1 ? 0 : interleave);
            out.write(0);
            resetState(ns);
            int width = cols;
            if (interleave == 2 && ns > 1) {
                int[] prev = new int[(width + 2) * ns];
                int[] cur = new int[(width + 2) * ns];
                for (int y = 0; y < rows; y++) {
                    if (y > 0 && restart > 0 && y % restart == 0) {
                        restartMarker(y / restart - 1, ns);
                        Arrays.fill(prev, 0);
                        Arrays.fill(cur, 0);
                    }
                    int[] line = new int[(width + 2) * ns];
                    for (int x = 0; x < width; x++) {
                        for (int i = 0; i < ns; i++) {
                            line[(x + 1) * ns + i] = samples[(y * width + x) * components + comps[i]];
                        }
                    }
                    pixelLine(prev, cur, line, ns);
                    for (int x = 0; x < width; x++) {
                        for (int i = 0; i < ns; i++) {
                            recon[(y * width + x) * components + comps[i]] = cur[(x + 1) * ns + i];
                        }
                    }
                    int[] tmp = prev;
                    prev = cur;
                    cur = tmp;
                }
            } else {
                int[][] prev = new int[ns][width + 2];
                int[][] cur = new int[ns][width + 2];
                for (int y = 0; y < rows; y++) {
                    if (y > 0 && restart > 0 && y % restart == 0) {
                        restartMarker(y / restart - 1, ns);
                        for (int i = 0; i < ns; i++) {
                            Arrays.fill(prev[i], 0);
                            Arrays.fill(cur[i], 0);
                        }
                    }
                    for (int i = 0; i < ns; i++) {
                        int[] line = new int[width + 2];
                        for (int x = 0; x < width; x++) {
                            line[x + 1] = samples[(y * width + x) * components + comps[i]];
                        }
                        componentLine(prev[i], cur[i], line, i);
                        for (int x = 0; x < width; x++) {
                            recon[(y * width + x) * components + comps[i]] = cur[i][x + 1];
                        }
                        int[] tmp = prev[i];
                        prev[i] = cur[i];
                        cur[i] = tmp;
                    }
                }
            }
            flush();
        }

        private void resetState(int ns) {
            Arrays.fill(a, Math.max(2, (range + 32) / 64));
            Arrays.fill(b, 0);
            Arrays.fill(c, 0);
            Arrays.fill(n, 1);
            Arrays.fill(nn, 0);
            runIndex = new int[ns];
        }

        /** Ends restart interval {@code m}: pad, RSTm, then contexts and RUNindex start afresh. */
        private void restartMarker(int m, int ns) {
            flush();
            marker(0xD0 + (m & 7));
            resetState(ns);
        }

        private void componentLine(int[] prev, int[] cur, int[] line, int comp) {
            int w = cols;
            prev[w + 1] = prev[w];
            cur[0] = prev[1];
            int x = 1;
            while (x <= w) {
                int ra = cur[x - 1];
                int rb = prev[x];
                int rc = prev[x - 1];
                int rd = prev[x + 1];
                int q = context(rd - rb, rb - rc, rc - ra);
                if (q == 0) {
                    int count = 0;
                    while (x + count <= w && Math.abs(line[x + count] - ra) <= near) {
                        cur[x + count] = ra;
                        count++;
                    }
                    boolean eol = x + count > w;
                    runIndex[comp] = runLength(count, eol, runIndex[comp]);
                    x += count;
                    if (!eol) {
                        cur[x] = interruption(line[x], ra, prev[x], runIndex[comp],
                                              Math.abs(ra - prev[x]) <= near ? 1 : 0);
                        if (runIndex[comp] > 0) {
                            runIndex[comp]--;
                        }
                        x++;
                    }
                } else {
                    cur[x] = regular(q, line[x], ra, rb, rc);
                    x++;
                }
            }
            cur[w + 1] = cur[w];
        }

        private void pixelLine(int[] prev, int[] cur, int[] line, int ns) {
            int w = cols;
            for (int i = 0; i < ns; i++) {
                prev[(w + 1) * ns + i] = prev[w * ns + i];
                cur[i] = prev[ns + i];
            }
            int x = 1;
            int[] qs = new int[ns];
            while (x <= w) {
                boolean flat = true;
                for (int i = 0; i < ns; i++) {
                    int h = x * ns + i;
                    qs[i] = context(prev[h + ns] - prev[h], prev[h] - prev[h - ns], prev[h - ns] - cur[h - ns]);
                    flat &= qs[i] == 0;
                }
                if (flat) {
                    int count = 0;
                    while (x + count <= w && samePixel(line, cur, x + count, x - 1, ns)) {
                        for (int i = 0; i < ns; i++) {
                            cur[(x + count) * ns + i] = cur[(x - 1) * ns + i];
                        }
                        count++;
                    }
                    boolean eol = x + count > w;
                    runIndex[0] = runLength(count, eol, runIndex[0]);
                    x += count;
                    if (!eol) {
                        for (int i = 0; i < ns; i++) {
                            int h = x * ns + i;
                            cur[h] = interruption(line[h], cur[h - ns], prev[h], runIndex[0], 0);
                        }
                        if (runIndex[0] > 0) {
                            runIndex[0]--;
                        }
                        x++;
                    }
                } else {
                    for (int i = 0; i < ns; i++) {
                        int h = x * ns + i;
                        cur[h] = regular(qs[i], line[h], cur[h - ns], prev[h], prev[h - ns]);
                    }
                    x++;
                }
            }
            for (int i = 0; i < ns; i++) {
                cur[(w + 1) * ns + i] = cur[w * ns + i];
            }
        }

        private boolean samePixel(int[] line, int[] cur, int x, int left, int ns) {
            for (int i = 0; i < ns; i++) {
                if (Math.abs(line[x * ns + i] - cur[left * ns + i]) > near) {
                    return false;
                }
            }
            return true;
        }

        private int context(int d1, int d2, int d3) {
            return 81 * quant(d1) + 9 * quant(d2) + quant(d3);
        }

        private int quant(int d) {
            if (d <= -t3) {
                return -4;
            } else if (d <= -t2) {
                return -3;
            } else if (d <= -t1) {
                return -2;
            } else if (d < -near) {
                return -1;
            } else if (d <= near) {
                return 0;
            } else if (d < t1) {
                return 1;
            } else if (d < t2) {
                return 2;
            } else if (d < t3) {
                return 3;
            }
            return 4;
        }

        private int quantizeError(int e) {
            if (near == 0) {
                return e;
            }
            return e > 0 ? (e + near) / (2 * near + 1) : -((near - e) / (2 * near + 1));
        }

        private int modRange(int e) {
            if (e < 0) {
                e += range;
            }
            if (e >= (range + 1) / 2) {
                e -= range;
            }
            return e;
        }

        private int clampValue(int v) {
            return v < 0 ? 0 : Math.min(v, maxval);
        }

        private int regular(int qSigned, int ix, int ra, int rb, int rc) {
            int sign = qSigned < 0 ? -1 : 1;
            int q = Math.abs(qSigned);
            int px = rc >= Math.max(ra, rb) ? Math.min(ra, rb) : rc <= Math.min(ra, rb) ? Math.max(ra, rb) : ra + rb - rc;
            px = clampValue(px + sign * c[q]);
            int err = quantizeError(sign * (ix - px));
            int rx = clampValue(px + sign * err * (2 * near + 1));
            err = modRange(err);
            int k = 0;
            while (((long) n[q] << k) < a[q]) {
                k++;
            }
            int merr;
            if (near == 0 && k == 0 && 2 * b[q] <= -n[q]) {
                merr = err >= 0 ? 2 * err + 1 : -2 * (err + 1);
            } else {
                merr = err >= 0 ? 2 * err : -2 * err - 1;
            }
            golomb(merr, k, limit);
            b[q] += err * (2 * near + 1);
            a[q] += Math.abs(err);
            if (n[q] == reset) {
                a[q] >>= 1;
                b[q] >>= 1;
                n[q] >>= 1;
            }
            n[q]++;
            if (b[q] <= -n[q]) {
                b[q] += n[q];
                if (c[q] > -128) {
                    c[q]--;
                }
                if (b[q] <= -n[q]) {
                    b[q] = -n[q] + 1;
                }
            } else if (b[q] > 0) {
                b[q] -= n[q];
                if (c[q] < 127) {
                    c[q]++;
                }
                if (b[q] > 0) {
                    b[q] = 0;
                }
            }
            return rx;
        }

        /** Codes a run of {@code count} samples; returns the new RUNindex. */
        private int runLength(int count, boolean eol, int ri) {
            while (count >= (1 << J[ri])) {
                putBits(1, 1);
                count -= 1 << J[ri];
                if (ri < 31) {
                    ri++;
                }
            }
            if (eol) {
                if (count > 0) {
                    putBits(1, 1);
                }
            } else {
                putBits(0, 1);
                if (J[ri] > 0) {
                    putBits(count, J[ri]);
                }
            }
            return ri;
        }

        /** RItype as given: 0 for every component of a sample-interleaved pixel. */
        private int interruption(int ix, int ra, int rb, int ri, int riType) {
            int sign = riType == 0 && ra > rb ? -1 : 1;
            int px = riType == 1 ? ra : rb;
            int err = quantizeError(sign * (ix - px));
            int rx = clampValue(px + sign * err * (2 * near + 1));
            err = modRange(err);
            int q = 365 + riType;
            long temp = riType == 0 ? a[q] : a[q] + (n[q] >> 1);
            int k = 0;
            while (((long) n[q] << k) < temp) {
                k++;
            }
            int map = (k == 0 && err > 0 && 2 * nn[q] < n[q]) || (err < 0 && 2 * nn[q] >= n[q])
                      || (err < 0 && k != 0) ? 1 : 0;
            int em = 2 * Math.abs(err) - riType - map;
            golomb(em, k, limit - J[ri] - 1);
            if (err < 0) {
                nn[q]++;
            }
            a[q] += (em + 1 - riType) >> 1;
            if (n[q] == reset) {
                a[q] >>= 1;
                n[q] >>= 1;
                nn[q] >>= 1;
            }
            n[q]++;
            return rx;
        }

        private void golomb(int value, int k, int glimit) {
            int escape = glimit - qbpp - 1;
            int high = value >> k;
            if (high < escape) {
                for (int i = 0; i < high; i++) {
                    putBits(0, 1);
                }
                putBits(1, 1);
                if (k > 0) {
                    putBits(value & ((1 << k) - 1), k);
                }
            } else {
                for (int i = 0; i < escape; i++) {
                    putBits(0, 1);
                }
                putBits(1, 1);
                putBits(value - 1, qbpp);
            }
        }

        private void putBits(int value, int count) {
            for (int i = count - 1; i >= 0; i--) {
                bitBuf = (bitBuf << 1) | ((value >> i) & 1);
                bitCount++;
                if (bitCount == (lastFF ? 7 : 8)) {
                    out.write(bitBuf);
                    lastFF = bitBuf == 0xFF;
                    bitBuf = 0;
                    bitCount = 0;
                }
            }
        }

        /** Pads with zero bits to a byte boundary (a byte after 0xFF starts with the stuffed 0). */
        private void flush() {
            if (bitCount > 0) {
                int cap = lastFF ? 7 : 8;
                putBits(0, cap - bitCount);
            }
            if (lastFF) {
                out.write(0);
            }
            lastFF = false;
            bitBuf = 0;
            bitCount = 0;
        }
    }
}
