package lessismore.signature;

import java.util.Map;

/**
 * One way to describe a slice for redundancy checks (a perceptual hash, a down-sampled image for
 * SSIM or mutual information, an embedding) and to compare two such descriptions.
 *
 * <p>Signatures are computed once per slice while the input is read (pixels are not kept), then
 * compared pairwise by the selection rules. Implementations are immutable and thread-safe; the
 * per-thread state of computing signatures lives in a {@link Signer}.
 *
 * @param <S> the signature type: {@code long[]} hash words, {@code byte[]} sample images,
 *            {@code float[]} embeddings
 */
public interface SignatureMethod<S> {
    /** Whether a small or a large comparison value means "alike". */
    enum Direction {
        /** Smaller is more alike; a slice is redundant when distance ≤ threshold (hashes). */
        DISTANCE,
        /** Larger is more alike; a slice is redundant when similarity ≥ threshold (SSIM, MI, cosine). */
        SIMILARITY
    }

    /** Short name for outputs, e.g. {@code dhash-8}, {@code phash-16}, {@code ssim}, {@code nmi}. */
    String name();

    /** Every parameter that determines the signature and the comparison, for summary and report. */
    Map<String, Object> parameters();

    /** How {@link #compare} is read. */
    Direction direction();

    /** True when {@link #compare} returns only whole numbers (Hamming distances). */
    default boolean discrete() {
        return false;
    }

    /**
     * True when signatures are {@code long[]} bit strings of equal length and {@link #compare} is
     * their Hamming distance: selection then scans packed words instead of calling compare.
     */
    default boolean hamming() {
        return false;
    }

    /** A signer for one worker thread. */
    Signer<S> newSigner();

    /** Distance or similarity of two signatures of this method; symmetric. */
    double compare(S a, S b);

    /** True when {@code score} means "redundant" under {@code threshold}. */
    default boolean redundant(double score, double threshold) {
        return direction() == Direction.DISTANCE ? score <= threshold : score >= threshold;
    }

    /** The signature as text for the manifest (hex for hashes), or "" when it has no short form. */
    default String text(S signature) {
        return "";
    }
}
