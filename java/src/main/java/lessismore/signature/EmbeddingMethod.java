package lessismore.signature;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code embedding} signature ("DeepNet" in Wolf et al. 2024): a unit-norm feature vector per
 * slice from an image encoder, compared by cosine similarity; a slice is redundant when the
 * similarity reaches the threshold.
 *
 * <p>The encoder is an ONNX model run with ONNX Runtime ({@link OnnxEncoder}), or without a model
 * the training-free {@link ProjectionEncoder}. Owns the ONNX Runtime session: close the method
 * when done with it and all its signers.
 */
public final class EmbeddingMethod implements SignatureMethod<float[]>, AutoCloseable {
    /** Slices per model call and worker thread when the configuration does not say. */
    public static final int DEFAULT_BATCH = 32;

    /**
     * How to build the encoder.
     *
     * @param model      ONNX image encoder, or null for the default {@link ProjectionEncoder}
     * @param inputSize  model input H = W, or 0 to take it from the model (see {@link OnnxEncoder})
     * @param mean       per-channel normalization means (1 or C values), or null for the model's
     *                   metadata or the documented defaults
     * @param std        per-channel standard deviations, likewise
     * @param batch      slices per model call and worker thread, ≥ 1 (the default encoder ignores it)
     * @param cuda       run the model on the CUDA execution provider (needs the {@code -Pgpu} build)
     * @param cudaDevice CUDA device index, ≥ 0
     */
    public record Config(Path model, int inputSize, float[] mean, float[] std, int batch, boolean cuda,
                         int cudaDevice) {
        /** The default encoder: no model, batch {@value #DEFAULT_BATCH}, CPU. */
        public static Config defaults() {
            return new Config(null, 0, null, null, DEFAULT_BATCH, false, 0);
        }

        /** An ONNX model with everything else taken from it or defaulted, on the CPU. */
        public static Config onnx(Path model) {
            return new Config(model, 0, null, null, DEFAULT_BATCH, false, 0);
        }
    }

    private final OnnxEncoder onnx;
    private final ProjectionEncoder projection;
    private final int batch;

    private EmbeddingMethod(OnnxEncoder onnx, ProjectionEncoder projection, int batch) {
        this.onnx = onnx;
        this.projection = projection;
        this.batch = batch;
    }

    /**
     * Builds the encoder of {@code config}: opens and checks the ONNX model (one probe inference),
     * or sets up the default projection.
     *
     * @throws IllegalArgumentException with a message for the user when the model is missing, not
     *                                  ONNX or has an input we cannot feed, when CUDA is asked for
     *                                  but not available, or when settings are out of range or
     *                                  need a model
     */
    public static EmbeddingMethod create(Config config) {
        if (config.batch() < 1) {
            throw new IllegalArgumentException("batch must be at least 1, not " + config.batch());
        }
        if (config.inputSize() < 0 || config.cudaDevice() < 0) {
            throw new IllegalArgumentException("input size and CUDA device must not be negative");
        }
        if (config.model() == null) {
            if (config.cuda() || config.inputSize() != 0 || config.mean() != null || config.std() != null) {
                throw new IllegalArgumentException("CUDA, input size, mean and std apply to an ONNX model;"
                        + " the default projection encoder runs on the CPU on the whole slice");
            }
            return new EmbeddingMethod(null, new ProjectionEncoder(), config.batch());
        }
        return new EmbeddingMethod(OnnxEncoder.open(config.model(), config.inputSize(), config.mean(),
                config.std(), config.cuda(), config.cudaDevice()), null, config.batch());
    }

    @Override
    public String name() {
        return "embedding";
    }

    /**
     * The encoder and everything that determines its output: for an ONNX model its path and
     * SHA-256, input size, channels, normalization and where it came from, output dimension,
     * execution provider and batch; for the default encoder its grids, dimension and seed.
     */
    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        if (onnx != null) {
            p.put("encoder", "onnx");
            p.put("model", onnx.model().toString());
            p.put("model_sha256", onnx.sha256());
            p.put("input_size", onnx.height() == onnx.width() ? (Object) onnx.height()
                    : onnx.height() + "x" + onnx.width());
            p.put("channels", onnx.channels());
            p.put("mean", floats(onnx.mean()));
            p.put("std", floats(onnx.std()));
            p.put("normalization", onnx.normalizationSource());
            p.put("dimension", onnx.dimension());
            p.put("provider", onnx.provider());
            p.put("batch", onnx.fixedBatchOne() ? 1 : batch);
        } else {
            p.put("encoder", "projection");
            p.put("grids", Arrays.stream(ProjectionEncoder.GRIDS).boxed().toList());
            p.put("dimension", projection.dimension());
            p.put("seed", projection.seed());
            p.put("provider", "cpu");
        }
        p.put("similarity", "cosine");
        return p;
    }

    private static List<Float> floats(float[] v) {
        Float[] boxed = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            boxed[i] = v[i];
        }
        return List.of(boxed);
    }

    @Override
    public Direction direction() {
        return Direction.SIMILARITY;
    }

    @Override
    public Signer<float[]> newSigner() {
        if (onnx != null) {
            return onnx.newSigner(batch);
        }
        return (gray, width, height, sink) -> sink.accept(projection.embed(gray, width, height));
    }

    /** Cosine similarity of two unit-norm signatures: their dot product, summed in double. */
    @Override
    public double compare(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embeddings of length " + a.length + " and " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** Closes the ONNX Runtime session, if any. */
    @Override
    public void close() {
        if (onnx != null) {
            onnx.close();
        }
    }

    /** Scales {@code v} in place to L2 norm 1 (norm computed in double); a zero vector stays zero. */
    static float[] normalize(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        if (s > 0) {
            double inv = 1 / Math.sqrt(s);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] * inv);
            }
        }
        return v;
    }
}
