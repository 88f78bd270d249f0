package lessismore.tensor;

/**
 * The inner block of {@link Gemm}: one {@link #MR} × {@link #nr()} tile of C from packed slivers.
 *
 * <p>Packed layouts (written by Gemm's packing): the A sliver holds MR rows of op(A) for kb steps
 * of the shared dimension, {@code a[aIdx + p * MR + i]}; the B sliver holds nr columns of op(B),
 * {@code b[bIdx + p * nr + j]}. Both are contiguous, so the kernel streams them with unit stride.
 * The kernel writes its tile to a small buffer and {@link #merge} adds it into C: storing straight
 * into C with alpha and beta made the kernel too large for C2 to keep its vectors in registers.
 */
interface MicroKernel {
    /** Rows of the tile: the same for every kernel, so A is packed one way. */
    int MR = 6;

    /** Columns of the tile (the B sliver width). */
    int nr();

    /** Writes the MR × nr tile Asliver · Bsliver to tile[0 … MR·nr−1], row by row. */
    void multiply(int kb, float[] a, int aIdx, float[] b, int bIdx, float[] tile);

    /**
     * C = alpha · tile + beta · C on the first rows × cols of the tile (fewer than MR × nr at the
     * edges of C), C at c[cIdx] with row stride ldc; C is not read when beta is 0.
     */
    default void merge(float[] tile, int rows, int cols, float alpha, float beta, float[] c, int cIdx, int ldc) {
        int nr = nr();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int ci = cIdx + i * ldc + j;
                float v = alpha * tile[i * nr + j];
                c[ci] = beta == 0f ? v : v + beta * c[ci];
            }
        }
    }

    /**
     * Copies src[s + p·sp] to dst[t + p·r] for p &lt; kb: one row of op(A) or op(B) into its
     * sliver when the source runs along the shared dimension (see Gemm.pack), i.e. a transpose.
     */
    default void packRow(float[] src, int s, int sp, int kb, float[] dst, int t, int r) {
        for (int p = 0; p < kb; p++) {
            dst[t + p * r] = src[s + p * sp];
        }
    }
}
