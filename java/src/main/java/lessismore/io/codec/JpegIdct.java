package lessismore.io.codec;

/**
 * The accurate scaled-integer 8×8 inverse DCT that libjpeg calls "islow" (its default, and what
 * dcmtk's dcmdjpeg uses), written from the published algorithm: the Loeffler–Ligtenberg–Moschytz
 * factorisation with 12 multiplies and 32 adds per 1-D pass, constants scaled by 2^13
 * (CONST_BITS), a column pass whose results keep PASS1_BITS extra fraction bits (2 for 8-bit
 * samples, 1 for 12-bit), then a row pass that removes the remaining scale (CONST_BITS +
 * PASS1_BITS + 3) with rounding, adds the level shift and clamps through libjpeg's range-limit
 * rule (the value is first wrapped modulo 4·2^P, so wild overflows wrap like libjpeg's table).
 * Integer arithmetic is 32-bit throughout, as in libjpeg, so the results are bit-exact.
 */
final class JpegIdct {
    private JpegIdct() {
    }

    private static final int CONST_BITS = 13;

    /** round(x · 2^13) */
    private static int fix(double x) {
        return (int) (x * (1 << CONST_BITS) + 0.5);
    }

    // c_k = cos(k·π/16); the LL&M rotations multiply by these (signs are applied where used).
    private static final int FIX_0_298631336 = fix(0.298631336); // sqrt(2) * (-c1 + c3 + c5 - c7)
    private static final int FIX_0_390180644 = fix(0.390180644); // sqrt(2) * (c3 - c5)
    private static final int FIX_0_541196100 = fix(0.541196100); // sqrt(2) * c6
    private static final int FIX_0_765366865 = fix(0.765366865); // sqrt(2) * (c2 - c6)
    private static final int FIX_0_899976223 = fix(0.899976223); // sqrt(2) * (c3 - c7)
    private static final int FIX_1_175875602 = fix(1.175875602); // sqrt(2) * c3
    private static final int FIX_1_501321110 = fix(1.501321110); // sqrt(2) * (c1 + c3 - c5 - c7)
    private static final int FIX_1_847759065 = fix(1.847759065); // sqrt(2) * (c2 + c6)
    private static final int FIX_1_961570560 = fix(1.961570560); // sqrt(2) * (c3 + c5)
    private static final int FIX_2_053119869 = fix(2.053119869); // sqrt(2) * (c1 + c3 - c5 + c7)
    private static final int FIX_2_562915447 = fix(2.562915447); // sqrt(2) * (c1 + c3)
    private static final int FIX_3_072711026 = fix(3.072711026); // sqrt(2) * (c1 + c3 + c5 - c7)

    /**
     * Dequantizes and inverse-transforms one block and stores the clamped samples.
     *
     * @param coef      64 coefficients in natural (row-major) order
     * @param quant     64 quantizer values in natural order
     * @param ws        64-int work space
     * @param out       destination plane
     * @param outOff    index in {@code out} of the block's top-left sample
     * @param stride    row length of {@code out}
     * @param precision 8 or 12
     */
    static void islow(short[] coef, int[] quant, int[] ws, short[] out, int outOff, int stride, int precision) {
        final int pass1 = precision == 8 ? 2 : 1;
        final int maxSample = (1 << precision) - 1;
        final int center = 1 << (precision - 1);
        final int wrapShift = 32 - (precision + 2); // wrap modulo 4 * 2^precision, signed

        // Pass 1: columns from the input, results scaled up by 2^PASS1_BITS into the work space.
        for (int col = 0; col < 8; col++) {
            if (coef[8 + col] == 0 && coef[16 + col] == 0 && coef[24 + col] == 0 && coef[32 + col] == 0
                    && coef[40 + col] == 0 && coef[48 + col] == 0 && coef[56 + col] == 0) {
                // AC terms all zero: the column is its DC term (the full computation gives the same).
                int dc = (coef[col] * quant[col]) << pass1;
                for (int r = 0; r < 64; r += 8) {
                    ws[r + col] = dc;
                }
                continue;
            }
            // Even part: reverse the even part of the forward DCT.
            int z2 = coef[16 + col] * quant[16 + col];
            int z3 = coef[48 + col] * quant[48 + col];
            int z1 = (z2 + z3) * FIX_0_541196100;
            int tmp2 = z1 + z3 * -FIX_1_847759065;
            int tmp3 = z1 + z2 * FIX_0_765366865;
            z2 = coef[col] * quant[col];
            z3 = coef[32 + col] * quant[32 + col];
            int tmp0 = (z2 + z3) << CONST_BITS;
            int tmp1 = (z2 - z3) << CONST_BITS;
            int tmp10 = tmp0 + tmp3;
            int tmp13 = tmp0 - tmp3;
            int tmp11 = tmp1 + tmp2;
            int tmp12 = tmp1 - tmp2;
            // Odd part.
            tmp0 = coef[56 + col] * quant[56 + col];
            tmp1 = coef[40 + col] * quant[40 + col];
            tmp2 = coef[24 + col] * quant[24 + col];
            tmp3 = coef[8 + col] * quant[8 + col];
            z1 = tmp0 + tmp3;
            z2 = tmp1 + tmp2;
            z3 = tmp0 + tmp2;
            int z4 = tmp1 + tmp3;
            int z5 = (z3 + z4) * FIX_1_175875602;
            tmp0 *= FIX_0_298631336;
            tmp1 *= FIX_2_053119869;
            tmp2 *= FIX_3_072711026;
            tmp3 *= FIX_1_501321110;
            z1 *= -FIX_0_899976223;
            z2 *= -FIX_2_562915447;
            z3 *= -FIX_1_961570560;
            z4 *= -FIX_0_390180644;
            z3 += z5;
            z4 += z5;
            tmp0 += z1 + z3;
            tmp1 += z2 + z4;
            tmp2 += z2 + z3;
            tmp3 += z1 + z4;
            final int sh = CONST_BITS - pass1;
            final int rnd = 1 << (sh - 1);
            ws[col] = (tmp10 + tmp3 + rnd) >> sh;
            ws[56 + col] = (tmp10 - tmp3 + rnd) >> sh;
            ws[8 + col] = (tmp11 + tmp2 + rnd) >> sh;
            ws[48 + col] = (tmp11 - tmp2 + rnd) >> sh;
            ws[16 + col] = (tmp12 + tmp1 + rnd) >> sh;
            ws[40 + col] = (tmp12 - tmp1 + rnd) >> sh;
            ws[24 + col] = (tmp13 + tmp0 + rnd) >> sh;
            ws[32 + col] = (tmp13 - tmp0 + rnd) >> sh;
        }

        // Pass 2: rows from the work space, remove the scaling, level-shift and range-limit.
        final int sh = CONST_BITS + pass1 + 3;
        final int rnd = 1 << (sh - 1);
        for (int row = 0, w = 0, o = outOff; row < 8; row++, w += 8, o += stride) {
            int tmp0;
            int tmp1;
            int tmp2;
            int tmp3;
            int z2 = ws[w + 2];
            int z3 = ws[w + 6];
            int z1 = (z2 + z3) * FIX_0_541196100;
            tmp2 = z1 + z3 * -FIX_1_847759065;
            tmp3 = z1 + z2 * FIX_0_765366865;
            tmp0 = (ws[w] + ws[w + 4]) << CONST_BITS;
            tmp1 = (ws[w] - ws[w + 4]) << CONST_BITS;
            int tmp10 = tmp0 + tmp3;
            int tmp13 = tmp0 - tmp3;
            int tmp11 = tmp1 + tmp2;
            int tmp12 = tmp1 - tmp2;
            tmp0 = ws[w + 7];
            tmp1 = ws[w + 5];
            tmp2 = ws[w + 3];
            tmp3 = ws[w + 1];
            z1 = tmp0 + tmp3;
            z2 = tmp1 + tmp2;
            z3 = tmp0 + tmp2;
            int z4 = tmp1 + tmp3;
            int z5 = (z3 + z4) * FIX_1_175875602;
            tmp0 *= FIX_0_298631336;
            tmp1 *= FIX_2_053119869;
            tmp2 *= FIX_3_072711026;
            tmp3 *= FIX_1_501321110;
            z1 *= -FIX_0_899976223;
            z2 *= -FIX_2_562915447;
            z3 *= -FIX_1_961570560;
            z4 *= -FIX_0_390180644;
            z3 += z5;
            z4 += z5;
            tmp0 += z1 + z3;
            tmp1 += z2 + z4;
            tmp2 += z2 + z3;
            tmp3 += z1 + z4;
            out[o] = limit((tmp10 + tmp3 + rnd) >> sh, wrapShift, center, maxSample);
            out[o + 7] = limit((tmp10 - tmp3 + rnd) >> sh, wrapShift, center, maxSample);
            out[o + 1] = limit((tmp11 + tmp2 + rnd) >> sh, wrapShift, center, maxSample);
            out[o + 6] = limit((tmp11 - tmp2 + rnd) >> sh, wrapShift, center, maxSample);
            out[o + 2] = limit((tmp12 + tmp1 + rnd) >> sh, wrapShift, center, maxSample);
            out[o + 5] = limit((tmp12 - tmp1 + rnd) >> sh, wrapShift, center, maxSample);
            out[o + 3] = limit((tmp13 + tmp0 + rnd) >> sh, wrapShift, center, maxSample);
            out[o + 4] = limit((tmp13 - tmp0 + rnd) >> sh, wrapShift, center, maxSample);
        }
    }

    /**
     * libjpeg's post-IDCT range limit: wrap to [-2·2^P, 2·2^P) (its table is indexed modulo
     * 4·2^P), add the level shift, clamp to [0, 2^P - 1].
     */
    private static short limit(int v, int wrapShift, int center, int maxSample) {
        int s = ((v << wrapShift) >> wrapShift) + center;
        return (short) (s < 0 ? 0 : s > maxSample ? maxSample : s);
    }
}
