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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import lessismore.TestData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link RleCodec} against the fixtures of {@code scripts/fixtures/make_rle_j2k_fixtures.sh}:
 * 128×128 crops of real slices (12-bit unsigned chest, 16-bit signed GE head, and 8-bit grey and
 * RGB frames derived from them) compressed by dcmtk's dcmcrle; the expected values are the
 * original stored values (the script checks pydicom and dcmdrle agree). Also hand-made frames for
 * each PackBits case, error messages, a full 512×512 real slice round-tripped through this test's
 * PackBits encoder, and bounded truncation/corruption trials that may only end in
 * {@link CodecException}.
 */
class RleCodecTest {
    private static final RleCodec CODEC = new RleCodec();

    /** One row of a fixture manifest. */
    record Fixture(String name, byte[] frame, FrameInfo info, short[] expected, int tolerance) {
    }

    static Path fixtureDir(String sub) {
        try {
            return Paths.get(RleCodecTest.class.getResource("/fixtures/" + sub + "/manifest.tsv").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Fixtures listed in {@code fixtures/<sub>/manifest.tsv}; {@code .dcm} files are DICOM files
     * whose single frame is extracted by {@link Encapsulated}, anything else is the frame itself.
     */
    static List<Fixture> fixtures(String sub) throws IOException {
        Path dir = fixtureDir(sub);
        List<Fixture> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("manifest.tsv"), StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.startsWith("file\t") || line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            byte[] data = Files.readAllBytes(dir.resolve(f[0]));
            byte[] frame = f[0].endsWith(".dcm") ? Encapsulated.singleFrame(data) : data;
            FrameInfo info = new FrameInfo(Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                    Integer.parseInt(f[5]), Integer.parseInt(f[6]), f[7].equals("1"));
            out.add(new Fixture(f[0], frame, info, expected(dir.resolve(f[1]), info.sampleCount()),
                    Integer.parseInt(f[8])));
        }
        return out;
    }

    /** A gzipped little-endian uint16 expected array. */
    static short[] expected(Path gz, int count) throws IOException {
        byte[] b;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            b = in.readAllBytes();
        }
        assertEquals(2L * count, b.length, gz + ": expected array size");
        short[] s = new short[count];
        for (int i = 0; i < count; i++) {
            s[i] = (short) ((b[2 * i] & 0xFF) | (b[2 * i + 1] & 0xFF) << 8);
        }
        return s;
    }

    /** Decodes {@code frame} placed inside a larger buffer at an odd offset, with junk around it. */
    static short[] decodeEmbedded(FrameCodec codec, byte[] frame, FrameInfo info) throws CodecException {
        short[] out = new short[info.sampleCount()];
        decodeEmbeddedInto(codec, frame, info, out);
        return out;
    }

    static void decodeEmbeddedInto(FrameCodec codec, byte[] frame, FrameInfo info, short[] out)
            throws CodecException {
        byte[] buf = new byte[frame.length + 17];
        Arrays.fill(buf, (byte) 0xA5);
        System.arraycopy(frame, 0, buf, 7, frame.length);
        byte[] before = buf.clone();
        codec.decode(buf, 7, frame.length, info, out);
        assertArrayEquals(before, buf, "the codec changed its input");
    }

    @TestFactory
    List<DynamicTest> fixturesDecodeExactly() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Fixture f : fixtures("rle")) {
            tests.add(DynamicTest.dynamicTest(f.name(), () -> {
                short[] got = decodeEmbedded(CODEC, f.frame(), f.info());
                assertArrayEquals(f.expected(), got, f.name());
                // and a second time into a dirty output array: every sample must be overwritten
                short[] dirty = new short[f.info().sampleCount()];
                Arrays.fill(dirty, (short) 0x7777);
                CODEC.decode(f.frame(), 0, f.frame().length, f.info(), dirty);
                assertArrayEquals(f.expected(), dirty, f.name() + " (dirty output)");
            }));
        }
        assertEquals(4, tests.size());
        return tests;
    }

    /** pydicom's own test files, from the Debian package (skipped where it is not installed). */
    static final Path PYDICOM_TEST_FILES = Paths.get("/usr/lib/python3/dist-packages/pydicom/data/test_files");

    /**
     * Every frame listed in {@code fixtures/<sub>/pydicom_golden.tsv} must decode to pydicom's
     * pixel_array (compared on the listed number of low bits), or be refused where marked so.
     */
    static List<DynamicTest> pydicomGolden(String sub, FrameCodec codec) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(fixtureDir(sub).resolve("pydicom_golden.tsv"), StandardCharsets.UTF_8)) {
            if (!line.startsWith("#") && !line.startsWith("file\t")) {
                rows.add(line.split("\t"));
            }
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (String[] f : rows) {
            long frames = rows.stream().filter(r -> r[0].equals(f[0])).count();
            tests.add(DynamicTest.dynamicTest(f[0] + " frame " + f[1], () -> {
                Path file = PYDICOM_TEST_FILES.resolve(f[0]);
                Assumptions.assumeTrue(Files.isRegularFile(file), "pydicom's test files not installed");
                List<byte[]> fragments = Encapsulated.fragments(Files.readAllBytes(file));
                int k = Integer.parseInt(f[1]);
                // one frame: all its fragments together; several: one fragment each (as in these files)
                byte[] frame = frames == 1 ? Encapsulated.concat(fragments) : fragments.get(k);
                FrameInfo info = new FrameInfo(Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                        Integer.parseInt(f[5]), Integer.parseInt(f[6]), f[7].equals("1"));
                if (f[9].equals("refused")) {
                    assertThrows(CodecException.class, () -> codec.decode(frame, 0, frame.length, info,
                            new short[Math.max(0, info.sampleCount())]));
                    return;
                }
                short[] out = new short[info.sampleCount()];
                codec.decode(frame, 0, frame.length, info, out);
                int mask = (1 << Integer.parseInt(f[8])) - 1;
                byte[] le = new byte[out.length * 2];
                for (int i = 0; i < out.length; i++) {
                    int v = out[i] & mask;
                    le[2 * i] = (byte) v;
                    le[2 * i + 1] = (byte) (v >>> 8);
                }
                try {
                    assertEquals(f[9], java.util.HexFormat.of().formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(le)), f[0] + " frame " + k);
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> pydicomTestFilesMatchPydicom() throws IOException {
        return pydicomGolden("rle", CODEC);
    }

    // ------------------------------------------------------------------------------------------
    // Hand-made frames

    /** A frame from its segments, with the standard header. */
    static byte[] frame(byte[]... segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] header = new int[16];
        header[0] = segments.length;
        int pos = 64;
        for (int i = 0; i < segments.length; i++) {
            header[i + 1] = pos;
            pos += segments[i].length;
        }
        for (int v : header) {
            out.write(v);
            out.write(v >>> 8);
            out.write(v >>> 16);
            out.write(v >>> 24);
        }
        for (byte[] s : segments) {
            out.writeBytes(s);
        }
        return out.toByteArray();
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void packBitsCases() throws CodecException {
        // 2 x 4, 8-bit grey: literal of 3, repeat of 4, no-op, literal of 1
        byte[] seg = bytes(2, 10, 11, 12, -3, 99, -128, 0, 7);
        FrameInfo info = new FrameInfo(2, 4, 1, 8, 8, false);
        short[] out = new short[8];
        CODEC.decode(frame(seg), 0, frame(seg).length, info, out);
        assertArrayEquals(new short[] {10, 11, 12, 99, 99, 99, 99, 7}, out);
    }

    @Test
    void sixteenBitMostSignificantSegmentFirst() throws CodecException {
        // 1 x 3, 16-bit: values 0x0102, 0xFF03, 0x8000
        byte[] hi = bytes(2, 0x01, 0xFF, 0x80);
        byte[] lo = bytes(2, 0x02, 0x03, 0x00);
        short[] out = new short[3];
        byte[] f = frame(hi, lo);
        CODEC.decode(f, 0, f.length, new FrameInfo(1, 3, 1, 16, 16, true), out);
        assertArrayEquals(new short[] {0x0102, (short) 0xFF03, (short) 0x8000}, out);
    }

    @Test
    void thirtyTwoBitIntoIntsMostSignificantSegmentFirst() throws CodecException {
        // 1 x 2, 32-bit RGB: twelve segments, four per sample (R byte 3 .. byte 0, G .., B ..)
        byte[][] segs = new byte[12][];
        for (int s = 0; s < 12; s++) {
            segs[s] = bytes(1, 0x10 * (s / 4 + 1) + s % 4, 0xF0 + s);
        }
        byte[] f = frame(segs);
        int[] out = new int[6];
        CODEC.decodeInts(f, 0, f.length, new FrameInfo(1, 2, 3, 32, 32, false), out);
        assertArrayEquals(new int[] {0x10111213, 0x20212223, 0x30313233, 0xF0F1F2F3, 0xF4F5F6F7, 0xF8F9FAFB}, out);
        // 8 and 16 bits give the same values into ints as into shorts
        byte[] g = frame(bytes(2, 0x01, 0xFF, 0x80), bytes(2, 0x02, 0x03, 0x00));
        int[] wide = new int[3];
        CODEC.decodeInts(g, 0, g.length, new FrameInfo(1, 3, 1, 16, 16, true), wide);
        assertArrayEquals(new int[] {0x0102, 0xFF03, 0x8000}, wide);
    }

    @Test
    void colourPlanesInterleaved() throws CodecException {
        // 1 x 2, 16-bit RGB: six segments R hi, R lo, G hi, G lo, B hi, B lo
        byte[][] segs = {bytes(-1, 0x10), bytes(1, 0x01, 0x02), bytes(-1, 0x20), bytes(1, 0x03, 0x04),
            bytes(-1, 0x30), bytes(1, 0x05, 0x06)};
        byte[] f = frame(segs);
        short[] out = new short[6];
        CODEC.decode(f, 0, f.length, new FrameInfo(1, 2, 3, 16, 16, false), out);
        assertArrayEquals(new short[] {0x1001, 0x2003, 0x3005, 0x1002, 0x2004, 0x3006}, out);
        // 8-bit RGB: three segments
        byte[] g = frame(bytes(1, 1, 2), bytes(1, 3, 4), bytes(-1, 9));
        short[] out8 = new short[6];
        CODEC.decode(g, 0, g.length, new FrameInfo(1, 2, 3, 8, 8, false), out8);
        assertArrayEquals(new short[] {1, 3, 9, 2, 4, 9}, out8);
    }

    @Test
    void bytesAfterACompletePlaneAreIgnored() throws CodecException {
        // a repeat run spilling past the plane, then padding: the plane is 4 bytes
        byte[] f = frame(bytes(-5, 42, 0, 0, 0));
        short[] out = new short[4];
        CODEC.decode(f, 0, f.length, new FrameInfo(2, 2, 1, 8, 8, false), out);
        assertArrayEquals(new short[] {42, 42, 42, 42}, out);
    }

    @Test
    void clearMessages() {
        FrameInfo grey16 = new FrameInfo(64, 32, 1, 16, 12, false); // 2048-byte planes
        byte[] hi = new byte[2048];
        byte[] f = frame(bytes(-127, 0, -127, 0), bytes(0, 1));
        // the second offset points past the end
        byte[] bad = f.clone();
        bad[8] = (byte) 0x9F;
        bad[9] = (byte) 0x86;
        bad[10] = 0x01; // 99999
        assertEquals("RLE: segment 2 offset 99999 past end of frame (" + bad.length + " bytes)",
                refusal(bad, grey16));
        assertEquals("RLE: frame of 10 bytes is shorter than the 64-byte header",
                refusal(new byte[10], grey16));
        assertEquals("RLE: header gives 1 segments, expected 2 for 1 sample(s) of 16 bits",
                refusal(frame(hi), grey16));
        assertEquals("RLE: header gives 0 segments (must be 1 to 15)", refusal(new byte[64], grey16));
        byte[] swapped = frame(bytes(0, 1), bytes(0, 1));
        swapped[4] = 66;
        swapped[8] = 64; // offsets 66, 64
        assertEquals("RLE: segment 2 offset 64 not after segment 1 offset 66", refusal(swapped, grey16));
        byte[] intoHeader = frame(bytes(0, 1), bytes(0, 1));
        intoHeader[4] = 12;
        assertEquals("RLE: segment 1 offset 12 points into the 64-byte header", refusal(intoHeader, grey16));
        assertEquals("RLE: segment 1 ends after 256 of 2048 bytes", refusal(f, grey16));
        byte[] literal = frame(bytes(-127, 0, -127, 0, -127, 0, -127, 0, -127, 0, -127, 0, -127, 0, -127, 0,
                -127, 0, -127, 0, -127, 0, -127, 0, -127, 0, -127, 0, -127, 0, -127, 0), bytes(5, 1, 2));
        assertEquals("RLE: segment 2 literal run of 6 bytes overruns the segment (2 left)",
                refusal(literal, grey16));
        assertEquals("RLE: 32-bit samples not supported (8 or 16; 32 only into ints)",
                refusal(f, new FrameInfo(64, 32, 1, 32, 32, false)));
        assertEquals("RLE: 24-bit samples not supported (8, 16 or 32)", assertThrows(CodecException.class,
                () -> CODEC.decodeInts(f, 0, f.length, new FrameInfo(64, 32, 1, 24, 24, false), new int[2048]))
                .getMessage());
        assertEquals("RLE: output holds 10 samples, frame needs 2048", assertThrows(CodecException.class,
                () -> CODEC.decodeInts(f, 0, f.length, grey16, new int[10])).getMessage());
        assertEquals("RLE: 2 samples per pixel not supported (1 or 3)",
                refusal(f, new FrameInfo(64, 32, 2, 8, 8, false)));
        assertEquals("RLE: frame [5, +100) outside the 64-byte buffer", assertThrows(CodecException.class,
                () -> CODEC.decode(new byte[64], 5, 100, grey16, new short[2048])).getMessage());
        assertEquals("RLE: output holds 10 samples, frame needs 2048", assertThrows(CodecException.class,
                () -> CODEC.decode(f, 0, f.length, grey16, new short[10])).getMessage());
    }

    static String refusal(byte[] f, FrameInfo info) {
        return assertThrows(CodecException.class,
                () -> CODEC.decode(f, 0, f.length, info, new short[Math.max(0, info.sampleCount())])).getMessage();
    }

    // ------------------------------------------------------------------------------------------
    // Round trip of a full real slice through this test's encoder

    /**
     * PackBits as PS3.5 G.3.1 describes it: each row of each byte plane encoded on its own, runs of
     * 3 or more equal bytes replicated, everything else literal, 128 bytes at most per packet;
     * segments padded to an even length.
     */
    static byte[] encode(short[] samples, int rows, int cols, int spp, int bytesPerSample) {
        List<byte[]> segments = new ArrayList<>();
        byte[] row = new byte[cols];
        for (int s = 0; s < spp; s++) {
            for (int b = 0; b < bytesPerSample; b++) {
                int shift = 8 * (bytesPerSample - 1 - b);
                ByteArrayOutputStream seg = new ByteArrayOutputStream();
                for (int y = 0; y < rows; y++) {
                    for (int x = 0; x < cols; x++) {
                        row[x] = (byte) (samples[(y * cols + x) * spp + s] >> shift);
                    }
                    packRow(row, seg);
                }
                if (seg.size() % 2 != 0) {
                    seg.write(0x80); // no-op padding
                }
                segments.add(seg.toByteArray());
            }
        }
        return frame(segments.toArray(byte[][]::new));
    }

    private static void packRow(byte[] r, ByteArrayOutputStream out) {
        int i = 0;
        while (i < r.length) {
            int run = 1;
            while (i + run < r.length && run < 128 && r[i + run] == r[i]) {
                run++;
            }
            if (run >= 3) {
                out.write(1 - run);
                out.write(r[i]);
                i += run;
                continue;
            }
            int start = i;
            int n = 0;
            while (i < r.length && n < 128) {
                if (i + 2 < r.length && r[i] == r[i + 1] && r[i] == r[i + 2]) {
                    break;
                }
                i++;
                n++;
            }
            out.write(n - 1);
            out.write(r, start, n);
        }
    }

    /** The 512×512 12-bit chest slice (implicit VR little endian), as stored. */
    static short[] chestSlice() throws IOException {
        byte[] file = Files.readAllBytes(TestData.sharedData().resolve("ct/chest-phase00/00-slice040.dcm"));
        byte[] pixels = Encapsulated.nativePixelData(file);
        short[] s = new short[512 * 512];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) ((pixels[2 * i] & 0xFF) | (pixels[2 * i + 1] & 0xFF) << 8);
        }
        return s;
    }

    @Test
    void realSliceRoundTrip() throws IOException, CodecException {
        short[] slice = chestSlice();
        FrameInfo info = new FrameInfo(512, 512, 1, 16, 12, false);
        byte[] f = encode(slice, 512, 512, 1, 2);
        short[] out = new short[slice.length];
        CODEC.decode(f, 0, f.length, info, out);
        assertArrayEquals(slice, out);
    }

    @Test
    void randomImagesRoundTrip() throws CodecException {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            int rows = 1 + rnd.nextInt(40);
            int cols = 1 + rnd.nextInt(300);
            int spp = rnd.nextBoolean() ? 1 : 3;
            int bits = rnd.nextBoolean() ? 8 : 16;
            short[] img = new short[rows * cols * spp];
            int levels = 1 + rnd.nextInt(bits == 8 ? 256 : 65536);
            for (int i = 0; i < img.length; i++) {
                // runs and noise alike
                img[i] = i > 0 && rnd.nextInt(3) == 0 ? img[i - 1] : (short) rnd.nextInt(levels);
            }
            byte[] f = encode(img, rows, cols, spp, bits / 8);
            short[] out = new short[img.length];
            CODEC.decode(f, 0, f.length, new FrameInfo(rows, cols, spp, bits, bits, false), out);
            assertArrayEquals(img, out, "trial " + trial);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Robustness: truncations and corruptions end in CodecException or a decode, nothing else

    @Test
    void truncationsAndCorruptionsOnlyGiveCodecException() throws IOException {
        SplittableRandom rnd = new SplittableRandom(20240611);
        int decoded = 0;
        int refused = 0;
        for (Fixture f : fixtures("rle")) {
            byte[] frame = f.frame();
            short[] out = new short[f.info().sampleCount()];
            // every truncation length up to the end of the header, then a few hundred beyond
            List<Integer> lengths = new ArrayList<>();
            for (int n = 0; n <= 80; n++) {
                lengths.add(n);
            }
            for (int k = 0; k < 300; k++) {
                lengths.add(rnd.nextInt(frame.length));
            }
            for (int n : lengths) {
                if (tryDecode(Arrays.copyOf(frame, n), f.info(), out, f.name() + " cut at " + n)) {
                    decoded++;
                } else {
                    refused++;
                }
            }
            // random byte changes: anywhere, and concentrated on the header
            for (int k = 0; k < 1500; k++) {
                byte[] c = frame.clone();
                int changes = 1 + rnd.nextInt(4);
                for (int j = 0; j < changes; j++) {
                    int at = k % 2 == 0 ? rnd.nextInt(c.length) : rnd.nextInt(Math.min(64, c.length));
                    c[at] = (byte) rnd.nextInt(256);
                }
                if (tryDecode(c, f.info(), out, f.name() + " corruption " + k)) {
                    decoded++;
                } else {
                    refused++;
                }
            }
            // wrong geometry for the right stream
            FrameInfo i = f.info();
            for (FrameInfo wrong : new FrameInfo[] {new FrameInfo(i.rows() * 2, i.columns(), i.samplesPerPixel(),
                    i.bitsAllocated(), i.bitsStored(), i.signed()), new FrameInfo(i.rows(), i.columns(),
                    i.samplesPerPixel() == 1 ? 3 : 1, i.bitsAllocated(), i.bitsStored(), i.signed())}) {
                tryDecode(frame, wrong, new short[Math.max(0, wrong.sampleCount())], f.name() + " wrong geometry");
            }
        }
        System.out.printf("RLE robustness: %d damaged frames refused, %d still decoded%n", refused, decoded);
        assertTrue(refused > 1000);
    }

    /** true when decoded, false on CodecException; anything else fails the test. */
    static boolean tryDecode(byte[] data, FrameInfo info, short[] out, String what) {
        try {
            CODEC.decode(data, 0, data.length, info, out);
            return true;
        } catch (CodecException e) {
            assertTrue(e.getMessage().startsWith("RLE: ") && !e.getMessage().contains("\n"), e.getMessage());
            return false;
        } catch (Throwable t) {
            fail(what + ": " + t, t);
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Throughput (printed, not asserted)

    @Test
    void throughput() throws IOException, CodecException {
        short[] slice = chestSlice();
        FrameInfo info = new FrameInfo(512, 512, 1, 16, 12, false);
        byte[] f = encode(slice, 512, 512, 1, 2);
        short[] out = new short[slice.length];
        for (int i = 0; i < 200; i++) {
            CODEC.decode(f, 0, f.length, info, out);
        }
        int n = 500;
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            CODEC.decode(f, 0, f.length, info, out);
        }
        double ms = (System.nanoTime() - t) / 1e6 / n;
        System.out.printf("RLE 512x512 16-bit real chest slice (%d compressed bytes): %.3f ms/slice, %.0f MB/s "
                + "decoded, one thread%n", f.length, ms, 512 * 512 * 2 / 1e3 / ms);
    }

    // ------------------------------------------------------------------------------------------

    /**
     * Test-only DICOM walker, enough for the fixtures and ../shared/data: Part 10 file, explicit or
     * implicit VR little endian data set, sequences of defined or undefined length; finds Pixel
     * Data (7FE0,0010) and, when encapsulated (undefined length), walks its items (FFFE,E000):
     * the first is the Basic Offset Table, the rest are fragments.
     */
    static final class Encapsulated {
        private final byte[] b;
        private final boolean implicit;
        private int p;

        private Encapsulated(byte[] b) {
            this.b = b;
            if (b.length < 132 || b[128] != 'D' || b[129] != 'I' || b[130] != 'C' || b[131] != 'M') {
                throw new IllegalArgumentException("not a DICOM Part 10 file");
            }
            // group 0002 is explicit VR little endian; find the transfer syntax there
            p = 132;
            String ts = null;
            while (p + 8 <= b.length && u16(p) == 0x0002) {
                int elem = u16(p + 2);
                long[] h = header(false);
                if (elem == 0x0010) {
                    ts = new String(b, p, (int) h[1], StandardCharsets.US_ASCII).replace("\0", "").strip();
                }
                p += (int) h[1];
            }
            implicit = "1.2.840.10008.1.2".equals(ts);
        }

        /** The fragments of the single frame of an encapsulated Pixel Data, concatenated. */
        static byte[] singleFrame(byte[] file) {
            return concat(fragments(file));
        }

        /** The fragments of an encapsulated Pixel Data, Basic Offset Table left out. */
        static List<byte[]> fragments(byte[] file) {
            return new Encapsulated(file).readFragments();
        }

        static byte[] concat(List<byte[]> fragments) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            fragments.forEach(out::writeBytes);
            return out.toByteArray();
        }

        /** The value of a native (defined-length) Pixel Data. */
        static byte[] nativePixelData(byte[] file) {
            Encapsulated e = new Encapsulated(file);
            long[] h = e.findPixelData();
            if (h[1] == 0xFFFFFFFFL) {
                throw new IllegalArgumentException("pixel data is encapsulated");
            }
            return Arrays.copyOfRange(e.b, e.p, e.p + (int) h[1]);
        }

        private List<byte[]> readFragments() {
            long[] h = findPixelData();
            if (h[1] != 0xFFFFFFFFL) {
                throw new IllegalArgumentException("pixel data is not encapsulated");
            }
            List<byte[]> out = new ArrayList<>();
            boolean first = true;
            while (true) {
                int group = u16(p);
                int elem = u16(p + 2);
                long len = u32(p + 4);
                p += 8;
                if (group == 0xFFFE && elem == 0xE0DD) {
                    return out;
                }
                if (group != 0xFFFE || elem != 0xE000 || len == 0xFFFFFFFFL) {
                    throw new IllegalArgumentException(String.format("bad item (%04X,%04X)", group, elem));
                }
                if (!first) { // the first item is the Basic Offset Table
                    out.add(Arrays.copyOfRange(b, p, p + (int) len));
                }
                first = false;
                p += (int) len;
            }
        }

        /** Walks the top-level data set to Pixel Data; leaves p at its value; returns {tag, length}. */
        private long[] findPixelData() {
            while (p + 8 <= b.length) {
                long[] h = header(implicit);
                if (h[0] == 0x7FE00010L) {
                    return h;
                }
                skipValue(h[1]);
            }
            throw new IllegalArgumentException("no pixel data");
        }

        /** Reads an element header at p; returns {tag, length} and leaves p at the value. */
        private long[] header(boolean implicitVr) {
            long tag = (long) u16(p) << 16 | u16(p + 2);
            if (implicitVr || (tag >>> 16) == 0xFFFE) {
                long len = u32(p + 4);
                p += 8;
                return new long[] {tag, len};
            }
            String vr = new String(b, p + 4, 2, StandardCharsets.US_ASCII);
            if (List.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV").contains(vr)) {
                long len = u32(p + 8);
                p += 12;
                return new long[] {tag, len};
            }
            int len = u16(p + 6);
            p += 8;
            return new long[] {tag, len};
        }

        /** Skips a value of the given length; an undefined length is a sequence or item to walk. */
        private void skipValue(long len) {
            if (len != 0xFFFFFFFFL) {
                p += (int) len;
                return;
            }
            // undefined length: items until the sequence delimiter, elements until the item delimiter
            while (true) {
                long[] h = header(implicit);
                if (h[0] == 0xFFFEE0DDL) {
                    return;
                }
                if (h[0] != 0xFFFEE000L) {
                    throw new IllegalArgumentException("expected an item");
                }
                if (h[1] != 0xFFFFFFFFL) {
                    p += (int) h[1];
                    continue;
                }
                while (true) {
                    long[] e = header(implicit);
                    if (e[0] == 0xFFFEE00DL) {
                        break;
                    }
                    skipValue(e[1]);
                }
            }
        }

        private int u16(int at) {
            return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
        }

        private long u32(int at) {
            return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
        }
    }
}
