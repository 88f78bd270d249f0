package lessismore.select;

import java.util.List;

/**
 * The slices of a dataset as selection sees them: volumes one after another, each in anatomical
 * order, addressed by a global index.
 *
 * @param volumeStart volume v holds slices [volumeStart[v], volumeStart[v + 1]); length volumes + 1
 * @param eligible    false for slices already dropped (low information): they are neither kept nor
 *                    used as references
 * @param signatures  signature of each slice (null entries where not eligible), or null for
 *                    strategies that use none
 * @param threads     worker threads for comparisons
 */
public record Candidates(int[] volumeStart, boolean[] eligible, List<?> signatures, int threads) {
    /** Total number of slices. */
    public int size() {
        return volumeStart[volumeStart.length - 1];
    }

    /** Number of volumes. */
    public int volumes() {
        return volumeStart.length - 1;
    }

    /** Eligible slice indices of volume v, in order. */
    int[] eligibleOf(int v) {
        int from = volumeStart[v];
        int to = volumeStart[v + 1];
        int count = 0;
        for (int i = from; i < to; i++) {
            count += eligible[i] ? 1 : 0;
        }
        int[] out = new int[count];
        for (int i = from, k = 0; i < to; i++) {
            if (eligible[i]) {
                out[k++] = i;
            }
        }
        return out;
    }
}
