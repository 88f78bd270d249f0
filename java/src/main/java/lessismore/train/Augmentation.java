package lessismore.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * SimCLR's random view of a grey image, in this order: random resized crop (torchvision's
 * RandomResizedCrop parameters, bilinear resampling to {@code size}), horizontal flip,
 * brightness/contrast jitter, Gaussian blur, Gaussian noise; values stay in [0, 1].
 *
 * <p>All randomness comes from the generator passed in, so a view is a pure function of the image
 * and the generator's seed.
 *
 * @param size       side of the output view in pixels
 * @param scaleMin   smallest crop area as a fraction of the image (torchvision: 0.08)
 * @param scaleMax   largest crop area fraction (1)
 * @param ratioMin   smallest crop aspect ratio w/h (3/4)
 * @param ratioMax   largest crop aspect ratio (4/3)
 * @param flip       probability of a horizontal flip (0.5)
 * @param jitter     probability of the brightness/contrast jitter (SimCLR: 0.8)
 * @param brightness brightness factor drawn from [1 − b, 1 + b] (SimCLR strength 1: 0.8; we use 0.4)
 * @param contrast   contrast factor drawn from [1 − c, 1 + c]
 * @param blur       probability of the Gaussian blur (0.5)
 * @param sigmaMin   smallest blur σ in output pixels
 * @param sigmaMax   largest blur σ in output pixels
 * @param noise      probability of additive Gaussian noise
 * @param noiseStd   standard deviation of that noise
 */
public record Augmentation(int size, double scaleMin, double scaleMax, double ratioMin, double ratioMax,
                           double flip, double jitter, double brightness, double contrast,
                           double blur, double sigmaMin, double sigmaMax, double noise, double noiseStd) {
    /** Checks the ranges. */
    public Augmentation {
        if (size < 1 || !(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1)
                || !(ratioMin > 0 && ratioMin <= ratioMax) || !(sigmaMin > 0 && sigmaMin <= sigmaMax)) {
            throw new IllegalArgumentException("bad augmentation parameters");
        }
    }

    /**
     * The defaults: torchvision's crop ranges, SimCLR's probabilities, blur σ from 0.1 up to SimCLR's
     * 2 px at 224 px scaled to {@code size}, and noise of σ 0.03 half of the time.
     */
    public static Augmentation defaults(int size) {
        double scale = size / 224.0;
        return new Augmentation(size, 0.08, 1.0, 3.0 / 4, 4.0 / 3, 0.5, 0.8, 0.4, 0.4,
                0.5, 0.1, Math.max(0.1, 2.0 * scale), 0.5, 0.03);
    }

    /** The parameters by name, for checkpoint sidecars and reports. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("size", size);
        m.put("crop_scale", java.util.List.of(scaleMin, scaleMax));
        m.put("crop_ratio", java.util.List.of(ratioMin, ratioMax));
        m.put("flip_p", flip);
        m.put("jitter_p", jitter);
        m.put("brightness", brightness);
        m.put("contrast", contrast);
        m.put("blur_p", blur);
        m.put("blur_sigma", java.util.List.of(sigmaMin, sigmaMax));
        m.put("noise_p", noise);
        m.put("noise_std", noiseStd);
        return m;
    }

    /**
     * Writes one view of {@code src} (side × side) into {@code dst} at {@code offset}
     * (size × size values), drawing every random choice from {@code rng}.
     */
    public void apply(float[] src, int side, SplittableRandom rng, float[] dst, int offset) {
        int[] box = cropBox(side, side, rng);
        float[] v = new float[size * size];
        resizeBilinear(src, side, box, v, size);
        if (rng.nextDouble() < flip) {
            for (int y = 0; y < size; y++) {
                for (int a = y * size, b = a + size - 1; a < b; a++, b--) {
                    float t = v[a];
                    v[a] = v[b];
                    v[b] = t;
                }
            }
        }
        if (rng.nextDouble() < jitter) {
            jitter(v, 1 + brightness * (2 * rng.nextDouble() - 1), 1 + contrast * (2 * rng.nextDouble() - 1));
        }
        if (rng.nextDouble() < blur) {
            v = gaussianBlur(v, size, sigmaMin + (sigmaMax - sigmaMin) * rng.nextDouble());
        }
        if (rng.nextDouble() < noise) {
            for (int i = 0; i < v.length; i++) {
                v[i] = clamp(v[i] + (float) (noiseStd * gaussian(rng)));
            }
        }
        System.arraycopy(v, 0, dst, offset, v.length);
    }

    /**
     * torchvision's RandomResizedCrop.get_params: up to 10 draws of area and log-uniform aspect
     * ratio, else a centre crop at the clamped ratio. Returns {top, left, height, width}.
     */
    int[] cropBox(int height, int width, SplittableRandom rng) {
        double area = (double) height * width;
        double logMin = Math.log(ratioMin);
        double logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (scaleMin + (scaleMax - scaleMin) * rng.nextDouble());
            double aspect = Math.exp(logMin + (logMax - logMin) * rng.nextDouble());
            int w = (int) Math.round(Math.sqrt(target * aspect));
            int h = (int) Math.round(Math.sqrt(target / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new int[] {top, left, h, w};
            }
        }
        double ratio = (double) width / height;
        int w;
        int h;
        if (ratio < ratioMin) {
            w = width;
            h = (int) Math.round(w / ratioMin);
        } else if (ratio > ratioMax) {
            h = height;
            w = (int) Math.round(h * ratioMax);
        } else {
            w = width;
            h = height;
        }
        return new int[] {(height - h) / 2, (width - w) / 2, h, w};
    }

    /**
     * Bilinear resize of the crop {top, left, h, w} of {@code src} (side wide) to out × out, with
     * half-pixel centres and edge clamping (torch's interpolate, align_corners=False).
     */
    static void resizeBilinear(float[] src, int side, int[] box, float[] dst, int out) {
        double sy = (double) box[2] / out;
        double sx = (double) box[3] / out;
        for (int y = 0; y < out; y++) {
            double fy = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, box[2] - 1);
            int y1 = Math.min(y0 + 1, box[2] - 1);
            float wy = (float) (fy - y0);
            int r0 = (box[0] + y0) * side + box[1];
            int r1 = (box[0] + y1) * side + box[1];
            for (int x = 0; x < out; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, box[3] - 1);
                int x1 = Math.min(x0 + 1, box[3] - 1);
                float wx = (float) (fx - x0);
                float top = src[r0 + x0] + wx * (src[r0 + x1] - src[r0 + x0]);
                float bottom = src[r1 + x0] + wx * (src[r1 + x1] - src[r1 + x0]);
                dst[y * out + x] = top + wy * (bottom - top);
            }
        }
    }

    /** Brightness (scale) then contrast (blend with the mean), clamping after each as torchvision. */
    private static void jitter(float[] v, double b, double c) {
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = clamp((float) (v[i] * b));
            sum += v[i];
        }
        float mean = (float) (sum / v.length);
        for (int i = 0; i < v.length; i++) {
            v[i] = clamp((float) (mean + c * (v[i] - mean)));
        }
    }

    /** Separable Gaussian blur with a kernel of radius ⌈3σ⌉ and reflected borders; v is (n, n). */
    static float[] gaussianBlur(float[] v, int n, double sigma) {
        int r = Math.min((int) Math.ceil(3 * sigma), n - 1);
        float[] k = new float[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            sum += k[i + r] = (float) Math.exp(-0.5 * i * i / (sigma * sigma));
        }
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) (k[i] / sum);
        }
        float[] rows = new float[v.length];
        float[] out = new float[v.length];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                float acc = 0;
                for (int i = -r; i <= r; i++) {
                    acc += k[i + r] * v[y * n + reflect(x + i, n)];
                }
                rows[y * n + x] = acc;
            }
        }
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                float acc = 0;
                for (int i = -r; i <= r; i++) {
                    acc += k[i + r] * rows[reflect(y + i, n) * n + x];
                }
                out[y * n + x] = acc;
            }
        }
        return out;
    }

    /** Index i reflected into [0, n) without repeating the edge (torch's "reflect" padding). */
    private static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }

    private static float clamp(float x) {
        return x < 0 ? 0 : x > 1 ? 1 : x;
    }

    /** A standard normal draw (Box–Muller), so views depend only on the generator's sequence. */
    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
