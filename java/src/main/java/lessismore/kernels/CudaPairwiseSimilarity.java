package lessismore.kernels;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import lessismore.cuda.CudaContext;
import lessismore.cuda.CudaFunction;
import lessismore.cuda.CudaModule;
import lessismore.cuda.CudaStream;
import lessismore.cuda.DeviceBuffer;
import lessismore.cuda.KernelArgs;
import lessismore.kernels.PairwiseSimilarity.Edges;
import lessismore.kernels.PairwiseSimilarity.MaxEarlier;
import lessismore.kernels.PairwiseSimilarity.TopK;

/**
 * The pairwise similarity ops of {@link PairwiseSimilarity} on the GPU ({@code
 * cuda-kernels/pairwise_similarity.cu}): per row the best earlier row, all pairs above a cosine
 * threshold, per row the top k, and all pairs of packed hashes within a Hamming distance, without
 * ever forming the n x n matrix.
 *
 * <p><b>What the results are.</b> Every fp32 cosine on the device, in every variant and precision,
 * is the same number: the sequential chain {@code acc = fma(x[i][k], x[j][k], acc)} over
 * k = 0..ld-1 from {@code acc = 0} (ld = d rounded up to a multiple of 32, the extra columns zero),
 * so {@link Variant#SIMPLE} and {@link Variant#TILED}, and {@link Precision#FP32} and
 * {@link Precision#BF16}, return identical records (bit for bit, including argmax and edge sets).
 * Against the Java reference, which sums in double, each score differs by at most
 * {@code d * 2^-24} (the fp32 chain's rounding bound for unit rows) plus one float rounding; so
 * an argmax or an edge may differ from the reference only where two scores, or a score and tau,
 * lie within that distance. Hamming results are integers and equal the reference exactly.
 *
 * <p><b>BF16.</b> The pair scan runs on tensor cores (mma.sync m16n8k16, bf16 inputs converted on
 * the device, fp32 accumulation) and every candidate within a margin m of the decision is
 * recomputed in fp32 as above, which is what makes BF16 results equal FP32's. The margin bounds
 * |bf16 cos - fp32 cos| for rows of norm at most N (see {@link #bf16Margin}): rounding an input
 * to bf16 (8 significant bits, unit roundoff u = 2^-8) changes each product x_ik x_jk by a factor
 * within (1 +- u)^2, so the exact bf16 dot product is within (2u + u^2) sum |x_ik x_jk| <=
 * (2u + u^2) N^2 of the exact one (Cauchy-Schwarz); the fp32 chain adds at most ld 2^-24 N^2 and
 * the tensor core's fp32 accumulation, whose internal rounding is not documented, is allowed
 * ld 2^-22 (1 + 2u + u^2) N^2 (four times the round-to-nearest bound, to cover truncation); a
 * further 2^-20 covers the fp32 rounding of the thresholds themselves. Edges: every pair with bf16
 * cos >= tau - m is re-checked and kept iff its fp32 cos >= tau. Max: the true argmax j* has
 * bf16(j*) >= fp32(j*) - m >= fp32(b) - m >= bf16(b) - 2m for the bf16 argmax b, so every j with
 * bf16 cos within 2m of the running bf16 maximum is listed (at most {@value #CANDIDATES} per row;
 * rows whose list overflows are rescanned in fp32 by the tiled fp32 kernel restricted to them) and
 * the list is re-checked in fp32.
 *
 * <p>Inputs are expected L2-normalised; the host-array methods measure the largest row norm and
 * widen the margin for it, the device-buffer methods take it as an argument.
 *
 * <p>Not thread-safe (scratch buffers are reused between calls); one instance per thread.
 */
public final class CudaPairwiseSimilarity implements AutoCloseable {
    /** Arithmetic of the pair scan. */
    public enum Precision {
        /** CUDA cores, fp32 fma chain. */
        FP32,
        /** Tensor cores on a bf16 copy, every candidate near the decision re-checked in fp32. */
        BF16
    }

    /** Which kernels run the pair scans. */
    public enum Variant {
        /**
         * One thread per pair (maxEarlier: one block per row); slow but obviously correct: the
         * parity baseline and the fallback. BF16 requests run the FP32 kernels (same results).
         */
        SIMPLE,
        /** 128 x 128 lower-triangle block tiles: register-tiled fp32, mma.sync bf16, tiled Hamming. */
        TILED
    }

    /** Candidate slots per row in the BF16 maxEarlier pass. */
    public static final int CANDIDATES = 32;

    /** Row norm assumed by callers that pass normalised embeddings without measuring them. */
    public static final double NORMALISED = 1.001;

    /** Most edges a host call returns: Java arrays hold at most about 2^31 elements. */
    public static final long MAX_EDGES = Integer.MAX_VALUE - 8;

    /** More edges than the caller allowed; nothing was returned. */
    public static final class TooManyEdgesException extends RuntimeException {
        private final long count;

        TooManyEdgesException(long count, long limit) {
            super(count + " edges, more than the " + limit + " allowed");
            this.count = count;
        }

        /** How many edges there are. */
        public long count() {
            return count;
        }
    }

    private static final String FAMILY = "pairwise_similarity";
    private static final int TILE = 128;

    private final CudaContext ctx;
    private final CudaModule module;
    private final Variant variant;
    private final Map<String, DeviceBuffer> scratch = new HashMap<>();

    /**
     * Edge output on the device: row, col (int) and score (float), {@code capacity} each, and a
     * 64-bit count of every edge found (an int would wrap on many near-duplicates).
     */
    public static final class EdgeBuffers implements AutoCloseable {
        private final int capacity;
        private final DeviceBuffer row;
        private final DeviceBuffer col;
        private final DeviceBuffer score;
        private final DeviceBuffer count;

        private EdgeBuffers(CudaContext ctx, int capacity) {
            this.capacity = capacity;
            long c = Math.max(1, capacity);
            this.row = ctx.allocate(4 * c);
            this.col = ctx.allocate(4 * c);
            this.score = ctx.allocate(4 * c);
            this.count = ctx.allocate(8);
        }

        /** Edges the buffers hold. */
        public int capacity() {
            return capacity;
        }

        /** (capacity) int. */
        public DeviceBuffer row() {
            return row;
        }

        /** (capacity) int. */
        public DeviceBuffer col() {
            return col;
        }

        /** (capacity) float. */
        public DeviceBuffer score() {
            return score;
        }

        /**
         * The first {@code count} edges (count from the op that filled them, <= capacity), sorted
         * by (row, col).
         */
        public Edges download(int count) {
            int[] r = new int[count];
            int[] c = new int[count];
            float[] s = new float[count];
            if (count > 0) {
                row.slice(0, 4L * count).download(r);
                col.slice(0, 4L * count).download(c);
                score.slice(0, 4L * count).download(s);
            }
            return sorted(r, c, s);
        }

        @Override
        public void close() {
            row.close();
            col.close();
            score.close();
            count.close();
        }
    }

    /** Binds the fast ({@link Variant#TILED}) kernels on {@code ctx}. */
    public CudaPairwiseSimilarity(CudaContext ctx) {
        this(ctx, Variant.TILED);
    }

    /** Binds the kernels of {@code variant} on {@code ctx}. */
    public CudaPairwiseSimilarity(CudaContext ctx, Variant variant) {
        this.ctx = ctx;
        this.module = ctx.module(FAMILY);
        this.variant = variant;
    }

    /** The variant this instance runs. */
    public Variant variant() {
        return variant;
    }

    /**
     * The kernels one op runs, for notes and benchmark rows.
     *
     * @param op maxEarlier, edgesAtLeast, topK or hammingAtMost
     */
    public String kernels(String op, Precision precision) {
        boolean bf16 = variant == Variant.TILED && precision == Precision.BF16;
        String tiled = variant == Variant.TILED ? "_f32" : "_simple";
        return switch (op) {
            case "maxEarlier" -> bf16
                    ? "pairwise_similarity_to_bf16 + max_earlier_bf16_init + max_earlier_bf16 (mma.sync)"
                            + " + max_earlier_f32 (overflowed rows only) + max_earlier_recheck"
                    : "pairwise_similarity_max_earlier" + tiled + " + keys_decode";
            case "edgesAtLeast" -> bf16
                    ? "pairwise_similarity_to_bf16 + edges_bf16 (mma.sync) + edges_recheck"
                    : "pairwise_similarity_edges" + tiled;
            case "topK" -> "pairwise_similarity_topk";
            case "hammingAtMost" -> "pairwise_similarity_hamming" + (variant == Variant.TILED ? "_tiled" : "_simple");
            default -> throw new IllegalArgumentException("unknown op " + op);
        };
    }

    /** ld: d rounded up to a multiple of 32, the row stride of device embeddings. */
    public static int paddedWidth(int d) {
        return Math.max(32, (d + 31) / 32 * 32);
    }

    /**
     * The BF16 margin m: an upper bound of |bf16 cos - fp32 cos| for rows of norm at most {@code
     * maxNorm} and padded width {@code ld} (derivation in the class comment).
     */
    public static double bf16Margin(int ld, double maxNorm) {
        double u = 0x1p-8;
        double n2 = Math.max(1, maxNorm * maxNorm);
        double inputs = 2 * u + u * u;
        double chain = ld * 0x1p-24;
        double tensor = ld * 0x1p-22 * (1 + inputs);
        return n2 * (inputs + chain + tensor) + 0x1p-20;
    }

    // ------------------------------------------------------------------ host-array convenience

    /**
     * {@link PairwiseSimilarity#maxEarlier} on the device.
     *
     * @param x      (n, d) row-major, L2-normalised rows
     * @param volume (n) ids or null
     */
    public MaxEarlier maxEarlier(float[] x, int n, int d, int[] volume, Precision precision) {
        PairwiseSimilarity.check(x, n, d, volume);
        if (n == 0) {
            return new MaxEarlier(new float[0], new int[0]);
        }
        int ld = paddedWidth(d);
        try (DeviceBuffer dx = uploadPadded(x, n, d, ld); DeviceBuffer dv = uploadVolume(volume, n);
                DeviceBuffer max = ctx.allocate(4L * n); DeviceBuffer arg = ctx.allocate(4L * n)) {
            maxEarlier(dx, n, ld, dv, precision, maxNorm(x, n, d), max, arg, null);
            float[] m = new float[n];
            int[] a = new int[n];
            max.download(m);
            arg.download(a);
            return new MaxEarlier(m, a);
        }
    }

    /**
     * {@link PairwiseSimilarity#edgesAtLeast} on the device, sorted by (row, col). The kernels
     * count every edge; when the first guess of the buffer size was too small they run once more
     * with room for all.
     */
    public Edges edgesAtLeast(float[] x, int n, int d, float tau, int[] volume, Precision precision) {
        return edgesAtLeast(x, n, d, tau, volume, precision, MAX_EDGES);
    }

    /**
     * As {@link #edgesAtLeast(float[], int, int, float, int[], Precision)}, refusing more than
     * {@code maxEdges} edges.
     *
     * @throws TooManyEdgesException when there are more than {@code maxEdges}
     */
    public Edges edgesAtLeast(float[] x, int n, int d, float tau, int[] volume, Precision precision, long maxEdges) {
        PairwiseSimilarity.check(x, n, d, volume);
        if (n < 2) {
            return new Edges(new int[0], new int[0], new float[0]);
        }
        int ld = paddedWidth(d);
        try (DeviceBuffer dx = uploadPadded(x, n, d, ld); DeviceBuffer dv = uploadVolume(volume, n)) {
            double norm = maxNorm(x, n, d);
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(1 << 16, 8L * n));
            for (int attempt = 0; ; attempt++) {
                try (EdgeBuffers out = edgeBuffers(capacity)) {
                    long count = edgesAtLeast(dx, n, ld, dv, tau, precision, norm, out, null);
                    if (count <= capacity) {
                        return out.download((int) count);
                    }
                    capacity = grow(count, maxEdges, attempt);
                }
            }
        }
    }

    /** {@link PairwiseSimilarity#topK} on the device (fp32). */
    public TopK topK(float[] x, int n, int d, int k, int[] volume) {
        PairwiseSimilarity.check(x, n, d, volume);
        if (k < 1 || k > 32) {
            throw new IllegalArgumentException("k must be in 1..32, got " + k);
        }
        if (n == 0) {
            return new TopK(k, new int[0], new float[0]);
        }
        int ld = paddedWidth(d);
        try (DeviceBuffer dx = uploadPadded(x, n, d, ld); DeviceBuffer dv = uploadVolume(volume, n);
                DeviceBuffer index = ctx.allocate(4L * n * k); DeviceBuffer score = ctx.allocate(4L * n * k)) {
            topK(dx, n, ld, dv, k, index, score, null);
            int[] i = new int[n * k];
            float[] s = new float[n * k];
            index.download(i);
            score.download(s);
            return new TopK(k, i, s);
        }
    }

    /** {@link PairwiseSimilarity#hammingAtMost} on the device, sorted by (row, col). */
    public Edges hammingAtMost(long[] hashes, int n, int words, int t, int[] volume) {
        return hammingAtMost(hashes, n, words, t, volume, MAX_EDGES);
    }

    /**
     * As {@link #hammingAtMost(long[], int, int, int, int[])}, refusing more than {@code maxEdges}
     * edges.
     *
     * @throws TooManyEdgesException when there are more than {@code maxEdges}
     */
    public Edges hammingAtMost(long[] hashes, int n, int words, int t, int[] volume, long maxEdges) {
        if (words < 1 || words > 4 || n < 0 || hashes.length < (long) n * words) {
            throw new IllegalArgumentException("hashes must hold n x words (words 1..4), got n=" + n + " words="
                    + words + " length=" + hashes.length);
        }
        PairwiseSimilarity.checkVolume(n, volume);
        if (n < 2) {
            return new Edges(new int[0], new int[0], new float[0]);
        }
        try (DeviceBuffer dh = ctx.allocate(8L * n * words); DeviceBuffer dv = uploadVolume(volume, n)) {
            dh.upload(n * words == hashes.length ? hashes : Arrays.copyOf(hashes, n * words));
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(1 << 16, 8L * n));
            for (int attempt = 0; ; attempt++) {
                try (EdgeBuffers out = edgeBuffers(capacity)) {
                    long count = hammingAtMost(dh, n, words, t, dv, out, null);
                    if (count <= capacity) {
                        return out.download((int) count);
                    }
                    capacity = grow(count, maxEdges, attempt);
                }
            }
        }
    }

    // ------------------------------------------------------------------ device buffers

    /** Output buffers for up to {@code capacity} edges; the caller closes them. */
    public EdgeBuffers edgeBuffers(int capacity) {
        return new EdgeBuffers(ctx, capacity);
    }

    /**
     * maxEarlier on device data; queued on {@code stream} (null: default), nothing downloaded.
     *
     * @param x       (n, ld) float, ld % 32 == 0, columns past d zero
     * @param volume  (n) int ids, or null
     * @param maxNorm largest row norm (BF16 margin); {@link #NORMALISED} for normalised rows
     * @param max     (n) float out, -Infinity where no candidate
     * @param argmax  (n) int out, -1 where no candidate
     */
    public void maxEarlier(DeviceBuffer x, int n, int ld, DeviceBuffer volume, Precision precision, double maxNorm,
            DeviceBuffer max, DeviceBuffer argmax, CudaStream stream) {
        checkLd(ld);
        if (n == 0) {
            return;
        }
        if (variant == Variant.TILED && precision == Precision.BF16) {
            double m = bf16Margin(ld, maxNorm);
            DeviceBuffer xb = scratch("xb", 2L * n * ld);
            DeviceBuffer est = scratch("est", 4L * n);
            DeviceBuffer count = scratch("count", 4L * n);
            DeviceBuffer cand = scratch("cand", 4L * n * CANDIDATES);
            DeviceBuffer keys = scratch("keys", 8L * n);
            keys.slice(0, 8L * n).clearAsync(stream);
            toBf16(x, (long) n * ld, xb, stream);
            fn("pairwise_similarity_max_earlier_bf16_init").launch(blocks(n, 256), 1, 1, 256, 1, 1, 0, stream,
                    new KernelArgs().ptr(x).i32(n).i32(ld).ptr(addr(volume)).f32(up(m)).ptr(est).ptr(count));
            fn("pairwise_similarity_max_earlier_bf16").launch(triangle(n), 1, 1, 256, 1, 1, 0, stream,
                    new KernelArgs().ptr(xb).i32(n).i32(ld).ptr(addr(volume)).f32(up(2 * m)).ptr(est).ptr(count)
                            .ptr(cand).i32(CANDIDATES));
            // Rows whose list overflowed: exact fp32 max by the tiled kernel restricted to them
            // (tiles without such a row leave at once).
            fn("pairwise_similarity_max_earlier_f32").launch(triangle(n), 1, 1, 256, 1, 1, 0, stream,
                    new KernelArgs().ptr(x).i32(n).i32(ld).ptr(addr(volume)).ptr(keys).ptr(count).i32(CANDIDATES));
            fn("pairwise_similarity_max_earlier_recheck").launch(n, 1, 1, 128, 1, 1, 0, stream,
                    new KernelArgs().ptr(x).i32(n).i32(ld).ptr(count).ptr(cand).i32(CANDIDATES).ptr(keys)
                            .ptr(max).ptr(argmax));
            return;
        }
        DeviceBuffer keys = scratch("keys", 8L * n);
        keys.slice(0, 8L * n).clearAsync(stream);
        if (variant == Variant.TILED) {
            fn("pairwise_similarity_max_earlier_f32").launch(triangle(n), 1, 1, 256, 1, 1, 0, stream,
                    new KernelArgs().ptr(x).i32(n).i32(ld).ptr(addr(volume)).ptr(keys).ptr(0L).i32(0));
        } else {
            fn("pairwise_similarity_max_earlier_simple").launch(n, 1, 1, 256, 1, 1, 0, stream,
                    new KernelArgs().ptr(x).i32(n).i32(ld).ptr(addr(volume)).ptr(keys));
        }
        fn("pairwise_similarity_keys_decode").launch(blocks(n, 256), 1, 1, 256, 1, 1, 0, stream,
                new KernelArgs().ptr(keys).i32(n).ptr(max).ptr(argmax));
    }

    /**
     * edgesAtLeast on device data, in no particular order; waits for the result count.
     *
     * @param x       (n, ld) float, ld % 32 == 0, columns past d zero
     * @param volume  (n) int ids, or null
     * @param maxNorm largest row norm (BF16 margin); {@link #NORMALISED} for normalised rows
     * @return the number of edges, all in {@code out}, when at most {@code out.capacity()};
     *         otherwise a capacity with room for all of them (rerun with buffers that large)
     */
    public long edgesAtLeast(DeviceBuffer x, int n, int ld, DeviceBuffer volume, float tau, Precision precision,
            double maxNorm, EdgeBuffers out, CudaStream stream) {
        checkLd(ld);
        out.count.clearAsync(stream);
        if (n < 2) {
            return 0;
        }
        int cap = out.capacity;
        if (variant == Variant.TILED && precision == Precision.BF16) {
            double m = bf16Margin(ld, maxNorm);
            DeviceBuffer xb = scratch("xb", 2L * n * ld);
            DeviceBuffer ccount = scratch("ccount", 8);
            DeviceBuffer crow = scratch("crow", 4L * Math.max(1, cap));
            DeviceBuffer ccol = scratch("ccol", 4L * Math.max(1, cap));
            ccount.slice(0, 8).clearAsync(stream);
            toBf16(x, (long) n * ld, xb, stream);
            fn("pairwise_similarity_edges_bf16").launch(triangle(n), 1, 1, 256, 1, 1, 0, stream,
                    new KernelArgs().ptr(xb).i32(n).i32(ld).ptr(addr(volume)).f32(down(tau - m)).ptr(ccount)
                            .ptr(crow).ptr(ccol).i32(cap));
            long candidates = readCount(ccount, stream);
            if (candidates > cap) {
                return candidates;  // the edges are a subset of the candidates
            }
            if (candidates > 0) {
                fn("pairwise_similarity_edges_recheck").launch(blocks((int) candidates, 256), 1, 1, 256, 1, 1, 0, stream,
                        new KernelArgs().ptr(x).i32(ld).ptr(crow).ptr(ccol).i32((int) candidates).f32(tau).ptr(out.count)
                                .ptr(out.row).ptr(out.col).ptr(out.score).i32(cap));
            }
            return readCount(out.count, stream);
        }
        KernelArgs args = new KernelArgs().ptr(x).i32(n).i32(ld).ptr(addr(volume)).f32(tau).ptr(out.count)
                .ptr(out.row).ptr(out.col).ptr(out.score).i32(cap);
        if (variant == Variant.TILED) {
            fn("pairwise_similarity_edges_f32").launch(triangle(n), 1, 1, 256, 1, 1, 0, stream, args);
        } else {
            fn("pairwise_similarity_edges_simple").launch(n, blocks(n, 256), 1, 256, 1, 1, 0, stream, args);
        }
        return readCount(out.count, stream);
    }

    /**
     * topK on device data; queued on {@code stream}, nothing downloaded.
     *
     * @param index (n, k) int out
     * @param score (n, k) float out
     */
    public void topK(DeviceBuffer x, int n, int ld, DeviceBuffer volume, int k, DeviceBuffer index,
            DeviceBuffer score, CudaStream stream) {
        checkLd(ld);
        if (n == 0) {
            return;
        }
        fn("pairwise_similarity_topk").launch(blocks(n, 4), 1, 1, 128, 1, 1, 0, stream,
                new KernelArgs().ptr(x).i32(n).i32(ld).ptr(addr(volume)).i32(k).ptr(index).ptr(score));
    }

    /**
     * hammingAtMost on device data, in no particular order; waits for the result count.
     *
     * @param hashes (n, words) 64-bit words, words 1..4
     * @return as {@link #edgesAtLeast(DeviceBuffer, int, int, DeviceBuffer, float, Precision, double,
     *         EdgeBuffers, CudaStream)}
     */
    public long hammingAtMost(DeviceBuffer hashes, int n, int words, int t, DeviceBuffer volume, EdgeBuffers out,
            CudaStream stream) {
        if (words < 1 || words > 4) {
            throw new IllegalArgumentException("words must be 1..4, got " + words);
        }
        out.count.clearAsync(stream);
        if (n < 2) {
            return 0;
        }
        KernelArgs args = new KernelArgs().ptr(hashes).i32(n).i32(words).ptr(addr(volume)).i32(t).ptr(out.count)
                .ptr(out.row).ptr(out.col).ptr(out.score).i32(out.capacity);
        if (variant == Variant.TILED) {
            fn("pairwise_similarity_hamming_tiled").launch(triangle(n), 1, 1, 256, 1, 1, 0, stream, args);
        } else {
            fn("pairwise_similarity_hamming_simple").launch(n, blocks(n, 256), 1, 256, 1, 1, 0, stream, args);
        }
        return readCount(out.count, stream);
    }

    /** Frees the scratch buffers. */
    @Override
    public void close() {
        scratch.values().forEach(DeviceBuffer::close);
        scratch.clear();
    }

    // ------------------------------------------------------------------ helpers

    /** Sorts edges by (row, col): counting sort on row, then each row's (col, score) packed in longs. */
    static Edges sorted(int[] row, int[] col, float[] score) {
        int e = row.length;
        int rows = 0;
        for (int r : row) {
            rows = Math.max(rows, r + 1);
        }
        int[] start = new int[rows + 1];
        for (int r : row) {
            start[r + 1]++;
        }
        for (int r = 0; r < rows; r++) {
            start[r + 1] += start[r];
        }
        long[] packed = new long[e];
        int[] fill = Arrays.copyOf(start, rows);
        for (int q = 0; q < e; q++) {
            packed[fill[row[q]]++] = ((long) col[q] << 32) | (Float.floatToRawIntBits(score[q]) & 0xffffffffL);
        }
        int[] r2 = new int[e];
        int[] c2 = new int[e];
        float[] s2 = new float[e];
        for (int r = 0; r < rows; r++) {
            Arrays.sort(packed, start[r], start[r + 1]);  // col >= 0 and unique within a row
            for (int q = start[r]; q < start[r + 1]; q++) {
                r2[q] = r;
                c2[q] = (int) (packed[q] >>> 32);
                s2[q] = Float.intBitsToFloat((int) packed[q]);
            }
        }
        return new Edges(r2, c2, s2);
    }

    private CudaFunction fn(String name) {
        return module.function(name);
    }

    private DeviceBuffer scratch(String name, long bytes) {
        DeviceBuffer b = scratch.get(name);
        if (b == null || b.byteSize() < bytes) {
            if (b != null) {
                b.close();
            }
            b = ctx.allocate(Math.max(bytes, 16));
            scratch.put(name, b);
        }
        return b;
    }

    private void toBf16(DeviceBuffer x, long elements, DeviceBuffer xb, CudaStream stream) {
        long pairs = elements / 2;
        fn("pairwise_similarity_to_bf16").launch((int) ((pairs + 255) / 256), 1, 1, 256, 1, 1, 0, stream,
                new KernelArgs().ptr(x).i64(elements).ptr(xb));
    }

    /** The 64-bit counter the kernels incremented, after the stream's work. */
    private static long readCount(DeviceBuffer count, CudaStream stream) {
        if (stream != null) {
            stream.synchronize();
        }
        long[] c = new long[1];
        count.slice(0, 8).download(c);
        return c[0];
    }

    /** The capacity for a rerun that holds all {@code count} edges, or why there is none. */
    private static int grow(long count, long maxEdges, int attempt) {
        if (count > maxEdges) {
            throw new TooManyEdgesException(count, maxEdges);
        }
        if (attempt > 0) {
            throw new IllegalStateException("edge count grew between two identical runs");
        }
        return (int) count;
    }

    private DeviceBuffer uploadPadded(float[] x, int n, int d, int ld) {
        float[] p;
        if (ld == d && x.length == n * d) {
            p = x;
        } else {
            p = new float[n * ld];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, i * d, p, i * ld, d);
            }
        }
        DeviceBuffer b = ctx.allocate(4L * n * ld);
        b.upload(p);
        return b;
    }

    /** A device copy of {@code volume}, or null (closing a null resource in try is fine). */
    private DeviceBuffer uploadVolume(int[] volume, int n) {
        if (volume == null) {
            return null;
        }
        DeviceBuffer b = ctx.allocate(4L * Math.max(1, n));
        b.upload(volume.length == n ? volume : Arrays.copyOf(volume, n));
        return b;
    }

    private static double maxNorm(float[] x, int n, int d) {
        double max = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < d; k++) {
                s += (double) x[i * d + k] * x[i * d + k];
            }
            max = Math.max(max, s);
        }
        return Math.sqrt(max);
    }

    private static long addr(DeviceBuffer b) {
        return b == null ? 0L : b.address();
    }

    private static void checkLd(int ld) {
        if (ld < 32 || ld % 32 != 0) {
            throw new IllegalArgumentException("ld must be a positive multiple of 32, got " + ld);
        }
    }

    private static int blocks(long items, int per) {
        long b = (items + per - 1) / per;
        if (b > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(items + " items is too many for one launch");
        }
        return (int) b;
    }

    /** Blocks of the lower triangle of 128 x 128 tiles. */
    private static int triangle(int n) {
        long t = (n + TILE - 1) / TILE;
        return blocks(t * (t + 1) / 2, 1);
    }

    /** {@code v} as a float no smaller than v. */
    private static float up(double v) {
        float f = (float) v;
        return f < v ? Math.nextUp(f) : f;
    }

    /** {@code v} as a float no larger than v. */
    private static float down(double v) {
        float f = (float) v;
        return f > v ? Math.nextDown(f) : f;
    }
}
