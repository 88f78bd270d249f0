package lessismore.io.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import lessismore.TestData;
import lessismore.io.codec.RleCodecTest.Encapsulated;
import lessismore.io.codec.RleCodecTest.Fixture;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Jpeg2000Codec} (JJ2000 from jai-imageio-jpeg2000) against:
 * <ul>
 *   <li>the 20 real 512×512 12-bit slices of ../shared/data/ct/totalseg-j2k, which must give exactly
 *       what pydicom 2.3.1 (Pillow/OpenJPEG 2.5.0) gives: {@code fixtures/j2k/totalseg_golden.tsv}
 *       holds per file the SHA-256 of the values as little-endian uint16, min, max and sum, and one
 *       full expected array for a per-pixel diff when a hash differs;
 *   <li>the 128×128 codestreams of {@code scripts/fixtures/make_rle_j2k_fixtures.sh} (OpenJPEG via
 *       Pillow: lossless one tile and tiled, signed 16-bit, lossy 9/7, 8-bit tiled, RGB with RCT in a
 *       JP2 wrapper), exact except the lossy one (within 2 of OpenJPEG's decode);
 *   <li>hostile headers and truncations, which the codec's own checks refuse before the library
 *       runs, and a few hundred random corruptions, which may only end in {@link CodecException}.
 * </ul>
 * Measured here (Temurin 25, development container): all 20 real slices bit-identical to pydicom;
 * lossy fixture max |difference| 1 on 295 of 16384 samples; one 512×512 slice ≈ 50 ms on one thread
 * (see {@link #throughput()}, which prints the numbers).
 */
class Jpeg2000CodecTest {
    private static final Jpeg2000Codec CODEC = new Jpeg2000Codec();
    private static final FrameInfo TOTALSEG = new FrameInfo(512, 512, 1, 16, 12, false);

    @TestFactory
    List<DynamicTest> fixturesMatchOpenJpeg() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Fixture f : RleCodecTest.fixtures("j2k")) {
            tests.add(DynamicTest.dynamicTest(f.name(), () -> {
                short[] got = RleCodecTest.decodeEmbedded(CODEC, f.frame(), f.info());
                if (f.tolerance() == 0) {
                    assertArrayEquals(f.expected(), got, f.name());
                } else {
                    int worst = 0;
                    int differing = 0;
                    for (int i = 0; i < got.length; i++) {
                        int d = Math.abs((got[i] & 0xFFFF) - (f.expected()[i] & 0xFFFF));
                        worst = Math.max(worst, d);
                        differing += d != 0 ? 1 : 0;
                    }
                    System.out.printf("JPEG 2000 %s: max |JJ2000 - OpenJPEG| = %d on %d of %d samples%n", f.name(),
                            worst, differing, got.length);
                    assertTrue(worst <= f.tolerance(), f.name() + ": max difference " + worst);
                }
            }));
        }
        assertEquals(6, tests.size());
        return tests;
    }

    @TestFactory
    List<DynamicTest> pydicomTestFilesMatchPydicom() throws IOException {
        return RleCodecTest.pydicomGolden("j2k", CODEC);
    }

    // ------------------------------------------------------------------------------------------
    // The real slices against pydicom

    record Golden(String sha256, int min, int max, long sum) {
    }

    static Map<String, Golden> golden() throws IOException {
        Map<String, Golden> g = new TreeMap<>();
        for (String line : Files.readAllLines(RleCodecTest.fixtureDir("j2k").resolve("totalseg_golden.tsv"),
                StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.startsWith("file\t")) {
                continue;
            }
            String[] f = line.split("\t");
            g.put(f[0], new Golden(f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4])));
        }
        return g;
    }

    static Path totalseg() {
        return TestData.sharedData().resolve("ct/totalseg-j2k");
    }

    static Golden measure(short[] v) {
        byte[] le = new byte[v.length * 2];
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        long sum = 0;
        for (int i = 0; i < v.length; i++) {
            int u = v[i] & 0xFFFF;
            le[2 * i] = (byte) u;
            le[2 * i + 1] = (byte) (u >>> 8);
            min = Math.min(min, u);
            max = Math.max(max, u);
            sum += u;
        }
        try {
            return new Golden(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(le)), min, max, sum);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void realSlicesMatchPydicom() throws Exception {
        Map<String, Golden> golden = golden();
        assertEquals(20, golden.size());
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Golden> e : golden.entrySet()) {
            byte[] frame = Encapsulated.singleFrame(Files.readAllBytes(totalseg().resolve(e.getKey())));
            short[] out = new short[TOTALSEG.sampleCount()];
            CODEC.decode(frame, 0, frame.length, TOTALSEG, out);
            Golden got = measure(out);
            if (!got.equals(e.getValue())) {
                mismatches.add(e.getKey() + ": got " + got + ", pydicom " + e.getValue() + diffReport(e.getKey(), out));
            }
        }
        System.out.printf("JPEG 2000 vs pydicom: %d of %d real slices identical%n", golden.size() - mismatches.size(),
                golden.size());
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
    }

    /** Per-pixel differences, for the one slice whose full expected array is stored. */
    private static String diffReport(String file, short[] got) throws IOException {
        Path full = RleCodecTest.fixtureDir("j2k").resolve("totalseg_" + file.substring(file.length() - 5)
                + ".expected.u16le.gz");
        if (!Files.exists(full)) {
            return "";
        }
        short[] want = RleCodecTest.expected(full, got.length);
        int n = 0;
        int first = -1;
        int worst = 0;
        for (int i = 0; i < got.length; i++) {
            if (got[i] != want[i]) {
                n++;
                first = first < 0 ? i : first;
                worst = Math.max(worst, Math.abs((got[i] & 0xFFFF) - (want[i] & 0xFFFF)));
            }
        }
        return n == 0 ? "" : String.format(" (%d pixels differ, first at row %d col %d: %d vs %d, max |diff| %d)", n,
                first / 512, first % 512, got[first] & 0xFFFF, want[first] & 0xFFFF, worst);
    }

    @Test
    void concurrentDecodesAgree() throws Exception {
        Map<String, Golden> golden = golden();
        List<byte[]> frames = new ArrayList<>();
        List<Golden> want = new ArrayList<>();
        for (Map.Entry<String, Golden> e : golden.entrySet()) {
            frames.add(Encapsulated.singleFrame(Files.readAllBytes(totalseg().resolve(e.getKey()))));
            want.add(e.getValue());
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Golden>> results = new ArrayList<>();
            for (int rep = 0; rep < 2; rep++) {
                for (byte[] f : frames) {
                    results.add(pool.submit(() -> {
                        short[] out = new short[TOTALSEG.sampleCount()];
                        CODEC.decode(f, 0, f.length, TOTALSEG, out);
                        return measure(out);
                    }));
                }
            }
            for (int i = 0; i < results.size(); i++) {
                assertEquals(want.get(i % frames.size()), results.get(i).get(), "decode " + i);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // The codec's own checks, before the library

    private static byte[] fixtureStream(String name) throws IOException {
        return Files.readAllBytes(RleCodecTest.fixtureDir("j2k").resolve(name));
    }

    private static String refusal(byte[] s, FrameInfo info) {
        return assertThrows(CodecException.class,
                () -> CODEC.decode(s, 0, s.length, info, new short[Math.max(0, info.sampleCount())])).getMessage();
    }

    private static void put32(byte[] b, int p, long v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
    }

    /** Offset of SIZ's Lsiz in a raw codestream. */
    private static final int SIZ = 4;

    @Test
    void headerMismatchesAndHostileSizes() throws IOException {
        byte[] cs = fixtureStream("chest12_lossless.j2k");
        FrameInfo info = new FrameInfo(128, 128, 1, 16, 12, false);
        assertEquals("JPEG 2000: image is 128 x 128, DICOM header says 128 x 64",
                refusal(cs, new FrameInfo(64, 128, 1, 16, 12, false)));
        assertEquals("JPEG 2000: 1 components, DICOM header says 3 samples per pixel",
                refusal(cs, new FrameInfo(128, 128, 3, 16, 12, false)));
        assertEquals("JPEG 2000: component 0 has 16-bit samples, DICOM header allocates 8 bits",
                refusal(cs, new FrameInfo(128, 128, 1, 8, 8, false)));
        assertEquals("JPEG 2000: frame is neither a codestream (starts FF4F) nor a JP2 file",
                refusal(new byte[100], info));
        assertEquals("JPEG 2000: 32-bit samples not supported (8 or 16)",
                refusal(cs, new FrameInfo(128, 128, 1, 32, 32, false)));

        // a 2-gigapixel image claimed by SIZ, with a small frame in the DICOM header: never reaches the library
        byte[] huge = cs.clone();
        put32(huge, SIZ + 4, 0x7FFF_FFF0L);
        put32(huge, SIZ + 8, 0x7FFF_FFF0L);
        assertEquals("JPEG 2000: image is 2147483632 x 2147483632, DICOM header says 128 x 128", refusal(huge, info));
        // 1x1 tiles: 16384 tiles are allowed, but the stream holds tile-parts for tile 0 only
        byte[] tiny = cs.clone();
        put32(tiny, SIZ + 20, 1);
        put32(tiny, SIZ + 24, 1);
        assertEquals("JPEG 2000: tile 1 of 16384 missing: codestream truncated", refusal(tiny, info));
        // 1x1 tiles on 600x600: more tiles than a codestream can number
        byte[] tooManyTiles = cs.clone();
        put32(tooManyTiles, SIZ + 4, 600);
        put32(tooManyTiles, SIZ + 8, 600);
        put32(tooManyTiles, SIZ + 12, 0);
        put32(tooManyTiles, SIZ + 20, 1);
        put32(tooManyTiles, SIZ + 24, 1);
        assertEquals("JPEG 2000: 600 x 600 tiles (at most 65535)",
                refusal(tooManyTiles, new FrameInfo(600, 600, 1, 16, 12, false)));
        byte[] subsampled = cs.clone();
        subsampled[SIZ + 38 + 1] = 2;
        assertEquals("JPEG 2000: component 0 subsampled 2 x 1 (not supported)", refusal(subsampled, info));
        byte[] htj2k = cs.clone();
        htj2k[SIZ + 2] = 0x40;
        assertEquals("JPEG 2000: HTJ2K (Part 15) codestream not supported (Rsiz 4000)", refusal(htj2k, info));

        // COD: code-block of 2^11 x 2^2, then 33 decomposition levels
        int cod = indexOf(cs, 0xFF52);
        byte[] cb = cs.clone();
        cb[cod + 4 + 6] = 9;
        cb[cod + 4 + 7] = 0;
        assertEquals("JPEG 2000: COD code-block size 2^11 x 2^2 out of range", refusal(cb, info));
        byte[] levels = cs.clone();
        levels[cod + 4 + 5] = 33;
        assertEquals("JPEG 2000: COD gives 33 decomposition levels (at most 32)", refusal(levels, info));
        byte[] noLayers = cs.clone();
        noLayers[cod + 4 + 2] = 0;
        noLayers[cod + 4 + 3] = 0;
        assertEquals("JPEG 2000: COD gives 0 quality layers", refusal(noLayers, info));
        // JJ2000 keeps per-layer state per code-block: 65535 layers made a 16 KB frame allocate 190 MB
        byte[] manyLayers = cs.clone();
        manyLayers[cod + 4 + 2] = 0x40;
        manyLayers[cod + 4 + 3] = 0x01;
        assertEquals("JPEG 2000: 16385 quality layers x 1 tiles x 1 components (at most 16384)",
                refusal(manyLayers, info));
        // the COM segment turned into PPM: packed packet headers are refused (JJ2000 can loop forever on them)
        int com = indexOf(cs, 0xFF64);
        byte[] ppm = cs.clone();
        ppm[com + 1] = 0x60;
        assertEquals("JPEG 2000: packed packet headers (PPM/PPT) are not supported", refusal(ppm, info));
        // a Part 2 marker in a tile-part header, instead of SOD
        int sod = indexOf(cs, 0xFF93);
        byte[] inTile = cs.clone();
        inTile[sod + 1] = 0x74;
        assertEquals("JPEG 2000: marker FF74 at byte " + sod + " in the header of a tile-part of tile 0",
                refusal(inTile, info));
        // an unknown (Part 2) marker segment in the main header
        byte[] part2 = cs.clone();
        part2[cod + 1] = 0x74;
        assertEquals("JPEG 2000: marker FF74 at byte " + cod + " of the main header not supported (not JPEG 2000 "
                + "Part 1)", refusal(part2, info));
    }

    @Test
    void part1ProfilesDecode() throws IOException, CodecException {
        // JJ2000 itself refuses Rsiz above 2 ("not JPEG 2000 - Part I compliant"); the codec hides
        // the profile from it: 3/4 cinema 2K/4K, 0x0100 broadcast, 0x0400 IMF
        byte[] cs = fixtureStream("chest12_lossless.j2k");
        FrameInfo info = new FrameInfo(128, 128, 1, 16, 12, false);
        short[] want = RleCodecTest.fixtures("j2k").get(0).expected();
        for (int rsiz : new int[] {1, 2, 3, 4, 0x0100, 0x0400}) {
            byte[] s = cs.clone();
            s[SIZ + 2] = (byte) (rsiz >>> 8);
            s[SIZ + 3] = (byte) rsiz;
            short[] out = new short[info.sampleCount()];
            RleCodecTest.decodeEmbeddedInto(CODEC, s, info, out);
            assertArrayEquals(want, out, "Rsiz " + rsiz);
        }
    }

    @Test
    void truncationIsRefusedNotDegraded() throws IOException {
        byte[] cs = fixtureStream("chest12_lossless.j2k");
        FrameInfo info = new FrameInfo(128, 128, 1, 16, 12, false);
        // left to JJ2000, these print a stack trace to standard error and end in ThreadDeath
        assertEquals("JPEG 2000: tile-part of tile 0 at byte 119 of length 15533 runs 98 bytes past end of frame "
                + "(15554 bytes): codestream truncated", refusal(Arrays.copyOf(cs, cs.length - 100), info));
        assertTrue(refusal(Arrays.copyOf(cs, 300), info).endsWith("codestream truncated"));
        assertTrue(refusal(Arrays.copyOf(cs, 60), info).startsWith("JPEG 2000: main header runs past end of frame"));
        // complete tile-parts without EOC, and one pad byte after EOC (even-length fragment), decode
        short[] want = RleCodecTest.fixtures("j2k").get(0).expected();
        short[] out = new short[info.sampleCount()];
        assertDoesNotThrow(Arrays.copyOf(cs, cs.length - 2), info, out);
        assertArrayEquals(want, out);
        assertDoesNotThrow(Arrays.copyOf(cs, cs.length + 1), info, out);
        assertArrayEquals(want, out);
        // a tiled stream cut after its second tile
        byte[] tiled = fixtureStream("chest12_tiled.j2k");
        int third = nthIndexOf(tiled, 0xFF90, 3);
        assertEquals("JPEG 2000: tile 2 of 3 missing: codestream truncated",
                refusal(Arrays.copyOf(tiled, third), info));
        // JP2 wrapper cut inside its codestream box
        byte[] jp2 = fixtureStream("rgb8_rct.jp2");
        assertTrue(refusal(Arrays.copyOf(jp2, jp2.length - 500), new FrameInfo(128, 128, 3, 8, 8, false))
                .startsWith("JP2: box 'jp2c'"));
    }

    private static void assertDoesNotThrow(byte[] s, FrameInfo info, short[] out) {
        try {
            CODEC.decode(s, 0, s.length, info, out);
        } catch (CodecException e) {
            fail(e.getMessage());
        }
    }

    static int indexOf(byte[] b, int marker) {
        return nthIndexOf(b, marker, 1);
    }

    static int nthIndexOf(byte[] b, int marker, int n) {
        for (int i = 0; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) == marker >>> 8 && (b[i + 1] & 0xFF) == (marker & 0xFF) && --n == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("marker not found");
    }

    // ------------------------------------------------------------------------------------------
    // Robustness: a few hundred damaged streams through the library, nothing but CodecException

    @Test
    void damagedStreamsOnlyGiveCodecException() throws IOException {
        List<Fixture> fixtures = RleCodecTest.fixtures("j2k");
        int[] outcome = new int[3]; // decoded, refused by the checks, refused by the library
        long[] slowest = new long[1];
        assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
            SplittableRandom rnd = new SplittableRandom(42);
            for (int trial = 0; trial < 600; trial++) {
                Fixture f = fixtures.get(trial % fixtures.size());
                byte[] s = f.frame().clone();
                switch (trial % 3) {
                    case 0 -> s = Arrays.copyOf(s, rnd.nextInt(s.length)); // truncation
                    case 1 -> { // a few random bytes anywhere
                        for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                            s[rnd.nextInt(s.length)] = (byte) rnd.nextInt(256);
                        }
                    }
                    default -> { // one byte in the headers (first 200 bytes), where the library trusts most
                        s[rnd.nextInt(Math.min(200, s.length))] = (byte) rnd.nextInt(256);
                    }
                }
                short[] out = new short[f.info().sampleCount()];
                long t = System.nanoTime();
                try {
                    CODEC.decode(s, 0, s.length, f.info(), out);
                    outcome[0]++;
                } catch (CodecException e) {
                    String m = e.getMessage();
                    assertTrue(m.startsWith("JPEG 2000: ") || m.startsWith("JP2: "), m);
                    assertTrue(!m.contains("\n"), m);
                    outcome[m.startsWith("JPEG 2000: decoder") ? 2 : 1]++;
                } catch (Throwable x) {
                    fail(f.name() + " trial " + trial + ": " + x, x);
                }
                slowest[0] = Math.max(slowest[0], System.nanoTime() - t);
            }
        });
        System.out.printf("JPEG 2000 robustness: 600 damaged streams: %d refused by the codec's checks, %d by the "
                + "library, %d decoded (corrupt data, no checksum in JPEG 2000); slowest %.0f ms%n", outcome[1],
                outcome[2], outcome[0], slowest[0] / 1e6);
    }

    // ------------------------------------------------------------------------------------------
    // Throughput (printed, not asserted)

    @Test
    void throughput() throws Exception {
        Path first;
        try (var s = Files.list(totalseg())) {
            first = s.sorted().findFirst().orElseThrow();
        }
        byte[] frame = Encapsulated.singleFrame(Files.readAllBytes(first));
        short[] out = new short[TOTALSEG.sampleCount()];
        for (int i = 0; i < 20; i++) {
            CODEC.decode(frame, 0, frame.length, TOTALSEG, out);
        }
        int n = 40;
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            CODEC.decode(frame, 0, frame.length, TOTALSEG, out);
        }
        double ms = (System.nanoTime() - t) / 1e6 / n;
        int threads = Math.min(8, Runtime.getRuntime().availableProcessors());
        long t2;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> fs = new ArrayList<>();
            t2 = System.nanoTime();
            for (int i = 0; i < n * threads / 2; i++) {
                fs.add(pool.submit(() -> {
                    CODEC.decode(frame, 0, frame.length, TOTALSEG, new short[TOTALSEG.sampleCount()]);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            t2 = System.nanoTime() - t2;
        }
        double parallelMs = t2 / 1e6 / (n * threads / 2);
        System.out.printf("JPEG 2000 512x512 12-bit lossless real slice (%d compressed bytes): %.1f ms/slice "
                + "(%.1f MB/s decoded) on one thread; %.1f ms/slice with %d threads%n", frame.length, ms,
                512 * 512 * 2 / 1e3 / ms, parallelMs, threads);
    }
}
