package lessismore.tensor;

import java.util.Arrays;

/**
 * The portable {@link MicroKernel} for JVMs started without {@code --add-modules
 * jdk.incubator.vector}: the same 6 × 8 tile in plain loops. About 30× slower than
 * {@link VectorKernel} (C2 cannot keep an array tile in registers), but correct, so a missing flag
 * costs speed, not a crash.
 */
final class ScalarKernel implements MicroKernel {
    private static final int NR = 8;

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void multiply(int kb, float[] a, int aIdx, float[] b, int bIdx, float[] tile) {
        Arrays.fill(tile, 0, MR * NR, 0f);
        for (int p = 0; p < kb; p++) {
            for (int i = 0; i < MR; i++) {
                float av = a[aIdx + p * MR + i];
                for (int j = 0; j < NR; j++) {
                    tile[i * NR + j] += av * b[bIdx + p * NR + j];
                }
            }
        }
    }
}
