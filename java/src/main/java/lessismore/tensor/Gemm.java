package lessismore.tensor;

/**
 * Single-precision matrix multiply on row-major arrays, the one hot loop of CPU training:
 * {@code C = alpha · op(A) · op(B) + beta · C} with op(A) m × k, op(B) k × n and C m × n.
 *
 * <p>Row-major with leading dimensions: element (i, j) of a matrix X stored at offset xOff with
 * leading dimension ldx is {@code x[xOff + i * ldx + j]}. With transA, A is stored k × m (lda ≥ m);
 * with transB, B is stored n × k (ldb ≥ k). When beta is 0, C is not read (it may hold NaN).
 */
public final class Gemm {
    private Gemm() {
    }

    /** C = alpha · op(A) · op(B) + beta · C (see the class comment for layouts). */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
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
