package lessismore.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import lessismore.cuda.GpuTest;
import lessismore.cuda.CudaStream;
import lessismore.cuda.DeviceBuffer;
import lessismore.kernels.CudaPerceptualHash.Variant;
import lessismore.kernels.PerceptualHash.Kind;
import lessismore.preprocess.Preprocessing;
import org.junit.jupiter.api.Test;

/**
 * Both kernel variants against {@link PerceptualHash} bit for bit: fresh random images (the seed is
 * in every message) of several sizes, odd ones included (vector widths 16, 4, 1 for bytes and 8, 2,
 * 1 for int16), shared memory above 48 KiB, images with flat regions and constant images (ties
 * between neighbours and with the mean and median), the int16 + lookup-table input with three
 * preprocessings, the device-resident entry (also at an unaligned address) and buffer reuse across
 * growing and shrinking batches. Skips, saying why, without a GPU.
 */
class CudaPerceptualHashTest extends GpuTest {
    private static final long SEED = new Random().nextLong();
    private static final int[][] SIZES = {{512, 512}, {511, 509}, {1000, 300}, {260, 132}, {64, 64}, {9, 8}, {40, 7}};



    /** count images: random bytes, random with flat rectangles, a constant one, a smooth ramp. */
    private static byte[] batch(Random rnd, int count, int w, int h) {
        int n = w * h;
        byte[] out = new byte[count * n];
        for (int i = 0; i < count; i++) {
            byte[] g = switch (i % 4) {
                case 0 -> {
                    byte[] r = new byte[n];
                    rnd.nextBytes(r);
                    yield r;
                }
                case 1 -> PerceptualHashTest.withFlats(rnd, w, h);
                case 2 -> {
                    byte[] c = new byte[n];
                    Arrays.fill(c, (byte) (1 + rnd.nextInt(255)));
                    yield c;
                }
                default -> {
                    byte[] ramp = new byte[n];
                    for (int p = 0; p < n; p++) {
                        ramp[p] = (byte) ((p % w) * 255 / Math.max(1, w - 1));
                    }
                    yield ramp;
                }
            };
            System.arraycopy(g, 0, out, i * n, n);
        }
        return out;
    }

    @Test
    void eightBitIsTheReferenceBitForBit() {
        Random rnd = new Random(SEED);
        for (Variant variant : Variant.values()) {
            try (CudaPerceptualHash gpu = new CudaPerceptualHash(ctx, variant)) {
                for (int[] size : SIZES) {
                    int w = size[0];
                    int h = size[1];
                    int count = 8;
                    byte[] images = batch(rnd, count, w, h);
                    for (Kind kind : Kind.values()) {
                        for (int n : new int[] {8, 16}) {
                            assertArrayEquals(PerceptualHash.hash(kind, n, images, count, w, h),
                                    gpu.hash(kind, n, images, count, w, h),
                                    variant + " " + kind + " " + n + " " + w + "x" + h + " seed " + SEED);
                        }
                    }
                }
            }
        }
    }

    @Test
    void int16IsTheReferenceBitForBit() {
        Random rnd = new Random(SEED + 1);
        for (Variant variant : Variant.values()) {
            try (CudaPerceptualHash gpu = new CudaPerceptualHash(ctx, variant)) {
                for (int[] size : new int[][] {{512, 512}, {511, 509}, {130, 66}, {24, 20}}) {
                    int w = size[0];
                    int h = size[1];
                    int n = w * h;
                    int count = 5;
                    short[] pixels = new short[count * n];
                    for (int i = 0; i < count; i++) {
                        System.arraycopy(PerceptualHashTest.ctSlice(rnd, w, h), 0, pixels, i * n, n);
                    }
                    for (Preprocessing prep : new Preprocessing[] {new Preprocessing.PublishedMinMax(),
                            new Preprocessing.Window(40, 400, "soft-tissue"), new Preprocessing.ClippedMinMax(-1000, 400)}) {
                        PerceptualHashTest.Luts l = PerceptualHashTest.Luts.of(prep, pixels, count, n);
                        for (Kind kind : Kind.values()) {
                            for (int hs : new int[] {8, 16}) {
                                assertArrayEquals(
                                        PerceptualHash.hashInt16(kind, hs, pixels, count, w, h, l.luts(), l.lutMin(), l.lutOffset()),
                                        gpu.hashInt16(kind, hs, pixels, count, w, h, l.luts(), l.lutMin(), l.lutOffset()),
                                        variant + " " + prep.describe() + " " + kind + " " + hs + " " + w + "x" + h
                                                + " seed " + SEED);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void deviceResidentEntryMatchesAlsoUnaligned() {
        Random rnd = new Random(SEED + 2);
        int w = 512;
        int h = 512;
        int count = 12;
        byte[] images = batch(rnd, count, w, h);
        long bytes = (long) count * w * h;
        try (CudaPerceptualHash gpu = new CudaPerceptualHash(ctx);
                DeviceBuffer d = ctx.allocate(bytes + 16);
                DeviceBuffer out = ctx.allocate(8L * count * 4);
                CudaStream s = ctx.createStream();
                Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(bytes, 16);
            MemorySegment.copy(images, 0, host, ValueLayout.JAVA_BYTE, 0, (int) bytes);
            for (int shift : new int[] {0, 4, 1}) {
                DeviceBuffer view = d.slice(shift, bytes);
                view.upload(host, 0);
                for (Kind kind : Kind.values()) {
                    for (int n : new int[] {8, 16}) {
                        int words = PerceptualHash.words(n);
                        gpu.hash(kind, n, view, count, w, h, out, s);
                        s.synchronize();
                        long[] got = new long[count * words];
                        out.slice(0, 8L * got.length).download(got);
                        assertArrayEquals(PerceptualHash.hash(kind, n, images, count, w, h), got,
                                kind + " " + n + " at offset " + shift + " seed " + SEED);
                    }
                }
            }
        }
    }

    @Test
    void imagesTooWideForSharedMemoryFallBackToTheSimpleKernels() {
        Random rnd = new Random(SEED + 4);
        // 64 rows of 4,000 bytes exceed every GPU's shared memory per block (227 KiB on an H100).
        int w = 4000;
        int h = 37;
        int count = 4;
        byte[] images = batch(rnd, count, w, h);
        try (CudaPerceptualHash gpu = new CudaPerceptualHash(ctx)) {
            for (Kind kind : Kind.values()) {
                assertArrayEquals(PerceptualHash.hash(kind, 16, images, count, w, h),
                        gpu.hash(kind, 16, images, count, w, h), kind + " seed " + SEED);
            }
        }
    }

    @Test
    void buffersGrowAndShrinkAcrossCalls() {
        Random rnd = new Random(SEED + 3);
        int w = 257;
        int h = 255;
        try (CudaPerceptualHash gpu = new CudaPerceptualHash(ctx)) {
            long held = 0;
            for (int count : new int[] {1, 300, 3, 0, 64}) {
                byte[] images = batch(rnd, Math.max(count, 1), w, h);
                long[] got = gpu.hash(Kind.DHASH, 8, images, count, w, h);
                assertEquals(count, got.length);
                assertArrayEquals(PerceptualHash.hash(Kind.DHASH, 8, images, count, w, h), got,
                        "count " + count + " seed " + SEED);
                if (count == 300) {
                    held = gpu.deviceBytes();
                    assertTrue(held >= 300L * w * h, held + " device bytes for 300 images");
                } else if (held > 0) {
                    assertEquals(held, gpu.deviceBytes(), "smaller batches reuse the buffers");
                }
            }
        }
    }
}
