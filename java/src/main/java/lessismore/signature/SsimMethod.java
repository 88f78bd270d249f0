package lessismore.signature;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Structural similarity between slices ({@code --strategy ssim}): a slice's signature is its
 * preprocessed 8-bit image resized with Pillow's LANCZOS filter to compareSize × compareSize
 * ({@link SampledImage}); two signatures compare by their mean SSIM ({@link Ssim}, skimage's
 * Gaussian-window SSIM of Wang et al. 2004). Larger is more alike; 1 means identical.
 *
 * <p>Choice of the default compare size, {@value SampledImage#DEFAULT_COMPARE_SIZE}: one SSIM of two
 * 512 × 512 images costs several times the read and decode of a 512 × 512 slice, which a greedy
 * pass that compares each slice with one or more references cannot afford; at 128 × 128 it costs
 * about a sixteenth of that, well below one slice read (JMH {@code SsimMiBenchmark}). Down-sampling
 * also averages away pixel noise, so scores at 128 are higher than at 512 for the same pair, but
 * they order pairs the same way on the shared CT data, which is what a threshold needs; 64 × 64
 * loses the fine structure (small vessels, thin bone) that tells neighbouring slices apart, and
 * its Gaussian window then covers a sixth of the image.
 */
public final class SsimMethod implements SignatureMethod<byte[]> {
    private final int compareSize;
    private final ThreadLocal<Ssim> workspace = ThreadLocal.withInitial(Ssim::new);

    /**
     * @param compareSize side of the square slices are resized to before comparing, at least
     *                    {@link Ssim#WINDOW}, or 0 to compare at native size (slices of one run must
     *                    then all have one size)
     */
    public SsimMethod(int compareSize) {
        this.compareSize = SampledImage.checkCompareSize(compareSize, Ssim.WINDOW);
    }

    @Override
    public String name() {
        return "ssim";
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("compare_size", compareSize == 0 ? "native" : compareSize);
        p.put("resample", compareSize == 0 ? "none: native size"
                : "images are down-sampled to " + compareSize + "x" + compareSize + " with LANCZOS (Pillow) before comparing");
        p.put("window", "gaussian " + Ssim.WINDOW + "x" + Ssim.WINDOW + ", sigma " + Ssim.SIGMA);
        p.put("k1", 0.01);
        p.put("k2", 0.03);
        p.put("data_range", Ssim.DATA_RANGE);
        p.put("covariance", "population");
        p.put("mean_over", "image less a " + Ssim.RADIUS + "-pixel border");
        p.put("reference", "skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5, "
                + "use_sample_covariance=False, data_range=255)");
        return p;
    }

    @Override
    public Direction direction() {
        return Direction.SIMILARITY;
    }

    @Override
    public Signer<byte[]> newSigner() {
        return SampledImage.signer(compareSize);
    }

    /** Mean SSIM of two signatures of this method. */
    @Override
    public double compare(byte[] a, byte[] b) {
        SampledImage.requireSameSize(a, b);
        return workspace.get().mean(a, b, SampledImage.width(a), SampledImage.height(a));
    }
}
