package lessismore.select;

import java.util.List;
import lessismore.signature.SignatureMethod;

/**
 * Finds every pair of slices that may be redundant under a threshold, so that the greedy rule
 * needs to look at those pairs only (O(pairs) instead of a scan of the kept set per slice). The
 * pairs may be a superset: the rule re-scores each with the method's own {@code compare} and
 * applies the threshold exactly, so a selection through pairs equals the plain scan's. The GPU
 * implementation is {@code lessismore.kernels.CudaCandidatePairs}.
 */
public interface CandidatePairs {
    /** Whether {@link #find} can handle signatures of {@code method}. */
    boolean supports(SignatureMethod<?> method);

    /**
     * The candidate pairs among {@code signatures}, addressed by position (rank) in that list.
     *
     * @param signatures one signature per rank, in processing order
     * @param groups     group (volume) of each rank, or null: pairs are only formed within a group
     * @param method     the signatures' method
     * @param threshold  the strategy's threshold (a fractional Hamming threshold d + p needs
     *                   distances up to d + 1)
     * @return every pair (later, earlier), earlier &lt; later, that may be redundant; sorted by
     *         later, then earlier; or null when there are too many pairs to hold (many
     *         near-duplicates), and the rule scans the kept set instead
     */
    Pairs find(List<?> signatures, int[] groups, SignatureMethod<?> method, double threshold);

    /** A short description for the summary, e.g. "cuda:0 hamming pairs". */
    String describe();

    /**
     * Pairs of ranks, parallel arrays sorted by {@code later} then {@code earlier}.
     *
     * @param later   the later rank of each pair
     * @param earlier the earlier rank of each pair
     */
    record Pairs(int[] later, int[] earlier) {
        public Pairs {
            if (later.length != earlier.length) {
                throw new IllegalArgumentException(later.length + " later ranks, " + earlier.length + " earlier");
            }
        }

        /** Number of pairs. */
        public int size() {
            return later.length;
        }
    }
}
