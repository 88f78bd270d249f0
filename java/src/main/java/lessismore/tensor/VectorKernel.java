package lessismore.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fast {@link MicroKernel} on the Vector API: a 6 × (2 · lanes) tile (6 × 32 with AVX-512,
 * 6 × 16 with AVX2) kept in 12 vector registers for the whole kb loop. Each step loads two vectors
 * of the B sliver, broadcasts the 6 values of the A sliver and issues 12 fused multiply-adds, so
 * the loop is bound by the FMA ports, not by loads. 12 accumulators + 2 B vectors + 1 broadcast fit
 * the 16 registers of AVX2 as well as the 32 of AVX-512; 8 rows (16 accumulators) measured no
 * better than noise here and would spill on AVX2.
 *
 * <p>Only loaded when the module jdk.incubator.vector is present (see {@link Gemm}).
 */
final class VectorKernel implements MicroKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Scatter offsets 0, r, 2r, … for the two sliver widths r = MR and r = nr. */
    private static final int[] MR_OFFSETS = offsets(MR);
    private static final int[] NR_OFFSETS = offsets(2 * L);

    @Override
    public int nr() {
        return 2 * L;
    }

    @Override
    public void multiply(int kb, float[] a, int aIdx, float[] b, int bIdx, float[] tile) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        int ai = aIdx;
        int bi = bIdx;
        for (int p = 0; p < kb; p++, ai += MR, bi += 2 * L) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        // Unit-stride stores to the tile buffer: the smallest code after the loop. Merging into C
        // here (with alpha, beta, ldc) pushed C2 past its inlining node limit and the accumulators
        // were boxed, 10× slower; merge() does it in a separate compilation unit.
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, 2 * L);
        c11.intoArray(tile, 3 * L);
        c20.intoArray(tile, 4 * L);
        c21.intoArray(tile, 5 * L);
        c30.intoArray(tile, 6 * L);
        c31.intoArray(tile, 7 * L);
        c40.intoArray(tile, 8 * L);
        c41.intoArray(tile, 9 * L);
        c50.intoArray(tile, 10 * L);
        c51.intoArray(tile, 11 * L);
    }

    /** Full-width rows two vectors at a time (the scalar loop costed a third of the kernel time). */
    @Override
    public void merge(float[] tile, int rows, int cols, float alpha, float beta, float[] c, int cIdx, int ldc) {
        if (cols != 2 * L) {
            MicroKernel.super.merge(tile, rows, cols, alpha, beta, c, cIdx, ldc);
            return;
        }
        for (int i = 0, ci = cIdx, ti = 0; i < rows; i++, ci += ldc, ti += 2 * L) {
            FloatVector lo = FloatVector.fromArray(S, tile, ti);
            FloatVector hi = FloatVector.fromArray(S, tile, ti + L);
            if (alpha != 1f) {
                lo = lo.mul(alpha);
                hi = hi.mul(alpha);
            }
            if (beta != 0f) {
                lo = FloatVector.fromArray(S, c, ci).mul(beta).add(lo);
                hi = FloatVector.fromArray(S, c, ci + L).mul(beta).add(hi);
            }
            lo.intoArray(c, ci);
            hi.intoArray(c, ci + L);
        }
    }

    /**
     * Loads L consecutive elements of the row and scatters them r apart: 3× faster than the
     * element loop on AVX-512 (80 → 26 µs for a 240 × 256 block of A).
     */
    @Override
    public void packRow(float[] src, int s, int sp, int kb, float[] dst, int t, int r) {
        int[] offsets = sp != 1 ? null : r == MR ? MR_OFFSETS : r == 2 * L ? NR_OFFSETS : null;
        if (offsets == null) {
            MicroKernel.super.packRow(src, s, sp, kb, dst, t, r);
            return;
        }
        int p = 0;
        for (; p + L <= kb; p += L) {
            FloatVector.fromArray(S, src, s + p).intoArray(dst, t + p * r, offsets, 0);
        }
        for (; p < kb; p++) {
            dst[t + p * r] = src[s + p];
        }
    }

    private static int[] offsets(int r) {
        int[] o = new int[L];
        for (int l = 0; l < L; l++) {
            o[l] = l * r;
        }
        return o;
    }
}
