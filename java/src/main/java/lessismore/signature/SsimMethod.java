package lessismore.signature;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Structural similarity between slices ({@code --strategy ssim}): a slice's signature is its
 * preprocessed 8-bit image resized with Pillow's LANCZOS filter to compareSize × compareSize
 * ({@link SampledImage}); two signatures compare by their mean SSIM ({@link Ssim}, skimage's
 * Gaussian-window SSIM of Wang et al. 2004). Larger is more alike; 1 means identical.
 *
 * <p>Choice of the default compare size, {@value SampledImage#DEFAULT_COMPARE_SIZE}, measured on the
 * shared CT data (512 × 512 slices; one thread, CPU time; {@code SsimMiBenchmark} measures the
 * same operations): reading and decoding one slice costs about 0.7 ms, one SSIM 6.3 ms at 512 (9×
 * a read), 1.9 ms at 256 (2.8×), 0.36 ms at 128 (0.5×) and 0.09 ms at 64. A greedy pass compares
 * each slice with at least one reference, so only 128 and below keep comparing cheaper than
 * reading. Down-sampling averages pixel noise away, which changes what SSIM sees: at native size
 * neighbouring slices of the noisy chest series score below 0.95 for every pair (noise dominates),
 * at 128 their anatomy does. Over all 12,247 within-volume pairs of the shared data, the rank
 * correlation with native-size SSIM is 0.93 at 256, 0.79 at 128 and 0.70 at 64; 64 also leaves
 * the 11 × 11 window a sixth of the image side. Signatures are held for every slice of a run: 16 KiB
 * each at 128, 64 KiB at 256.
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
