package lessismore.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import lessismore.kernels.PerceptualHash.Kind;
import lessismore.preprocess.Preprocessing;
import lessismore.preprocess.PublishedPreprocessing;
import lessismore.signature.DHash;
import lessismore.signature.ImageHash;
import org.junit.jupiter.api.Test;

/**
 * The batch reference against per-image {@link ImageHash} (8-bit and int16 + lookup-table inputs,
 * CT-like synthetic slices), and the device plan checked on the CPU: {@link #emulateFused} runs the
 * fused kernel's algorithm (bands, 16-aligned groups of 4 outputs, per-band vertical sums, rank
 * median) over {@link PerceptualHashPlan}'s tables and must give ImageHash's bits, so a wrong table
 * shows here rather than on the GPU.
 */
class PerceptualHashTest {
    private static final int ROUND = 1 << 21;

    /** A CT-like int16 slice in HU: air around a noisy elliptic body with a bright bone ring. */
    static short[] ctSlice(Random rnd, int w, int h) {
        short[] px = new short[w * h];
        double cx = w / 2.0 + rnd.nextGaussian() * w * 0.03;
        double cy = h / 2.0 + rnd.nextGaussian() * h * 0.03;
        double rx = w * (0.35 + 0.05 * rnd.nextDouble());
        double ry = h * (0.30 + 0.05 * rnd.nextDouble());
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d = Math.hypot((x - cx) / rx, (y - cy) / ry);
                double v;
                if (d > 1) {
                    v = -1000 + rnd.nextGaussian() * 5;
                } else if (d > 0.92) {
                    v = 700 + rnd.nextGaussian() * 60;
                } else {
                    v = 40 + 30 * Math.sin(x * 0.07) * Math.cos(y * 0.05) + rnd.nextGaussian() * 15;
                }
                px[y * w + x] = (short) Math.round(v);
            }
        }
        return px;
    }

    /** Random bytes with flat rectangles, so that resized pixels tie (equal neighbours, median ties). */
    static byte[] withFlats(Random rnd, int w, int h) {
        byte[] g = new byte[w * h];
        rnd.nextBytes(g);
        for (int r = 0; r < 3; r++) {
            int x0 = rnd.nextInt(w);
            int y0 = rnd.nextInt(h);
            int x1 = Math.min(w, x0 + 1 + rnd.nextInt(w));
            int y1 = Math.min(h, y0 + 1 + rnd.nextInt(h));
            byte v = (byte) rnd.nextInt(256);
            for (int y = y0; y < y1; y++) {
                Arrays.fill(g, y * w + x0, y * w + x1, v);
            }
        }
        return g;
    }

    /** Per image: the tables, packed, with lutMin/lutOffset, as a batching Signer would build them. */
    record Luts(byte[] luts, int[] lutMin, int[] lutOffset) {
        static Luts of(Preprocessing prep, short[] pixels, int count, int n) {
            int[] lut = new int[PublishedPreprocessing.LUT_SIZE];
            int[] min = new int[count];
            int[] offset = new int[count];
            byte[] packed = new byte[0];
            for (int i = 0; i < count; i++) {
                short[] img = Arrays.copyOfRange(pixels, i * n, (i + 1) * n);
                min[i] = prep.lut(img, n, lut);
                int max = Integer.MIN_VALUE;
                for (short v : img) {
                    max = Math.max(max, v);
                }
                int len = max - min[i] + 1;
                offset[i] = packed.length;
                packed = Arrays.copyOf(packed, packed.length + len);
                for (int v = 0; v < len; v++) {
                    packed[offset[i] + v] = (byte) lut[v];
                }
            }
            return new Luts(packed, min, offset);
        }
    }

    @Test
    void batchIsPerImageImageHash() {
        Random rnd = new Random(51);
        for (int[] size : new int[][] {{64, 48}, {33, 35}, {9, 8}}) {
            int w = size[0];
            int h = size[1];
            int count = 5;
            byte[] images = new byte[count * w * h];
            rnd.nextBytes(images);
            for (Kind kind : Kind.values()) {
                for (int n : new int[] {8, 16}) {
                    long[] got = PerceptualHash.hash(kind, n, images, count, w, h);
                    int words = PerceptualHash.words(n);
                    assertEquals(count * words, got.length);
                    for (int i = 0; i < count; i++) {
                        byte[] one = Arrays.copyOfRange(images, i * w * h, (i + 1) * w * h);
                        long[] want = switch (kind) {
                            case DHASH -> ImageHash.dhash(one, w, h, n);
                            case AHASH -> ImageHash.ahash(one, w, h, n);
                            case PHASH -> ImageHash.phash(one, w, h, n);
                        };
                        assertArrayEquals(want, Arrays.copyOfRange(got, i * words, (i + 1) * words),
                                kind + " " + n + " image " + i + " of " + w + "x" + h);
                    }
                }
            }
        }
    }

    @Test
    void int16BatchIsTheSliceDecodersPath() {
        Random rnd = new Random(52);
        int w = 96;
        int h = 80;
        int n = w * h;
        int count = 4;
        short[] pixels = new short[count * n];
        for (int i = 0; i < count; i++) {
            System.arraycopy(ctSlice(rnd, w, h), 0, pixels, i * n, n);
        }
        for (Preprocessing prep : new Preprocessing[] {new Preprocessing.PublishedMinMax(),
                new Preprocessing.Window(-600, 1500, "lung"), new Preprocessing.ClippedMinMax(-1000, 400)}) {
            Luts l = Luts.of(prep, pixels, count, n);
            for (Kind kind : Kind.values()) {
                for (int hs : new int[] {8, 16}) {
                    long[] got = PerceptualHash.hashInt16(kind, hs, pixels, count, w, h, l.luts(), l.lutMin(),
                            l.lutOffset());
                    int words = PerceptualHash.words(hs);
                    int[] lut = new int[PublishedPreprocessing.LUT_SIZE];
                    for (int i = 0; i < count; i++) {
                        short[] img = Arrays.copyOfRange(pixels, i * n, (i + 1) * n);
                        int min = prep.lut(img, n, lut);
                        byte[] gray = new byte[n];
                        PublishedPreprocessing.to8Bit(img, n, min, lut, gray);
                        long[] want = PerceptualHash.hashOne(kind, hs, gray, w, h);
                        assertArrayEquals(want, Arrays.copyOfRange(got, i * words, (i + 1) * words),
                                prep.describe() + " " + kind + " " + hs + " image " + i);
                        if (kind == Kind.DHASH && hs == 8) {
                            // SliceDecoder.dhash64 maps rows on the fly: same bits.
                            int[] table = lut;
                            long rows = DHash.dhash64((y, dst) -> {
                                for (int x = 0; x < w; x++) {
                                    dst[x] = table[img[y * w + x] - min];
                                }
                            }, w, h);
                            assertEquals(rows, got[i]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> PerceptualHash.hash(Kind.DHASH, 12, new byte[64], 1, 8, 8));
        assertThrows(IllegalArgumentException.class, () -> PerceptualHash.hash(Kind.DHASH, 8, new byte[63], 1, 8, 8));
        short[] px = {5, 6, 7, 9};
        assertThrows(IllegalArgumentException.class, () -> PerceptualHash.hashInt16(Kind.AHASH, 8, px, 1, 2, 2,
                new byte[4], new int[] {5}, new int[] {0}));
    }

    @Test
    void devicePlanEmulatedOnTheCpuGivesImageHash() {
        Random rnd = new Random(53);
        for (int[] size : new int[][] {{512, 512}, {511, 509}, {300, 200}, {130, 64}, {64, 64}, {32, 32}, {17, 16},
                {9, 8}, {16, 16}, {40, 7}}) {
            int w = size[0];
            int h = size[1];
            byte[][] images = {withFlats(rnd, w, h), randomBytes(rnd, w * h), flat(w, h, 0), flat(w, h, 77)};
            for (Kind kind : Kind.values()) {
                for (int n : new int[] {8, 16}) {
                    PerceptualHashPlan plan = PerceptualHashPlan.of(kind, n, w, h);
                    checkLayout(plan);
                    for (byte[] g : images) {
                        assertArrayEquals(PerceptualHash.hashOne(kind, n, g, w, h), emulateFused(plan, g),
                                kind + " " + n + " " + w + "x" + h);
                    }
                }
            }
        }
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] g = new byte[n];
        rnd.nextBytes(g);
        return g;
    }

    private static byte[] flat(int w, int h, int v) {
        byte[] g = new byte[w * h];
        Arrays.fill(g, (byte) v);
        return g;
    }

    /** The shared-memory regions of native/perceptual_hash.h: aligned, large enough, disjoint. */
    private static void checkLayout(PerceptualHashPlan p) {
        int b = PerceptualHashPlan.BAND;
        assertEquals(0, p.pitch % 16);
        assertTrue(p.pitch >= p.w);
        assertEquals(0, p.midOffset % 16);
        assertEquals(0, p.resOffset % 16);
        assertTrue(p.midOffset >= b * p.pitch);
        if (p.kind == Kind.PHASH) {
            assertTrue(p.midOffset >= (p.hashSize * 4 * p.hashSize + p.hashSize * p.hashSize) * 8);
        }
        assertTrue(p.resOffset >= p.midOffset + b * 4 * p.groups * 4);
        assertTrue(p.smemBytes >= p.resOffset + p.outW * p.outH * 4);
        assertEquals(0, p.hGroupsAt % 4);
        assertEquals(0, p.hWeightsAt % 4);
        for (int g = 0; g < p.groups; g++) {
            int kStart = p.tables[p.hGroupsAt + 4 * g];
            int kLen = p.tables[p.hGroupsAt + 4 * g + 1];
            assertEquals(0, kStart % 16);
            assertEquals(0, kLen % 16);
            assertTrue(kStart >= 0 && kStart + kLen <= p.pitch, "group " + g + " inside the band row");
        }
        assertEquals(0, p.threads % 32);
    }

    @Test
    void weightDigitsRecomposeEveryWeight() {
        Random rnd = new Random(54);
        for (int i = 0; i < 100_000; i++) {
            // The representable range is [-2^23, 127 * 65793]; Pillow's weights stay within ±2^22 and a bit.
            int w = i < 7 ? new int[] {0, 1, -1, 1 << 22, -(1 << 22), -(1 << 23), 127 * 65793}[i]
                    : rnd.nextInt(-(1 << 23), 127 * 65793 + 1);
            int[] d = PerceptualHashPlan.digits(w);
            for (int q : d) {
                assertTrue(q >= -128 && q <= 127);
            }
            assertEquals(w, d[0] + 256 * d[1] + 65536 * d[2]);
        }
        assertThrows(IllegalStateException.class, () -> PerceptualHashPlan.digits(127 * 65793 + 1));
    }

    private static int clip8(int acc) {
        return Math.clamp(acc >> 22, 0, 255);
    }

    /**
     * The fused kernel (cuda-kernels/perceptual_hash.cu, {@code fused}) step by step on the CPU, from
     * the plan's tables only.
     */
    static long[] emulateFused(PerceptualHashPlan p, byte[] gray) {
        int[] t = p.tables;
        int band = PerceptualHashPlan.BAND;
        int midPitch = 4 * p.groups;
        int outs = p.outW * p.outH;
        byte[] rowsBuf = new byte[band * p.pitch];
        int[] mid = new int[band * midPitch];
        int[] res = new int[outs];
        Arrays.fill(res, ROUND);
        int vKsize = p.vertical.ksize();
        for (int y0 = p.rowFirst; y0 < p.rowEnd; y0 += band) {
            int rows = Math.min(band, p.rowEnd - y0);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(gray, (y0 + r) * p.w, rowsBuf, r * p.pitch, p.w);
            }
            for (int r = 0; r < rows; r++) {
                for (int g = 0; g < p.groups; g++) {
                    int kStart = t[p.hGroupsAt + 4 * g];
                    int kLen = t[p.hGroupsAt + 4 * g + 1];
                    int wOff = t[p.hGroupsAt + 4 * g + 2];
                    for (int o = 0; o < 4; o++) {
                        // dp4a of (pixel - 128) with each digit plane, planes weighted 1, 2^8, 2^16.
                        int[] plane = new int[3];
                        for (int kk = 0; kk < kLen; kk++) {
                            int px = (rowsBuf[r * p.pitch + kStart + kk] & 0xFF) - 128;
                            for (int q = 0; q < 3; q++) {
                                int word = t[p.hWeightsAt + 4 * (wOff + 1 + 3 * (kk / 4) + q) + o];
                                plane[q] += px * (byte) (word >> (8 * (kk % 4)));
                            }
                        }
                        int acc = t[p.hWeightsAt + 4 * wOff + o] + plane[0] + (plane[1] << 8) + (plane[2] << 16);
                        mid[r * midPitch + 4 * g + o] = clip8(acc);
                    }
                }
            }
            for (int q = 0; q < outs; q++) {
                int yy = q / p.outW;
                int xx = q % p.outW;
                int f = t[p.vFirstAt + yy];
                int lo = Math.max(y0, f);
                int hi = Math.min(y0 + rows, f + t[p.vCountAt + yy]);
                int acc = 0;
                for (int y = lo; y < hi; y++) {
                    acc += mid[(y - y0) * midPitch + xx] * t[p.vWeightsAt + yy * vKsize + (y - f)];
                }
                res[q] += acc;
            }
        }
        for (int q = 0; q < outs; q++) {
            res[q] = clip8(res[q]);
        }
        int n = p.hashSize;
        int n2 = n * n;
        long[] words = new long[n2 / 64];
        switch (p.kind) {
            case DHASH -> {
                for (int i = 0; i < n2; i++) {
                    int y = i / n;
                    int x = i % n;
                    if (res[y * p.outW + x + 1] > res[y * p.outW + x]) {
                        words[i / 64] |= 1L << (63 - i % 64);
                    }
                }
            }
            case AHASH -> {
                int sum = 0;
                for (int i = 0; i < n2; i++) {
                    sum += res[i];
                }
                double mean = (double) sum / n2;
                for (int i = 0; i < n2; i++) {
                    if (res[i] > mean) {
                        words[i / 64] |= 1L << (63 - i % 64);
                    }
                }
            }
            case PHASH -> {
                int big = 4 * n;
                double[] cos = p.cosines;
                double[] cols = new double[n * big];
                for (int q = 0; q < n * big; q++) {
                    int k = q / big;
                    int x = q % big;
                    double s = 0;
                    for (int m = 0; m < big; m++) {
                        s += res[m * big + x] * cos[k * big + m];
                    }
                    cols[q] = 2 * s;
                }
                double[] block = new double[n2];
                for (int q = 0; q < n2; q++) {
                    int k = q / n;
                    int j = q % n;
                    double s = 0;
                    for (int x = 0; x < big; x++) {
                        s += cols[k * big + x] * cos[j * big + x];
                    }
                    block[q] = 2 * s;
                }
                double[] middle = new double[2];
                int writers = 0;
                for (int i = 0; i < n2; i++) {
                    double v = block[i];
                    int lt = 0;
                    int le = 0;
                    int before = 0;
                    for (int j = 0; j < n2; j++) {
                        lt += block[j] < v ? 1 : 0;
                        le += block[j] <= v ? 1 : 0;
                        before += block[j] == v && j < i ? 1 : 0;
                    }
                    if (before == 0) {
                        for (int r = n2 / 2 - 1; r <= n2 / 2; r++) {
                            if (lt <= r && r < le) {
                                middle[r - (n2 / 2 - 1)] = v;
                                writers++;
                            }
                        }
                    }
                }
                assertEquals(2, writers, "each middle rank written exactly once");
                double median = (middle[0] + middle[1]) / 2;
                for (int i = 0; i < n2; i++) {
                    if (block[i] > median) {
                        words[i / 64] |= 1L << (63 - i % 64);
                    }
                }
            }
        }
        return words;
    }
}
