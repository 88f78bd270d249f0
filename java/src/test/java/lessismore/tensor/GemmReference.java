package lessismore.tensor;

/**
 * The naive triple loop that {@link Gemm#sgemm} replaced, kept as the reference for the tests: one
 * dot product per element of C in the obvious order, with the same layouts and the same rule that
 * C is not read when beta is 0.
 */
final class GemmReference {
    private GemmReference() {
    }

    /** C = alpha · op(A) · op(B) + beta · C, with the layouts of {@link Gemm#sgemm}. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = beta == 0f ? alpha * sum : alpha * sum + beta * c[ci];
            }
        }
    }
}
