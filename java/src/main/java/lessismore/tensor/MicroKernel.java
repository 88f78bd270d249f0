package lessismore.tensor;

/**
 * The inner block of {@link Gemm}: one {@link #MR} × {@link #nr()} tile of C from packed slivers.
 *
 * <p>Packed layouts (written by Gemm's packing): the A sliver holds MR rows of op(A) for kb steps
 * of the shared dimension, {@code a[aIdx + p * MR + i]}; the B sliver holds nr columns of op(B),
 * {@code b[bIdx + p * nr + j]}. Both are contiguous, so the kernel streams them with unit stride.
 */
interface MicroKernel {
    /** Rows of the tile: the same for every kernel, so A is packed one way. */
    int MR = 6;

    /** Columns of the tile (the B sliver width). */
    int nr();

    /** Writes the MR × nr tile Asliver · Bsliver to tile[0 … MR·nr−1], row by row. */
    void multiply(int kb, float[] a, int aIdx, float[] b, int bIdx, float[] tile);
}
