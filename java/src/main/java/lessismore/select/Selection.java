package lessismore.select;

/**
 * The outcome of selection over one volume of n slices, in the volume's order.
 *
 * @param kept      kept[i] is true when slice i stays in the dataset
 * @param reference for a slice dropped as a near-duplicate, the index of the kept slice it
 *                  duplicates; -1 otherwise
 * @param distance  the distance to that reference; -1 otherwise
 */
public record Selection(boolean[] kept, int[] reference, int[] distance) {
    /** A selection of n slices, all dropped without reference until a strategy fills it. */
    static Selection empty(int n) {
        int[] ref = new int[n];
        int[] dist = new int[n];
        java.util.Arrays.fill(ref, -1);
        java.util.Arrays.fill(dist, -1);
        return new Selection(new boolean[n], ref, dist);
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
