package lessismore.bench.gpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import lessismore.cuda.CudaContext;
import lessismore.cuda.CudaEvent;
import lessismore.cuda.CudaStream;
import lessismore.cuda.DeviceBuffer;
import lessismore.cuda.PinnedBuffer;
import lessismore.kernels.CudaPerceptualHash;
import lessismore.kernels.PerceptualHash;
import lessismore.kernels.PerceptualHash.Kind;
import lessismore.preprocess.PublishedPreprocessing;

/**
 * Batch perceptual hashing on the device (issue #5, kernel 2): 4096 slices of 512 × 512 already in
 * device memory, hashed by {@link CudaPerceptualHash}'s fused kernel. Rows: dHash 8-bit (the issue's
 * comparison: PyTorch's area-resize dHash, benchmarks/gpu/perceptual_hash_pytorch.py), pHash 8-bit,
 * dHash of int16 slices through per-slice lookup tables (the reduce pipeline's form). Each row checks
 * the device's hashes bit for bit against the Java reference on 128 of the slices in the same run.
 * Floor: the input bytes at 4.3 TB/s (every pixel must be read once).
 */
public final class PerceptualHashDeviceBenchmark {
    private static final int COUNT = 4096;
    private static final int W = 512;
    private static final int H = 512;
    /** Distinct slices generated on the host; slice i of the batch is slice i % DISTINCT. */
    private static final int DISTINCT = 64;
    private static final String SIZE = COUNT + "x" + W + "x" + H;
    private static final double BANDWIDTH = 4.3e12;

    private PerceptualHashDeviceBenchmark() {
    }

    /** Runs every row on {@code ctx} and hands each timing to {@code out}. */
    public static void run(CudaContext ctx, Consumer<DeviceTiming> out) {
        int n = W * H;
        byte[] gray = new byte[DISTINCT * n];
        short[] hu = new short[DISTINCT * n];
        fill(gray, hu);
        try (CudaPerceptualHash gpu = new CudaPerceptualHash(ctx);
                CudaStream s = ctx.createStream();
                DeviceBuffer images = ctx.allocate((long) COUNT * n);
                DeviceBuffer hashes = ctx.allocate(8L * COUNT * 4)) {
            replicate(ctx, images, MemorySegment.ofArray(gray), (long) DISTINCT * n);
            for (Kind kind : new Kind[] {Kind.DHASH, Kind.PHASH}) {
                double ms = time(ctx, s, () -> gpu.hash(kind, 8, images, COUNT, W, H, hashes, s));
                long[] got = download(hashes, COUNT);
                String check = check(got, PerceptualHash.hash(kind, 8, gray, DISTINCT, W, H));
                out.accept(timing(kind == Kind.DHASH ? "perceptual_hash dhash8" : "perceptual_hash phash8", "u8", ms,
                        (double) COUNT * n, check));
            }
        }
        // int16 + lookup tables: 2 bytes per pixel, one table per distinct slice (slice i uses table i % 64).
        int[] lut = new int[PublishedPreprocessing.LUT_SIZE];
        int[] lutMin = new int[COUNT];
        int[] lutOffset = new int[COUNT];
        byte[] luts = new byte[0];
        int[] distinctMin = new int[DISTINCT];
        int[] distinctOffset = new int[DISTINCT];
        for (int i = 0; i < DISTINCT; i++) {
            short[] img = Arrays.copyOfRange(hu, i * n, (i + 1) * n);
            distinctMin[i] = PublishedPreprocessing.minMaxLut(img, n, lut);
            int max = distinctMin[i];
            for (short v : img) {
                max = Math.max(max, v);
            }
            int len = max - distinctMin[i] + 1;
            distinctOffset[i] = luts.length;
            luts = Arrays.copyOf(luts, luts.length + len);
            for (int v = 0; v < len; v++) {
                luts[distinctOffset[i] + v] = (byte) lut[v];
            }
        }
        for (int i = 0; i < COUNT; i++) {
            lutMin[i] = distinctMin[i % DISTINCT];
            lutOffset[i] = distinctOffset[i % DISTINCT];
        }
        try (CudaPerceptualHash gpu = new CudaPerceptualHash(ctx);
                CudaStream s = ctx.createStream();
                DeviceBuffer pixels = ctx.allocate(2L * COUNT * n);
                DeviceBuffer dLuts = ctx.allocate(luts.length);
                DeviceBuffer dMin = ctx.allocate(4L * COUNT);
                DeviceBuffer dOff = ctx.allocate(4L * COUNT);
                DeviceBuffer hashes = ctx.allocate(8L * COUNT)) {
            replicate(ctx, pixels, MemorySegment.ofArray(hu), 2L * DISTINCT * n);
            dLuts.upload(luts);
            dMin.upload(lutMin);
            dOff.upload(lutOffset);
            double ms = time(ctx, s,
                    () -> gpu.hashInt16(Kind.DHASH, 8, pixels, COUNT, W, H, dLuts, dMin, dOff, hashes, s));
            long[] got = download(hashes, COUNT);
            String check = check(got, PerceptualHash.hashInt16(Kind.DHASH, 8, hu, DISTINCT, W, H, luts,
                    Arrays.copyOf(lutMin, DISTINCT), Arrays.copyOf(lutOffset, DISTINCT)));
            out.accept(timing("perceptual_hash dhash8", "i16+lut", ms, 2.0 * COUNT * n, check));
        }
    }

    /** Random 8-bit slices with flat patches, and CT-like int16 slices (air, noisy body, bone ring). */
    private static void fill(byte[] gray, short[] hu) {
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < DISTINCT; i++) {
            int base = i * W * H;
            for (int y = 0; y < H; y++) {
                for (int c = 0; c < W; c++) {
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                    int p = base + y * W + c;
                    boolean patch = ((y >> 6) + (c >> 6) + i) % 5 == 0;
                    gray[p] = (byte) (patch ? i * 3 : x);
                    double d = Math.hypot((c - W / 2.0) / (0.38 * W), (y - H / 2.0) / (0.33 * H));
                    int noise = (int) (x >>> 40 & 63) - 32;
                    hu[p] = (short) (d > 1 ? -1000 + noise / 4 : d > 0.92 ? 700 + noise * 2 : 40 + i + noise);
                }
            }
        }
    }

    /** Fills dst by repeating the first {@code bytes} of src, through a pinned staging buffer. */
    private static void replicate(CudaContext ctx, DeviceBuffer dst, MemorySegment src, long bytes) {
        try (PinnedBuffer pin = ctx.allocatePinned(bytes)) {
            MemorySegment.copy(src, 0, pin.segment(), 0, bytes);
            for (long at = 0; at < dst.byteSize(); at += bytes) {
                dst.upload(pin.segment().asSlice(0, Math.min(bytes, dst.byteSize() - at)), at);
            }
        }
    }

    /** Median milliseconds of 25 timed runs after 3 warm-up runs, by CUDA events on {@code s}. */
    private static double time(CudaContext ctx, CudaStream s, Runnable launch) {
        for (int i = 0; i < 3; i++) {
            launch.run();
        }
        s.synchronize();
        double[] ms = new double[25];
        try (CudaEvent a = ctx.createEvent(); CudaEvent b = ctx.createEvent()) {
            for (int i = 0; i < ms.length; i++) {
                a.record(s);
                launch.run();
                b.record(s);
                b.synchronize();
                ms[i] = b.millisSince(a);
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    private static long[] download(DeviceBuffer hashes, int count) {
        long[] got = new long[count];
        hashes.slice(0, 8L * count).download(got);
        return got;
    }

    /** Device hashes of the first and last 64 slices (slices i and i % 64 are equal) against Java's. */
    private static String check(long[] got, long[] want) {
        int wrong = 0;
        for (int i = 0; i < DISTINCT; i++) {
            wrong += got[i] != want[i] ? 1 : 0;
            wrong += got[COUNT - DISTINCT + i] != want[(COUNT - DISTINCT + i) % DISTINCT] ? 1 : 0;
        }
        return wrong == 0 ? "bit-exact vs Java on 128 slices" : "MISMATCH: " + wrong + " of 128 slices differ from Java";
    }

    private static DeviceTiming timing(String op, String precision, double ms, double bytes, String check) {
        double floor = bytes / BANDWIDTH * 1e3;
        String rate = String.format(Locale.ROOT, "%.2fM slices/s, %.2f of 4.3 TB/s (floor: input bytes)",
                COUNT / ms / 1e3, bytes / (ms * 1e-3) / 1e12);
        return new DeviceTiming(op, SIZE, precision, ms, floor, rate, check);
    }
}
