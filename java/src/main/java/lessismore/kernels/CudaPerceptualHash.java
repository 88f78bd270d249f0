package lessismore.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import lessismore.cuda.CudaContext;
import lessismore.cuda.CudaFunction;
import lessismore.cuda.CudaModule;
import lessismore.cuda.CudaStream;
import lessismore.cuda.DeviceBuffer;
import lessismore.cuda.KernelArgs;
import lessismore.cuda.PinnedBuffer;
import lessismore.kernels.PerceptualHash.Kind;

/**
 * Batch perceptual hashing on the GPU, bit for bit {@link PerceptualHash} (and so
 * {@link lessismore.signature.ImageHash}): kernels of cuda-kernels/perceptual_hash.cu. The resize
 * tables come from {@link lessismore.signature.PilLanczos} on the host (cached per size and hash),
 * so the device's integer resize is Pillow's by construction; the float64 steps of aHash and pHash
 * repeat the Java operations in the Java order. Images too wide for the fused kernel's shared
 * memory (64 rows; about 3,400 pixels on an H100) are hashed by the simple kernels instead.
 *
 * <p>Not thread-safe: one instance per thread (each has its own stream, device buffers and pinned
 * staging, grown as batches need and reused across calls). Instances on different threads may share
 * one {@link CudaContext}.
 */
public final class CudaPerceptualHash implements AutoCloseable {
    /** Which kernels run: the fused fast path, or the simple reference variant (parity tests). */
    public enum Variant {
        /** One block per image: bands in shared memory, horizontal and vertical pass and hash fused. */
        FUSED,
        /** Three plain kernels over global scratch, one thread per output (slow; a second opinion). */
        SIMPLE
    }

    private record Key(Kind kind, int hashSize, int w, int h) {
    }

    /**
     * A plan with its tables on the device; {@code fused} unless the variant is SIMPLE or the fused
     * kernel's shared memory (64 rows of the image) exceeds the device's limit.
     */
    private record DevicePlan(PerceptualHashPlan plan, DeviceBuffer tables, DeviceBuffer cosines, boolean fused) {
        long at(int intIndex) {
            return tables.address() + 4L * intIndex;
        }
    }

    private final CudaContext ctx;
    private final Variant variant;
    private final CudaStream stream;
    private final CudaFunction fusedU8;
    private final CudaFunction fusedI16;
    private final Map<CudaFunction, Integer> sharedAllowed = new HashMap<>();
    private final Map<Key, DevicePlan> plans = new HashMap<>();
    private final int sharedOptin;
    private DeviceBuffer input;
    private DeviceBuffer luts;
    private DeviceBuffer lutMeta;
    private DeviceBuffer out;
    private DeviceBuffer mid;
    private DeviceBuffer res;
    private DeviceBuffer scratch;
    private PinnedBuffer staging;
    private boolean closed;

    /** The fused kernels on {@code ctx}. */
    public CudaPerceptualHash(CudaContext ctx) {
        this(ctx, Variant.FUSED);
    }

    /** The given variant's kernels on {@code ctx}. */
    public CudaPerceptualHash(CudaContext ctx, Variant variant) {
        this.ctx = ctx;
        this.variant = variant;
        CudaModule m = ctx.module("perceptual_hash");
        fusedU8 = m.function("perceptual_hash_u8");
        fusedI16 = m.function("perceptual_hash_i16");
        sharedOptin = ctx.device().sharedMemoryPerBlockOptin();
        stream = ctx.createStream();
    }

    /**
     * Hashes of {@code count} 8-bit images, as {@link PerceptualHash#hash}.
     *
     * @param images count × h × w unsigned bytes
     * @return count × {@link PerceptualHash#words(int)} longs
     */
    public long[] hash(Kind kind, int hashSize, byte[] images, int count, int w, int h) {
        PerceptualHash.checkBatch(kind, hashSize, images.length, count, w, h);
        checkOpen();
        int words = PerceptualHash.words(hashSize);
        if (count == 0) {
            return new long[0];
        }
        long bytes = (long) count * w * h;
        long outBytes = 8L * count * words;
        MemorySegment pin = staging(Math.max(bytes, outBytes));
        MemorySegment.copy(images, 0, pin, ValueLayout.JAVA_BYTE, 0, (int) bytes);
        input = grow(input, bytes);
        out = grow(out, outBytes);
        input.uploadAsync(pin.asSlice(0, bytes), 0, stream);
        launchU8(kind, hashSize, input.address(), count, w, h, out.address(), stream);
        return finish(pin, count * words);
    }

    /**
     * Hashes of {@code count} int16 images mapped through their 8-bit lookup tables, as
     * {@link PerceptualHash#hashInt16}. Every pixel v of image i must satisfy {@code lutMin[i] <= v}
     * and {@code lutOffset[i] + v - lutMin[i] < luts.length} (as tables from
     * {@link lessismore.preprocess.Preprocessing#lut} do); this is not checked pixel by pixel.
     *
     * @return count × {@link PerceptualHash#words(int)} longs
     */
    public long[] hashInt16(Kind kind, int hashSize, short[] pixels, int count, int w, int h, byte[] luts,
            int[] lutMin, int[] lutOffset) {
        PerceptualHash.checkBatch(kind, hashSize, pixels.length, count, w, h);
        PerceptualHash.checkLuts(count, luts, lutMin, lutOffset);
        checkOpen();
        int words = PerceptualHash.words(hashSize);
        if (count == 0) {
            return new long[0];
        }
        long pixelBytes = 2L * count * w * h;
        long lutAt = align16(pixelBytes);
        long metaAt = align16(lutAt + luts.length);
        long total = metaAt + 8L * count;
        long outBytes = 8L * count * words;
        MemorySegment pin = staging(Math.max(total, outBytes));
        MemorySegment.copy(pixels, 0, pin, ValueLayout.JAVA_SHORT, 0, count * w * h);
        MemorySegment.copy(luts, 0, pin, ValueLayout.JAVA_BYTE, lutAt, luts.length);
        MemorySegment.copy(lutMin, 0, pin, ValueLayout.JAVA_INT, metaAt, count);
        MemorySegment.copy(lutOffset, 0, pin, ValueLayout.JAVA_INT, metaAt + 4L * count, count);
        input = grow(input, pixelBytes);
        this.luts = grow(this.luts, luts.length);
        lutMeta = grow(lutMeta, 8L * count);
        out = grow(out, outBytes);
        input.uploadAsync(pin.asSlice(0, pixelBytes), 0, stream);
        this.luts.uploadAsync(pin.asSlice(lutAt, luts.length), 0, stream);
        lutMeta.uploadAsync(pin.asSlice(metaAt, 8L * count), 0, stream);
        long minAt = lutMeta.address();
        launchI16(kind, hashSize, input.address(), count, w, h, this.luts.address(), minAt, minAt + 4L * count,
                out.address(), stream);
        return finish(pin, count * words);
    }

    /**
     * Queues the hashes of {@code count} 8-bit images already on the device on {@code s} (null: the
     * default stream); returns without waiting.
     *
     * @param images count × h × w unsigned bytes on the device
     * @param out    room for count × {@link PerceptualHash#words(int)} longs (little-endian u64)
     */
    public void hash(Kind kind, int hashSize, DeviceBuffer images, int count, int w, int h, DeviceBuffer out,
            CudaStream s) {
        PerceptualHash.checkBatch(kind, hashSize, images.byteSize(), count, w, h);
        checkOpen();
        if (out.byteSize() < 8L * count * PerceptualHash.words(hashSize)) {
            throw new IllegalArgumentException("output buffer of " + out.byteSize() + " bytes is too small for "
                    + count + " hashes of " + hashSize * hashSize + " bits");
        }
        if (count > 0) {
            launchU8(kind, hashSize, images.address(), count, w, h, out.address(), s);
        }
    }

    /**
     * Queues the hashes of {@code count} int16 images already on the device, with their lookup
     * tables, on {@code s} (null: the default stream); returns without waiting. Same contract as
     * {@link #hashInt16(Kind, int, short[], int, int, int, byte[], int[], int[])}.
     *
     * @param pixels    count × h × w int16 values on the device
     * @param luts      the packed 8-bit tables
     * @param lutMin    count ints: per image, the value of its table's first entry
     * @param lutOffset count ints: per image, where its table starts in {@code luts}
     * @param out       room for count × {@link PerceptualHash#words(int)} longs (little-endian u64)
     */
    public void hashInt16(Kind kind, int hashSize, DeviceBuffer pixels, int count, int w, int h, DeviceBuffer luts,
            DeviceBuffer lutMin, DeviceBuffer lutOffset, DeviceBuffer out, CudaStream s) {
        PerceptualHash.checkBatch(kind, hashSize, pixels.byteSize() / 2, count, w, h);
        checkOpen();
        if (out.byteSize() < 8L * count * PerceptualHash.words(hashSize)
                || lutMin.byteSize() < 4L * count || lutOffset.byteSize() < 4L * count) {
            throw new IllegalArgumentException("output or lookup-table metadata buffers too small for " + count
                    + " images");
        }
        if (count > 0) {
            launchI16(kind, hashSize, pixels.address(), count, w, h, luts.address(), lutMin.address(),
                    lutOffset.address(), out.address(), s);
        }
    }

    /** The device memory this instance holds now (tables, buffers), in bytes; for tests and logs. */
    public long deviceBytes() {
        long b = 0;
        for (DeviceBuffer d : new DeviceBuffer[] {input, luts, lutMeta, out, mid, res, scratch}) {
            b += d == null ? 0 : d.byteSize();
        }
        for (DevicePlan p : plans.values()) {
            b += p.tables().byteSize() + (p.cosines() == null ? 0 : p.cosines().byteSize());
        }
        return b;
    }

    private void launchU8(Kind kind, int hashSize, long images, int count, int w, int h, long outAt, CudaStream s) {
        DevicePlan dp = plan(kind, hashSize, w, h);
        if (dp.fused()) {
            int vec = w % 16 == 0 && images % 16 == 0 ? 16 : w % 4 == 0 && images % 4 == 0 ? 4 : 1;
            KernelArgs a = new KernelArgs().ptr(images);
            launchFused(fusedU8, dp, fusedArgs(a, dp, count, w, h, vec, outAt), count, s);
        } else {
            launchSimple(dp, count, w, h, s, true, images, 0, 0, 0, outAt);
        }
    }

    private void launchI16(Kind kind, int hashSize, long pixels, int count, int w, int h, long lutsAt, long minAt,
            long offAt, long outAt, CudaStream s) {
        DevicePlan dp = plan(kind, hashSize, w, h);
        if (dp.fused()) {
            int vec = w % 8 == 0 && pixels % 16 == 0 ? 8 : w % 2 == 0 && pixels % 4 == 0 ? 2 : 1;
            KernelArgs a = new KernelArgs().ptr(pixels).ptr(lutsAt).ptr(minAt).ptr(offAt);
            launchFused(fusedI16, dp, fusedArgs(a, dp, count, w, h, vec, outAt), count, s);
        } else {
            launchSimple(dp, count, w, h, s, false, pixels, lutsAt, minAt, offAt, outAt);
        }
    }

    /** The fused kernels' parameters after the input pointers (native/perceptual_hash.h order). */
    private static KernelArgs fusedArgs(KernelArgs a, DevicePlan dp, int count, int w, int h, int vec, long outAt) {
        PerceptualHashPlan p = dp.plan();
        return a.i32(count).i32(w).i32(h).i32(vec).i32(p.outW).i32(p.outH).i32(p.rowFirst).i32(p.rowEnd)
                .i32(p.pitch).i32(p.midOffset).i32(p.resOffset).i32(p.groups).ptr(dp.at(p.hGroupsAt))
                .ptr(dp.at(p.hWeightsAt)).ptr(dp.at(p.vFirstAt)).ptr(dp.at(p.vCountAt)).ptr(dp.at(p.vWeightsAt))
                .i32(p.vertical.ksize()).i32(p.kind.ordinal()).i32(p.hashSize)
                .ptr(dp.cosines() == null ? 0L : dp.cosines().address()).ptr(outAt);
    }

    private void launchFused(CudaFunction f, DevicePlan dp, KernelArgs args, int count, CudaStream s) {
        int smem = dp.plan().smemBytes;
        if (smem > 48 * 1024 && sharedAllowed.getOrDefault(f, 0) < smem) {
            f.setMaxDynamicSharedMemory(smem);
            sharedAllowed.put(f, smem);
        }
        f.launch(count, 1, 1, dp.plan().threads, 1, 1, smem, s, args);
    }

    /** The simple variant: horizontal, vertical, bits, through global scratch. */
    private void launchSimple(DevicePlan dp, int count, int w, int h, CudaStream s, boolean u8, long images,
            long lutsAt, long minAt, long offAt, long outAt) {
        PerceptualHashPlan p = dp.plan();
        CudaModule m = ctx.module("perceptual_hash");
        int rows = p.rowEnd - p.rowFirst;
        long midInts = (long) count * rows * p.outW;
        long resInts = (long) count * p.outH * p.outW;
        mid = grow(mid, 4 * midInts);
        res = grow(res, 4 * resInts);
        long scratchBytes = 8L * count * p.simpleScratchDoubles();
        if (scratchBytes > 0) {
            scratch = grow(scratch, scratchBytes);
        }
        KernelArgs h1 = new KernelArgs().ptr(images);
        if (!u8) {
            h1.ptr(lutsAt).ptr(minAt).ptr(offAt);
        }
        h1.i32(count).i32(w).i32(h).i32(p.outW).i32(p.rowFirst).i32(p.rowEnd).ptr(dp.at(p.hFirstAt))
                .ptr(dp.at(p.hCountAt)).ptr(dp.at(p.hRawAt)).i32(p.horizontal.ksize()).ptr(mid);
        m.function(u8 ? "perceptual_hash_simple_horizontal_u8" : "perceptual_hash_simple_horizontal_i16")
                .launch(blocks(midInts), 1, 1, 256, 1, 1, 0, s, h1);
        m.function("perceptual_hash_simple_vertical").launch(blocks(resInts), 1, 1, 256, 1, 1, 0, s,
                new KernelArgs().ptr(mid).i32(count).i32(p.outW).i32(p.outH).i32(p.rowFirst).i32(p.rowEnd)
                        .ptr(dp.at(p.vFirstAt)).ptr(dp.at(p.vCountAt)).ptr(dp.at(p.vWeightsAt))
                        .i32(p.vertical.ksize()).ptr(res));
        m.function("perceptual_hash_simple_bits").launch((count + 63) / 64, 1, 1, 64, 1, 1, 0, s,
                new KernelArgs().ptr(res).i32(count).i32(p.kind.ordinal()).i32(p.hashSize)
                        .ptr(dp.cosines() == null ? 0L : dp.cosines().address())
                        .ptr(scratchBytes > 0 ? scratch.address() : 0L).ptr(outAt));
    }

    /** Grid-stride kernels: enough blocks of 256 to cover n, at most 2^20. */
    private static int blocks(long n) {
        return (int) Math.max(1, Math.min(1 << 20, (n + 255) / 256));
    }

    /** Downloads {@code longs} hashes from {@link #out} through the staging buffer and waits. */
    private long[] finish(MemorySegment pin, int longs) {
        MemorySegment dst = pin.asSlice(0, 8L * longs);
        out.downloadAsync(dst, 0, stream);
        stream.synchronize();
        return dst.toArray(ValueLayout.JAVA_LONG);
    }

    /** The plan of (kind, hashSize, w, h), tables uploaded on first use. */
    private DevicePlan plan(Kind kind, int hashSize, int w, int h) {
        return plans.computeIfAbsent(new Key(kind, hashSize, w, h), k -> {
            PerceptualHashPlan p = PerceptualHashPlan.of(kind, hashSize, w, h);
            DeviceBuffer t = ctx.allocate(4L * p.tables.length);
            t.upload(p.tables);
            DeviceBuffer c = null;
            if (p.cosines != null) {
                long[] bits = new long[p.cosines.length];
                for (int i = 0; i < bits.length; i++) {
                    bits[i] = Double.doubleToRawLongBits(p.cosines[i]);
                }
                c = ctx.allocate(8L * bits.length);
                c.upload(bits);
            }
            // Images too wide for 64 rows in shared memory (about 3,400 pixels for pHash16 on an
            // H100) take the simple kernels: slower, same bits.
            return new DevicePlan(p, t, c, variant == Variant.FUSED && p.smemBytes <= sharedOptin);
        });
    }

    /** The pinned staging buffer, at least {@code bytes} long (grown by doubling). */
    private MemorySegment staging(long bytes) {
        if (staging == null || staging.segment().byteSize() < bytes) {
            long size = Math.max(bytes, staging == null ? 1 << 20 : 2 * staging.segment().byteSize());
            if (staging != null) {
                staging.close();
            }
            staging = null;
            staging = ctx.allocatePinned(size);
        }
        return staging.segment();
    }

    /**
     * {@code b} if it holds {@code bytes}, else a new buffer of at least that size (doubling, so a
     * growing batch reallocates rarely). The old buffer is freed after the context has finished all
     * queued work (a device-resident call may still be using it on the caller's stream).
     */
    private DeviceBuffer grow(DeviceBuffer b, long bytes) {
        if (b != null && b.byteSize() >= bytes) {
            return b;
        }
        long size = Math.max(Math.max(bytes, 256), b == null ? 0 : 2 * b.byteSize());
        if (b != null) {
            ctx.synchronize();
            b.close();
        }
        return ctx.allocate(size);
    }

    private static long align16(long x) {
        return (x + 15) & ~15L;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("CudaPerceptualHash is closed");
        }
    }

    /** Frees every device and pinned buffer and the stream. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stream.synchronize();
        for (DeviceBuffer d : new DeviceBuffer[] {input, luts, lutMeta, out, mid, res, scratch}) {
            if (d != null) {
                d.close();
            }
        }
        for (DevicePlan p : plans.values()) {
            p.tables().close();
            if (p.cosines() != null) {
                p.cosines().close();
            }
        }
        if (staging != null) {
            staging.close();
        }
        stream.close();
    }
}
