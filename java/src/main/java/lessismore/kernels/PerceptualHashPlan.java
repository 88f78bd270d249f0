package lessismore.kernels;

import java.util.Arrays;
import lessismore.kernels.PerceptualHash.Kind;
import lessismore.signature.ImageHash;
import lessismore.signature.PilLanczos;
import lessismore.signature.PilLanczos.Coefficients;

/**
 * The host half of {@link CudaPerceptualHash} for one (kind, hash size, w, h): the resize tables the
 * kernels read, in one int array, and the launch geometry (see native/perceptual_hash.h for the
 * layouts). Pure Java, so PerceptualHashTest checks it on the CPU by running the fused kernel's
 * algorithm over it ({@code PerceptualHashTest.emulateFused}).
 */
final class PerceptualHashPlan {
    /** PERCEPTUAL_HASH_BAND_ROWS: input rows per shared-memory band, 2 per lane. */
    static final int BAND = 64;
    /** PERCEPTUAL_HASH_GROUP_WIDTH: horizontal outputs per warp task. */
    static final int GROUP = 4;

    final Kind kind;
    final int hashSize;
    final int w;
    final int h;
    final int outW;
    final int outH;
    /** Input rows [rowFirst, rowEnd) are the ones the vertical pass reads. */
    final int rowFirst;
    final int rowEnd;
    /** Raw Pillow tables (identity for an axis whose size does not change). */
    final Coefficients horizontal;
    final Coefficients vertical;
    /** ceil(outW / 4) groups of 4 horizontal outputs. */
    final int groups;
    /** Bytes per band row in shared memory. */
    final int pitch;
    /** Shared-memory layout of the fused kernel: band at 0, mid, res, total bytes. */
    final int midOffset;
    final int resOffset;
    final int smemBytes;
    /** Threads per block of the fused kernel (a multiple of 32). */
    final int threads;
    /**
     * Every table, each section starting at a multiple of 4 ints (16 bytes): the fused kernel's
     * hGroups (int4 per group: kStart, kLen, wOffset, 0) and hWeights (per group: a bias int4, then
     * 3 int4s of packed weight digits per 4 columns), the raw vertical table (vFirst, vCount,
     * vWeights) both variants read, and the raw horizontal table (hFirst, hCount, hWeights) of the
     * simple variant.
     */
    final int[] tables;
    final int hGroupsAt;
    final int hWeightsAt;
    final int vFirstAt;
    final int vCountAt;
    final int vWeightsAt;
    final int hFirstAt;
    final int hCountAt;
    final int hRawAt;
    /** pHash's cosine table (hashSize × 4 hashSize, ImageHash's), else null. */
    final double[] cosines;

    private PerceptualHashPlan(Kind kind, int hashSize, int w, int h) {
        PerceptualHash.checkHashSize(hashSize);
        this.kind = kind;
        this.hashSize = hashSize;
        this.w = w;
        this.h = h;
        outW = kind.resizedWidth(hashSize);
        outH = kind.resizedHeight(hashSize);
        horizontal = outW != w ? PilLanczos.coefficients(w, outW) : identity(w);
        vertical = outH != h ? PilLanczos.coefficients(h, outH) : identity(h);
        rowFirst = vertical.first()[0];
        rowEnd = vertical.first()[outH - 1] + vertical.count()[outH - 1];
        groups = (outW + GROUP - 1) / GROUP;

        // Group g: the 16-aligned column range covering the windows of outputs 4g..4g+3, and its
        // block of int4s at wOffset: a bias (rounding offset + 128 × the output's weight sum), then
        // per 4 columns 3 int4s, the weights' balanced base-256 digits packed for dp4a (zero digits
        // outside each output's own window). See native/perceptual_hash.h.
        int[] groupTable = new int[4 * groups];
        int[] kStart = new int[groups];
        int[] kLen = new int[groups];
        int int4s = 0;
        for (int g = 0; g < groups; g++) {
            int lo = Integer.MAX_VALUE;
            int hi = Integer.MIN_VALUE;
            for (int xx = GROUP * g; xx < Math.min(GROUP * g + GROUP, outW); xx++) {
                lo = Math.min(lo, horizontal.first()[xx]);
                hi = Math.max(hi, horizontal.first()[xx] + horizontal.count()[xx]);
            }
            kStart[g] = lo & ~15;
            kLen[g] = ceil16(hi) - kStart[g];
            groupTable[4 * g] = kStart[g];
            groupTable[4 * g + 1] = kLen[g];
            groupTable[4 * g + 2] = int4s;
            int4s += 1 + 3 * kLen[g] / 4;
        }
        int[] packed = new int[4 * int4s];
        for (int g = 0; g < groups; g++) {
            int base = groupTable[4 * g + 2];
            for (int o = 0; o < GROUP; o++) {
                int xx = GROUP * g + o;
                int sum = 0;
                for (int kk = 0; xx < outW && kk < kLen[g]; kk++) {
                    int j = kStart[g] + kk - horizontal.first()[xx];
                    if (j < 0 || j >= horizontal.count()[xx]) {
                        continue;
                    }
                    int weight = horizontal.weights()[xx * horizontal.ksize() + j];
                    sum += weight;
                    int[] d = digits(weight);
                    for (int q = 0; q < 3; q++) {
                        packed[4 * (base + 1 + 3 * (kk / 4) + q) + o] |= (d[q] & 0xFF) << (8 * (kk % 4));
                    }
                }
                // int arithmetic wraps as the device's does; the final sums are Pillow's exact ints.
                packed[4 * base + o] = (1 << (PilLanczos.PRECISION_BITS - 1)) + 128 * sum;
            }
        }

        // Band rows: at least ceil16(w) bytes (every group's range ends by then); past 128 bytes, a
        // pitch of 16 mod 128 bytes puts the 16-byte loads of 8 consecutive rows in distinct banks.
        int base = ceil16(w);
        pitch = base > 128 ? 128 * ((base - 16 + 127) / 128) + 16 : base;
        int epilogue = kind == Kind.PHASH ? (hashSize * 4 * hashSize + hashSize * hashSize) * Double.BYTES : 0;
        midOffset = ceil16(Math.max(BAND * pitch, epilogue));
        resOffset = midOffset + BAND * GROUP * groups * Integer.BYTES;
        smemBytes = resOffset + ceil16(outW * outH * Integer.BYTES);
        // One warp per group, so that none idles in the horizontal pass (it is the compute), at least 2
        // for the other phases, at most 8 (then warps take several groups): 84–88 registers a thread
        // allow 7 dHash8 blocks of 96 threads an SM (shared memory: 6), and 2 of 256 for pHash.
        threads = 32 * Math.clamp(groups, 2, 8);

        int at = 0;
        hGroupsAt = at;
        at += groupTable.length;
        hWeightsAt = at;
        at = ceil4(at + packed.length);
        vFirstAt = at;
        at = ceil4(at + outH);
        vCountAt = at;
        at = ceil4(at + outH);
        vWeightsAt = at;
        at = ceil4(at + vertical.weights().length);
        hFirstAt = at;
        at = ceil4(at + outW);
        hCountAt = at;
        at = ceil4(at + outW);
        hRawAt = at;
        at = ceil4(at + horizontal.weights().length);
        tables = new int[at];
        System.arraycopy(groupTable, 0, tables, hGroupsAt, groupTable.length);
        System.arraycopy(packed, 0, tables, hWeightsAt, packed.length);
        System.arraycopy(vertical.first(), 0, tables, vFirstAt, outH);
        System.arraycopy(vertical.count(), 0, tables, vCountAt, outH);
        System.arraycopy(vertical.weights(), 0, tables, vWeightsAt, vertical.weights().length);
        System.arraycopy(horizontal.first(), 0, tables, hFirstAt, outW);
        System.arraycopy(horizontal.count(), 0, tables, hCountAt, outW);
        System.arraycopy(horizontal.weights(), 0, tables, hRawAt, horizontal.weights().length);

        cosines = kind == Kind.PHASH ? Arrays.copyOf(ImageHash.dctCosines(4 * hashSize), hashSize * 4 * hashSize) : null;
    }

    /** The plan of a (kind, hashSize, w, h) batch. */
    static PerceptualHashPlan of(Kind kind, int hashSize, int w, int h) {
        return new PerceptualHashPlan(kind, hashSize, w, h);
    }

    /** Doubles of the simple variant's per-image pHash scratch: cols, block and a sorted copy. */
    int simpleScratchDoubles() {
        return kind == Kind.PHASH ? hashSize * 4 * hashSize + 2 * hashSize * hashSize : 0;
    }

    /**
     * Pillow's skipped pass as a table: output i = input i (weight 1.0 in 22-bit fixed point, so
     * clip8 gives the input back exactly).
     */
    static Coefficients identity(int n) {
        int[] first = new int[n];
        int[] count = new int[n];
        int[] weights = new int[n];
        for (int i = 0; i < n; i++) {
            first[i] = i;
            count[i] = 1;
            weights[i] = 1 << PilLanczos.PRECISION_BITS;
        }
        return new Coefficients(1, first, count, weights);
    }

    /**
     * Balanced base-256 digits of w, each in [-128, 127]: w = d0 + 256 d1 + 65536 d2, for w in
     * [-2^23, 127 · 65793] (Pillow's weights, 22 fractional bits, stay within about ±2^22).
     */
    static int[] digits(int w) {
        int d0 = ((w + 128) & 255) - 128;
        int r = (w - d0) >> 8;
        int d1 = ((r + 128) & 255) - 128;
        int d2 = (r - d1) >> 8;
        if (d2 < -128 || d2 > 127) {
            throw new IllegalStateException("resize weight " + w + " needs more than 3 signed bytes");
        }
        return new int[] {d0, d1, d2};
    }

    private static int ceil16(int x) {
        return (x + 15) & ~15;
    }

    private static int ceil4(int x) {
        return (x + 3) & ~3;
    }
}
