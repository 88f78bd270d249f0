package lessismore.signature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import lessismore.TestData;
import lessismore.io.InputFile;
import lessismore.io.InputScanner;
import lessismore.reduce.SliceDecoder;
import org.junit.jupiter.api.Test;

/**
 * The imagehash 4.3 hash family against its Python definitions (golden file made by
 * scripts/golden/make_imagehash_golden.py with PIL 9.4, numpy, scipy.fftpack and pywt) on every
 * slice of ../shared/data/ct, on non-square crops of some and on masked copies whose whash
 * coefficients tie with the median, bit for bit; plus unit checks of the hex text, Hamming distance
 * and {@link HashMethod}.
 */
class ImageHashTest {
    /**
     * "relpath", or an image derived from that slice's 8-bit pixels: "relpath#crop=WxH+X+Y" (that
     * rectangle only) or "relpath#keep=WxH+X+Y" (the slice with everything outside it set to 0).
     */
    private static final Pattern DERIVED = Pattern.compile("(.*)#(crop|keep)=(\\d+)x(\\d+)\\+(\\d+)\\+(\\d+)");

    record Golden(String image, String crc32, HashMethod.Kind kind, int size, String hex) {
    }

    static List<Golden> golden() throws IOException {
        List<Golden> rows = new ArrayList<>();
        try (InputStream s = ImageHashTest.class.getResourceAsStream("/golden/imagehash-shared-ct.csv")) {
            String[] lines = new String(s.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].split(",");
                rows.add(new Golden(f[0], f[1], HashMethod.Kind.valueOf(f[2].toUpperCase(java.util.Locale.ROOT)),
                        Integer.parseInt(f[3]), f[4]));
            }
        }
        return rows;
    }

    /** An 8-bit image and its size. */
    record Gray(byte[] pixels, int width, int height) {
        String crc32() {
            CRC32 c = new CRC32();
            c.update(pixels, 0, width * height);
            return String.format("%08x", c.getValue());
        }

        Gray crop(int x0, int y0, int w, int h) {
            byte[] out = new byte[w * h];
            for (int y = 0; y < h; y++) {
                System.arraycopy(pixels, (y0 + y) * width + x0, out, y * w, w);
            }
            return new Gray(out, w, h);
        }

        Gray keep(int x0, int y0, int w, int h) {
            byte[] out = new byte[width * height];
            for (int y = y0; y < y0 + h; y++) {
                System.arraycopy(pixels, y * width + x0, out, y * width + x0, w);
            }
            return new Gray(out, width, height);
        }

        /** The image a golden row names, from its slice. */
        Gray derived(Matcher m) {
            int w = Integer.parseInt(m.group(3));
            int h = Integer.parseInt(m.group(4));
            int x = Integer.parseInt(m.group(5));
            int y = Integer.parseInt(m.group(6));
            return m.group(2).equals("crop") ? crop(x, y, w, h) : keep(x, y, w, h);
        }
    }

    @Test
    void everyHashOfEverySharedSliceEqualsTheGolden() throws Exception {
        Path ct = TestData.sharedData().resolve("ct");
        Map<String, InputFile> files = new HashMap<>();
        for (InputFile f : InputScanner.scan(ct)) {
            files.put(f.relativePath(), f);
        }
        SliceDecoder decoder = new SliceDecoder();
        Map<String, Gray> slices = new HashMap<>();
        Map<String, HashMethod> methods = new HashMap<>();
        int compared = 0;
        List<String> mismatches = new ArrayList<>();
        List<Golden> golden = golden();
        for (Golden g : golden) {
            Matcher m = DERIVED.matcher(g.image());
            String rel = m.matches() ? m.group(1) : g.image();
            Gray slice = slices.computeIfAbsent(rel, r -> {
                try {
                    decoder.decodeSlice(files.get(r), 0);
                } catch (Exception e) {
                    throw new AssertionError(r, e);
                }
                decoder.to8Bit();
                return new Gray(decoder.gray().clone(), decoder.width(), decoder.height());
            });
            Gray img = m.matches() ? slice.derived(m) : slice;
            // Same pixels on both sides first, so that a mismatch below can only be the hash.
            assertEquals(g.crc32(), img.crc32(), g.image() + ": 8-bit pixels differ from the oracle's");
            HashMethod method = methods.computeIfAbsent(g.kind() + "-" + g.size(),
                    k -> new HashMethod(g.kind(), g.size()));
            String got = method.text(method.hash(img.pixels(), img.width(), img.height()));
            if (!got.equals(g.hex())) {
                mismatches.add(g.image() + " " + method.name() + ": " + got + " != " + g.hex());
            }
            compared++;
        }
        long derived = golden.stream().filter(g -> DERIVED.matcher(g.image()).matches()).count() / 8;
        System.out.printf("imagehash golden: (%d slices + %d derived images) x 8 hashes = %d compared, %d mismatches%n",
                slices.size(), derived, compared, mismatches.size());
        assertEquals(List.of(), mismatches);
        assertEquals(271, slices.size(), "every slice of the shared CT data, JPEG 2000 included");
        assertEquals(20, derived, "3 crops and 1 masked image of the first slice of each of the 5 series");
        assertEquals((271 + derived) * 8, compared);
    }

    private static byte[] randomImage(Random rnd, int w, int h) {
        byte[] g = new byte[w * h];
        rnd.nextBytes(g);
        return g;
    }

    /** The 8 hashes of a w × h image. */
    private static List<long[]> allHashes(byte[] g, int w, int h) {
        List<long[]> out = new ArrayList<>();
        for (HashMethod.Kind k : HashMethod.Kind.values()) {
            for (int n : new int[] {8, 16}) {
                out.add(new HashMethod(k, n).hash(g, w, h));
            }
        }
        return out;
    }

    @Test
    void dhash8IsThePublishedDHash() {
        Random rnd = new Random();
        for (int[] size : new int[][] {{512, 512}, {300, 200}, {61, 37}, {9, 8}}) {
            byte[] g = randomImage(rnd, size[0], size[1]);
            long[] h = ImageHash.dhash(g, size[0], size[1], 8);
            assertEquals(1, h.length);
            assertEquals(DHash.dhash64(g, size[0], size[1]), h[0]);
            assertEquals(DHash.toHex(h[0]), ImageHash.hex(h, 64));
        }
    }

    @Test
    void hexIsImagehashStr() {
        Random rnd = new Random();
        for (int nbits : new int[] {4, 9, 25, 63, 64, 65, 100, 256}) {
            long[] words = new long[(nbits + 63) / 64];
            // Random bits, in the used positions only: bit i is bit 63 - i % 64 of word i / 64.
            StringBuilder binary = new StringBuilder();
            for (int i = 0; i < nbits; i++) {
                boolean bit = rnd.nextBoolean();
                binary.append(bit ? '1' : '0');
                if (bit) {
                    words[i / 64] |= 1L << (63 - i % 64);
                }
            }
            String want = new BigInteger(binary.toString(), 2).toString(16);
            want = "0".repeat((nbits + 3) / 4 - want.length()) + want;
            assertEquals(want, ImageHash.hex(words, nbits), nbits + " bits");
        }
        assertEquals("0000000000000000", ImageHash.hex(new long[1], 64));
        assertEquals("100", ImageHash.hex(new long[] {Long.MIN_VALUE}, 9), "first of 9 bits is worth 0x100");
        assertThrows(IllegalArgumentException.class, () -> ImageHash.hex(new long[2], 64));
    }

    @Test
    void hammingCountsDifferingBits() {
        Random rnd = new Random();
        long[] a = rnd.longs(4).toArray();
        long[] b = rnd.longs(4).toArray();
        int want = 0;
        for (int i = 0; i < 256; i++) {
            boolean x = (a[i / 64] >>> (63 - i % 64) & 1) != 0;
            boolean y = (b[i / 64] >>> (63 - i % 64) & 1) != 0;
            want += x != y ? 1 : 0;
        }
        assertEquals(want, ImageHash.hamming(a, b));
        assertEquals(0, ImageHash.hamming(a, a.clone()));
        assertEquals(ImageHash.hamming(a, b), ImageHash.hamming(b, a));
        assertThrows(IllegalArgumentException.class, () -> ImageHash.hamming(a, new long[1]));
    }

    @Test
    void hashesHaveTheirSizeOnAnyShapeAndAreDeterministic() {
        Random rnd = new Random();
        for (int[] size : new int[][] {{512, 512}, {511, 257}, {37, 61}, {3, 40}}) {
            byte[] g = randomImage(rnd, size[0], size[1]);
            List<long[]> first = allHashes(g, size[0], size[1]);
            List<long[]> again = allHashes(g.clone(), size[0], size[1]);
            for (int i = 0; i < first.size(); i++) {
                assertEquals(i % 2 == 0 ? 1 : 4, first.get(i).length);
                assertEquals(0, ImageHash.hamming(first.get(i), again.get(i)));
            }
        }
    }

    @Test
    void whashOfNonSquareInputIsThatOfItsPowerOfTwoResize() {
        // imagehash resizes to the largest power of 2 <= min(w, h) first; Pillow leaves an image of
        // that size unchanged, so hashing the resized image must give the same hash.
        Random rnd = new Random();
        int w = 300;
        int h = 200;
        byte[] g = randomImage(rnd, w, h);
        int[] resized = PilLanczos.resize(g, w, h, 128, 128);
        byte[] square = new byte[resized.length];
        for (int i = 0; i < resized.length; i++) {
            square[i] = (byte) resized[i];
        }
        for (int n : new int[] {8, 16}) {
            assertEquals(0, ImageHash.hamming(ImageHash.whash(g, w, h, n), ImageHash.whash(square, 128, 128, n)));
        }
    }

    @Test
    void hashMethodDescribesItself() {
        HashMethod p16 = new HashMethod(HashMethod.Kind.PHASH, 16);
        assertEquals("phash-16", p16.name());
        assertEquals(SignatureMethod.Direction.DISTANCE, p16.direction());
        assertTrue(p16.discrete());
        Map<String, Object> params = p16.parameters();
        assertEquals("phash", params.get("kind"));
        assertEquals(16, params.get("hash_size"));
        assertEquals(256, params.get("bits"));
        assertEquals("Pillow LANCZOS", params.get("resize_filter"));
        assertEquals("imagehash 4.3", params.get("definition"));
        assertEquals(4, params.get("highfreq_factor"));
        assertEquals("haar", new HashMethod(HashMethod.Kind.WHASH, 8).parameters().get("mode"));
        assertEquals("dhash-8", new HashMethod(HashMethod.Kind.DHASH, 8).name());
        assertEquals("ahash-16", new HashMethod(HashMethod.Kind.AHASH, 16).name());
        assertEquals("whash-8", new HashMethod(HashMethod.Kind.WHASH, 8).name());
        assertTrue(p16.redundant(3, 3));
        assertFalse(p16.redundant(4, 3));
    }

    @Test
    void hashMethodRefusesSizesImagehashRefuses() {
        for (HashMethod.Kind k : HashMethod.Kind.values()) {
            assertThrows(IllegalArgumentException.class, () -> new HashMethod(k, 1));
            assertThrows(IllegalArgumentException.class, () -> new HashMethod(k, 0));
        }
        assertThrows(IllegalArgumentException.class, () -> new HashMethod(HashMethod.Kind.WHASH, 12));
        assertEquals("phash-12", new HashMethod(HashMethod.Kind.PHASH, 12).name());
    }

    @Test
    void signerSignsAtOnceAndCompareIsHamming() {
        Random rnd = new Random();
        byte[] a = randomImage(rnd, 128, 96);
        byte[] b = randomImage(rnd, 128, 96);
        for (HashMethod.Kind k : HashMethod.Kind.values()) {
            HashMethod m = new HashMethod(k, 16);
            long[][] got = new long[2][];
            try (Signer<long[]> s = m.newSigner()) {
                s.sign(a, 128, 96, h -> got[0] = h);
                s.sign(b, 128, 96, h -> got[1] = h);
                // Synchronous: the sinks ran before flush.
                assertTrue(got[0] != null && got[1] != null, m.name());
            }
            assertEquals(ImageHash.hamming(got[0], got[1]), m.compare(got[0], got[1]));
            assertEquals(64, m.text(got[0]).length());
        }
    }
}
