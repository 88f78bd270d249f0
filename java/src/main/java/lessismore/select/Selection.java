package lessismore.select;

import java.util.Arrays;

/**
 * The outcome of selection over a dataset of n slices (global indices, see {@link Candidates}).
 *
 * @param kept      kept[i] is true when slice i stays in the dataset
 * @param reference for a slice dropped as redundant, the global index of the kept slice it
 *                  duplicates; -1 otherwise
 * @param score     the distance or similarity to that reference; NaN otherwise
 */
public record Selection(boolean[] kept, int[] reference, double[] score) {
    /** A selection of n slices, all dropped without reference until a strategy fills it. */
    static Selection empty(int n) {
        int[] ref = new int[n];
        double[] score = new double[n];
        Arrays.fill(ref, -1);
        Arrays.fill(score, Double.NaN);
        return new Selection(new boolean[n], ref, score);
    }

    /** Number of kept slices. */
    public int keptCount() {
        int k = 0;
        for (boolean b : kept) {
            k += b ? 1 : 0;
        }
        return k;
    }
}
