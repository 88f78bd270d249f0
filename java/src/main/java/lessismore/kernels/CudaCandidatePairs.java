package lessismore.kernels;

import java.util.List;
import lessismore.cuda.CudaContext;
import lessismore.select.CandidatePairs;
import lessismore.signature.EmbeddingMethod;
import lessismore.signature.HashMethod;
import lessismore.signature.SignatureMethod;

/**
 * Candidate pairs for the greedy rules from the GPU ({@link CudaPairwiseSimilarity}): Hamming
 * pairs for hashes, cosine pairs for embeddings, never materializing the n × n matrix. The pairs
 * are a superset of the redundant ones; {@link lessismore.select.SignatureStrategy} applies the
 * exact threshold to each, so the selection equals the CPU scan's.
 */
public final class CudaCandidatePairs implements CandidatePairs {
    /**
     * Cosine pairs are asked for from τ − this: the device sums in fp32 in another order than
     * {@link EmbeddingMethod#compare} (double), differing by at most about d · 2⁻²⁴ (1.2e-4 at
     * d = 2048) for unit vectors; a pair the host finds redundant is never missed.
     */
    static final double COSINE_MARGIN = 1e-3;
    /**
     * Most pairs taken from the device (12 bytes each there, 20 on the host while sorted: about
     * 1.3 GB at this bound); beyond it, as on archives of many near-identical slices, the scan of
     * the kept set, whose work grows with the kept slices instead, is the better algorithm.
     */
    static final long MAX_PAIRS = 1L << 26;
    private static final System.Logger LOG = System.getLogger(CudaCandidatePairs.class.getName());

    private final CudaContext ctx;

    /** Pairs computed on {@code ctx}'s device. */
    public CudaCandidatePairs(CudaContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public boolean supports(SignatureMethod<?> method) {
        return method instanceof HashMethod h ? (h.bits() + 63) / 64 <= 4 : method instanceof EmbeddingMethod;
    }

    @Override
    public Pairs find(List<?> signatures, int[] groups, SignatureMethod<?> method, double threshold) {
        int n = signatures.size();
        if (n < 2) {
            return new Pairs(new int[0], new int[0]);
        }
        PairwiseSimilarity.Edges edges;
        try (CudaPairwiseSimilarity gpu = new CudaPairwiseSimilarity(ctx)) {
            if (method.hamming()) {
                // A fractional threshold d + p needs distance d + 1 too (SignatureStrategy's rule).
                int t = (int) Math.ceil(threshold);
                if (t < 0) {
                    return new Pairs(new int[0], new int[0]);
                }
                int words = ((long[]) signatures.get(0)).length;
                long[] packed = new long[Math.multiplyExact(n, words)];
                for (int i = 0; i < n; i++) {
                    System.arraycopy((long[]) signatures.get(i), 0, packed, i * words, words);
                }
                edges = gpu.hammingAtMost(packed, n, words, t, groups, MAX_PAIRS);
            } else {
                int d = ((float[]) signatures.get(0)).length;
                float[] x = new float[Math.multiplyExact(n, d)];
                for (int i = 0; i < n; i++) {
                    System.arraycopy((float[]) signatures.get(i), 0, x, i * d, d);
                }
                edges = gpu.edgesAtLeast(x, n, d, (float) (threshold - COSINE_MARGIN), groups,
                        CudaPairwiseSimilarity.Precision.BF16, MAX_PAIRS);
            }
        } catch (CudaPairwiseSimilarity.TooManyEdgesException e) {
            LOG.log(System.Logger.Level.WARNING, "{0} candidate pairs (more than {1}): the global rule scans the kept "
                    + "set on the CPU instead", e.count(), MAX_PAIRS);
            return null;
        }
        return new Pairs(edges.row(), edges.col());
    }

    @Override
    public String describe() {
        return "cuda:" + ctx.device().ordinal() + " candidate pairs";
    }
}
