package lessismore.kernels;

import lessismore.cuda.CudaContext;
import lessismore.cuda.CudaFunction;
import lessismore.cuda.CudaModule;
import lessismore.cuda.CudaStream;
import lessismore.cuda.DeviceBuffer;
import lessismore.cuda.KernelArgs;

/**
 * SimCLR's NT-Xent loss and its gradient on the GPU (cuda-kernels/nt_xent.cu), the device
 * counterpart of {@link NtXent}: z (2B, D) fp32 in, the mean loss and dz (2B, D) out, without ever
 * storing the 2B × 2B logits. One call is five kernel launches on one stream (see native/nt_xent.h):
 * normalise, log-sum-exp partials, loss (reduced in a fixed order, so repeated calls give the same
 * bits), gradient partials, gradient through the normalisation. D is at most 2048.
 *
 * <p>Scratch buffers (ẑ, per-row statistics, the column splits' partial sums) belong to the
 * instance and grow on demand; an instance is not thread-safe.
 */
public final class CudaNtXent implements AutoCloseable {
    /** Which kernels run the two quadratic steps. */
    public enum Variant {
        /** One block per row: plainly correct, slow; the tiled kernels are tested against it too. */
        SIMPLE,
        /** Register-tiled 128-row blocks on the fp32 CUDA cores (the default). */
        TILED,
        /**
         * The tiled scheme on tensor cores: mma.sync TF32 with each operand split into a TF32 part
         * and a TF32 remainder, three products per multiply (about fp32 accuracy; held to the same
         * 1e-5 as the others). Compute capability 8.0 or newer.
         */
        TF32X3
    }

    // Mirrors native/nt_xent.h.
    static final int THREADS = 256;
    static final int FINISH_THREADS = 1024;
    static final int TILE_ROWS = 128;
    static final int GRAD_COLS = 64;
    static final int GRAD_DCHUNK = 128;
    static final int DIM_ALIGN = 16;
    static final int MAX_DIM = 2048;
    static final int ROWS_PER_BLOCK = THREADS / 32;
    static final int K = 8;
    static final int TC_SLAB = 16 + 4;
    static final int LSE_TILED_SMEM = 2 * 2 * K * (TILE_ROWS + 4) * 4;
    static final int GRAD_TILED_SMEM = (2 * K * (TILE_ROWS + 4) + 2 * K * (GRAD_COLS + 4)
            + TILE_ROWS * (GRAD_COLS + 4) + GRAD_COLS * GRAD_DCHUNK) * 4;
    static final int LSE_TC_SMEM = 2 * 2 * TILE_ROWS * TC_SLAB * 4;
    static final int GRAD_TC_SMEM = (2 * (TILE_ROWS + GRAD_COLS) * TC_SLAB + TILE_ROWS * (GRAD_COLS + 4)
            + GRAD_COLS * (GRAD_DCHUNK + 8)) * 4;
    static final int LSE_SIMPLE_SMEM = 2 * THREADS * 4;
    static final int FINISH_SMEM = FINISH_THREADS * 8;
    /** Registers and shared memory of one H100/A100 SM, for the blocks-per-SM estimate. */
    private static final int SM_REGISTERS = 65536;
    private static final int SM_SHARED = 160 * 1024;

    private final CudaContext ctx;
    private final Variant variant;
    private final CudaFunction normalize;
    private final CudaFunction lse;
    private final CudaFunction lossFinish;
    private final CudaFunction grad;
    private final CudaFunction gradFinish;
    private final int lseSmem;
    private final int gradSmem;
    private final int lseSlots;
    private final int gradSlots;

    private DeviceBuffer zhat;
    private DeviceBuffer norm;
    private DeviceBuffer spos;
    private DeviceBuffer lseRows;
    private DeviceBuffer pm;
    private DeviceBuffer pl;
    private DeviceBuffer part;
    private DeviceBuffer loss;
    private DeviceBuffer hostZ;
    private DeviceBuffer hostDz;

    /** The tiled kernels on {@code ctx}. */
    public CudaNtXent(CudaContext ctx) {
        this(ctx, Variant.TILED);
    }

    /** The given variant's kernels on {@code ctx}. */
    public CudaNtXent(CudaContext ctx, Variant variant) {
        this.ctx = ctx;
        this.variant = variant;
        CudaModule m = ctx.module("nt_xent");
        normalize = m.function("nt_xent_normalize");
        lossFinish = m.function("nt_xent_loss_finish");
        gradFinish = m.function("nt_xent_grad_finish");
        switch (variant) {
            case SIMPLE -> {
                lse = m.function("nt_xent_lse_simple");
                grad = m.function("nt_xent_grad_simple");
                lseSmem = LSE_SIMPLE_SMEM;
                gradSmem = 0;  // depends on D
            }
            case TILED -> {
                lse = m.function("nt_xent_lse_tiled");
                grad = m.function("nt_xent_grad_tiled");
                lseSmem = LSE_TILED_SMEM;
                gradSmem = GRAD_TILED_SMEM;
            }
            default -> {
                lse = m.function("nt_xent_lse_tc");
                grad = m.function("nt_xent_grad_tc");
                lseSmem = LSE_TC_SMEM;
                gradSmem = GRAD_TC_SMEM;
            }
        }
        if (variant == Variant.SIMPLE) {
            lseSlots = 0;  // one block per row, no splits
            gradSlots = 0;
        } else {
            grad.setMaxDynamicSharedMemory(gradSmem);
            int sms = ctx.device().multiprocessors();
            lseSlots = sms * blocksPerSm(lse.registers(), lseSmem);
            gradSlots = sms * blocksPerSm(grad.registers(), gradSmem);
        }
        loss = ctx.allocate(4);
    }

    /** The variant this instance runs. */
    public Variant variant() {
        return variant;
    }

    /**
     * Loss and gradient of {@code z} (rows, dim) row-major, rows = 2B; copies z in and dz out
     * (synchronous, default stream).
     */
    public NtXent.Result forwardBackward(float[] z, int rows, int dim, float temperature) {
        NtXent.checkShape(rows, dim, temperature);
        NtXent.checkLength(z.length, rows, dim);
        long bytes = (long) rows * dim * 4;
        hostZ = ensure(hostZ, bytes);
        hostDz = ensure(hostDz, bytes);
        hostZ.upload(z);
        float l = forwardBackward(hostZ, rows, dim, temperature, hostDz, null);
        float[] dz = new float[rows * dim];
        hostDz.download(dz);
        return new NtXent.Result(l, dz);
    }

    /**
     * Loss of device-resident {@code z} (rows, dim) with dLoss/dz written to {@code dz} (rows, dim);
     * runs on {@code stream} (null: default) and waits for it to read the loss back.
     */
    public float forwardBackward(DeviceBuffer z, int rows, int dim, float temperature, DeviceBuffer dz,
            CudaStream stream) {
        enqueue(z, rows, dim, temperature, dz, loss, stream);
        if (stream != null) {
            stream.synchronize();
        } else {
            ctx.synchronize();
        }
        float[] l = new float[1];
        loss.download(l);
        return l[0];
    }

    /**
     * Queues the whole computation on {@code stream} without waiting: the mean loss goes to the
     * first float of {@code lossOut}, the gradient to {@code dz} (rows, dim). For training loops
     * and timing, where a read-back per call would stall the stream.
     */
    public void enqueue(DeviceBuffer z, int rows, int dim, float temperature, DeviceBuffer dz, DeviceBuffer lossOut,
            CudaStream stream) {
        NtXent.checkShape(rows, dim, temperature);
        if (dim > MAX_DIM) {
            throw new IllegalArgumentException("NT-Xent kernels take D <= " + MAX_DIM + ", got " + dim);
        }
        long bytes = (long) rows * dim * 4;
        if (z.byteSize() < bytes || dz.byteSize() < bytes || lossOut.byteSize() < 4) {
            throw new IllegalArgumentException("z and dz need " + bytes + " bytes and the loss 4, got " + z.byteSize()
                    + ", " + dz.byteSize() + " and " + lossOut.byteSize());
        }
        int paddedRows = roundUp(rows, TILE_ROWS);
        int paddedDim = roundUp(dim, DIM_ALIGN);
        float invTau = 1f / temperature;
        float scale = 1f / (rows * temperature);
        int rowTiles = paddedRows / TILE_ROWS;

        zhat = ensure(zhat, (long) paddedRows * paddedDim * 4);
        norm = ensure(norm, rows * 4L);
        spos = ensure(spos, rows * 4L);
        lseRows = ensure(lseRows, rows * 4L);

        normalize.launch(paddedRows / ROWS_PER_BLOCK, 1, 1, THREADS, 1, 1, 0, stream,
                new KernelArgs().ptr(z).i32(rows).i32(dim).i32(paddedDim).ptr(zhat).ptr(norm));

        int lseSplits;
        if (variant != Variant.SIMPLE) {
            int tiles = rowTiles;  // 128-column tiles, as many as row tiles
            int perSplit = tilesPerSplit(tiles, rowTiles, lseSlots);
            lseSplits = ceilDiv(tiles, perSplit);
            pm = ensure(pm, (long) lseSplits * rows * 4);
            pl = ensure(pl, (long) lseSplits * rows * 4);
            lse.launch(rowTiles, lseSplits, 1, THREADS, 1, 1, lseSmem, stream, new KernelArgs()
                    .ptr(zhat).i32(rows).i32(paddedDim).f32(invTau).i32(perSplit).ptr(pm).ptr(pl).ptr(spos));
        } else {
            lseSplits = 1;
            pm = ensure(pm, rows * 4L);
            pl = ensure(pl, rows * 4L);
            lse.launch(rows, 1, 1, THREADS, 1, 1, lseSmem, stream, new KernelArgs()
                    .ptr(zhat).i32(rows).i32(paddedDim).f32(invTau).ptr(pm).ptr(pl).ptr(spos));
        }
        lossFinish.launch(1, 1, 1, FINISH_THREADS, 1, 1, FINISH_SMEM, stream, new KernelArgs()
                .ptr(pm).ptr(pl).ptr(spos).i32(rows).i32(lseSplits).ptr(lseRows).ptr(lossOut));

        int gradSplits;
        if (variant != Variant.SIMPLE) {
            int tiles = ceilDiv(rows, GRAD_COLS);
            int chunks = ceilDiv(dim, GRAD_DCHUNK);
            int perSplit = tilesPerSplit(tiles, rowTiles * chunks, gradSlots);
            gradSplits = ceilDiv(tiles, perSplit);
            part = ensure(part, (long) gradSplits * rows * dim * 4);
            grad.launch(rowTiles, gradSplits, chunks, THREADS, 1, 1, gradSmem, stream, new KernelArgs()
                    .ptr(zhat).ptr(lseRows).i32(rows).i32(dim).i32(paddedDim).f32(invTau).f32(scale).i32(perSplit)
                    .ptr(part));
        } else {
            gradSplits = 1;
            part = ensure(part, (long) rows * dim * 4);
            grad.launch(rows, 1, 1, THREADS, 1, 1, (paddedDim + THREADS) * 4, stream, new KernelArgs()
                    .ptr(zhat).ptr(lseRows).i32(rows).i32(dim).i32(paddedDim).f32(invTau).f32(scale).ptr(part));
        }
        gradFinish.launch(ceilDiv(rows, ROWS_PER_BLOCK), 1, 1, THREADS, 1, 1, 0, stream, new KernelArgs()
                .ptr(part).ptr(zhat).ptr(norm).i32(rows).i32(dim).i32(paddedDim).i32(gradSplits).ptr(dz));
    }

    /**
     * Column tiles per split for a grid of {@code base} × splits blocks over {@code tiles} column
     * tiles: the fewest splits that minimise waves × (tiles per block + 1), i.e. the number of
     * waves of {@code slots} resident blocks times the slowest block's work, one tile's worth added
     * for a block's fixed cost (merging and writing its partial sums). At most 4 · slots / base
     * splits (and at least 1), which also bounds the partial-sum buffers.
     */
    static int tilesPerSplit(int tiles, int base, int slots) {
        int maxSplits = Math.min(tiles, Math.max(1, ceilDiv(4 * slots, base)));
        int best = tiles;
        long bestCost = Long.MAX_VALUE;
        for (int splits = 1; splits <= maxSplits; splits++) {
            int perSplit = ceilDiv(tiles, splits);
            int used = ceilDiv(tiles, perSplit);
            long waves = ceilDiv((long) base * used, slots);
            long cost = waves * (perSplit + 1);
            if (cost < bestCost) {
                bestCost = cost;
                best = perSplit;
            }
        }
        return best;
    }

    private static int blocksPerSm(int registers, int sharedBytes) {
        int regsPerBlock = roundUp(Math.max(registers, 1), 8) * THREADS;
        return Math.max(1, Math.min(SM_REGISTERS / regsPerBlock, SM_SHARED / sharedBytes));
    }

    private DeviceBuffer ensure(DeviceBuffer b, long bytes) {
        if (b != null && b.byteSize() >= bytes) {
            return b;
        }
        if (b != null) {
            b.close();
        }
        return ctx.allocate(Math.max(bytes, 4));
    }

    private static int roundUp(int v, int m) {
        return ceilDiv(v, m) * m;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Frees the scratch buffers (the context stays open). */
    @Override
    public void close() {
        for (DeviceBuffer b : new DeviceBuffer[] {zhat, norm, spos, lseRows, pm, pl, part, loss, hostZ, hostDz}) {
            if (b != null) {
                b.close();
            }
        }
        zhat = norm = spos = lseRows = pm = pl = part = loss = hostZ = hostDz = null;
    }
}
