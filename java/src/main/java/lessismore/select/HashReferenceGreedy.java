package lessismore.select;

/**
 * The published Hash-t selection (Wolf et al. 2024, "Hash-6" for t = 6): the first remaining slice
 * is the reference and is kept; every remaining slice whose signature is within Hamming distance t
 * of it is dropped; the survivors form the new remaining list; repeat until none remain.
 *
 * <p>O(n · r) per volume for r kept references, O(n²) at worst; n is a volume's slice count.
 */
public final class HashReferenceGreedy implements SelectionStrategy {
    private final int threshold;

    /** @param threshold the largest Hamming distance that still counts as a duplicate (0..64) */
    public HashReferenceGreedy(int threshold) {
        if (threshold < 0 || threshold > 64) {
            throw new IllegalArgumentException("hash threshold must be in 0..64, got " + threshold);
        }
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return "hash";
    }

    @Override
    public Selection select(long[] sig) {
        int n = sig.length;
        Selection s = Selection.empty(n);
        // remaining[0..count) holds the indices still undecided, in order.
        int[] remaining = new int[n];
        for (int i = 0; i < n; i++) {
            remaining[i] = i;
        }
        int count = n;
        while (count > 0) {
            int ref = remaining[0];
            s.kept()[ref] = true;
            int survivors = 0;
            for (int j = 1; j < count; j++) {
                int idx = remaining[j];
                int d = Long.bitCount(sig[ref] ^ sig[idx]);
                if (d <= threshold) {
                    s.reference()[idx] = ref;
                    s.distance()[idx] = d;
                } else {
                    remaining[survivors++] = idx;
                }
            }
            count = survivors;
        }
        return s;
    }
}
