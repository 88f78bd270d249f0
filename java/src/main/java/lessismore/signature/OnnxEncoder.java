package lessismore.signature;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An image encoder in ONNX format run with ONNX Runtime: one {@link OrtSession} shared by all
 * worker threads (sessions are thread-safe), one {@link #newSigner batching signer} per thread.
 *
 * <p>Accepted models: one float input of shape (N, C, H, W) with C = 1 or 3 (a grey slice is
 * replicated into each of 3 channels); N dynamic or fixed to 1 (then samples run one at a time);
 * H and W fixed, or dynamic and then set by the input size. The embedding is the first output,
 * flattened per sample: (N, D), (N, D, 1, 1) and the like give D values.
 *
 * <p>Preprocessing of an 8-bit slice: Pillow-exact LANCZOS resize to W × H ({@link PilLanczos}),
 * then {@code (v / 255f - mean[c]) / std[c]} in float per channel c, as torchvision's
 * {@code ToTensor} + {@code Normalize} do.
 *
 * <p>Normalization constants, first found wins: the caller's; the model's metadata properties
 * {@code mean} and {@code std} (comma-separated, one value or one per channel; also read as
 * {@code lessismore.mean} and {@code lessismore.std}, as our {@code export-onnx} writes them,
 * which take precedence); ImageNet's
 * (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225) for 3 channels, their averages 0.449 / 0.226
 * for 1 channel, since most published image encoders were trained with them. The input size of a
 * model with dynamic H/W, likewise: the caller's, metadata {@code input_size} (or
 * {@code lessismore.input_size}), then
 * {@value #DEFAULT_INPUT_SIZE}.
 */
public final class OnnxEncoder implements AutoCloseable {
    /** Input size of a model with dynamic H and W when neither caller nor metadata gives one. */
    public static final int DEFAULT_INPUT_SIZE = 224;
    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    private static final float[] GREY_MEAN = {0.449f};
    private static final float[] GREY_STD = {0.226f};

    private final Path model;
    private final String sha256;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;
    private final boolean fixedBatchOne;
    private final int channels;
    private final int height;
    private final int width;
    private final float[] mean;
    private final float[] std;
    private final String normalizationSource;
    private final String provider;
    private final int dimension;

    private OnnxEncoder(Path model, String sha256, OrtEnvironment env, OrtSession session, String inputName,
                        boolean fixedBatchOne, int channels, int height, int width, float[] mean, float[] std,
                        String normalizationSource, String provider) throws OrtException {
        this.model = model;
        this.sha256 = sha256;
        this.env = env;
        this.session = session;
        this.inputName = inputName;
        this.fixedBatchOne = fixedBatchOne;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.mean = mean;
        this.std = std;
        this.normalizationSource = normalizationSource;
        this.provider = provider;
        // One zero sample through the model: proves it runs on our input and gives D even when
        // the output shape is symbolic.
        this.dimension = runRaw(new float[sampleSize()], 1)[0].length;
    }

    /**
     * Opens a model.
     *
     * @param model      the .onnx file
     * @param inputSize  H = W for a model with dynamic H/W, or 0 for the default; must match a
     *                   fixed H = W when not 0
     * @param mean       per-channel means (1 or C values) or null for metadata / default
     * @param std        per-channel standard deviations, likewise
     * @param cuda       run on the CUDA execution provider (needs the {@code -Pgpu} build)
     * @param cudaDevice CUDA device index
     * @throws IllegalArgumentException when the file is missing or not ONNX, its input cannot be
     *                                  fed with slices, or the CUDA provider is unavailable
     */
    public static OnnxEncoder open(Path model, int inputSize, float[] mean, float[] std, boolean cuda,
                                   int cudaDevice) {
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("ONNX model not found: " + model);
        }
        String sha = sha256(model);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = createSession(env, model, cuda, cudaDevice);
        try {
            return configure(model, sha, env, session, inputSize, mean, std,
                    cuda ? "cuda:" + cudaDevice : "cpu");
        } catch (IllegalArgumentException e) {
            closeQuietly(session);
            throw e;
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session);
            throw new IllegalArgumentException("cannot run ONNX model " + model + ": " + e.getMessage(), e);
        }
    }

    private static OrtSession createSession(OrtEnvironment env, Path model, boolean cuda, int cudaDevice) {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            if (cuda) {
                try {
                    options.addCUDA(cudaDevice);
                } catch (OrtException e) {
                    throw new IllegalArgumentException("the CUDA execution provider is not available ("
                            + e.getMessage() + "); build with ./mvnw -Pgpu on a machine with CUDA and cuDNN,"
                            + " or run without CUDA", e);
                }
            } else {
                // Parallelism comes from the worker threads, one signer each; ONNX Runtime's own
                // intra-op pool on top of them would oversubscribe the cores.
                options.setIntraOpNumThreads(1);
                options.setInterOpNumThreads(1);
            }
            return env.createSession(model.toString(), options);
        } catch (OrtException e) {
            // With CUDA, a missing device or library can also surface only here.
            throw new IllegalArgumentException((cuda ? "cannot load " + model + " on CUDA device " + cudaDevice
                    + " (not a valid ONNX model, or no usable GPU / CUDA / cuDNN): " : "not a valid ONNX model: "
                    + model + ": ") + e.getMessage(), e);
        }
    }

    private static OnnxEncoder configure(Path model, String sha, OrtEnvironment env, OrtSession session,
                                         int inputSize, float[] mean, float[] std, String provider)
            throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        if (inputs.size() != 1) {
            throw layout(model, "has " + inputs.size() + " inputs " + inputs.keySet() + "; one image input is needed");
        }
        NodeInfo input = inputs.values().iterator().next();
        if (!(input.getInfo() instanceof TensorInfo info) || info.type != OnnxJavaType.FLOAT) {
            throw layout(model, "input '" + input.getName() + "' is " + input.getInfo() + "; a float tensor is needed");
        }
        long[] shape = info.getShape(); // (N, C, H, W); -1 marks a dynamic dimension
        if (shape.length != 4) {
            throw layout(model, "input '" + input.getName() + "' has rank " + shape.length + " "
                    + Arrays.toString(shape) + "; (N, C, H, W) is needed");
        }
        if (shape[0] > 1) { // dynamic axes read as -1 (or 0 in some exports)
            throw layout(model, "input batch size is fixed to " + shape[0]
                    + "; export it with a dynamic batch axis or batch size 1");
        }
        if (shape[1] != 1 && shape[1] != 3) {
            throw layout(model, "input has " + (shape[1] < 0 ? "a dynamic number of" : shape[1])
                    + " channels; 1 or 3 are supported");
        }
        int c = (int) shape[1];
        Map<String, String> meta = withoutPrefix(session.getMetadata().getCustomMetadata());
        int size = inputSize != 0 ? inputSize
                : Optional.ofNullable(meta.get("input_size")).map(s -> parseInt(model, "input_size", s))
                        .orElse(DEFAULT_INPUT_SIZE);
        if (size < 1) {
            throw layout(model, "input size " + size + " is not positive");
        }
        int h = shape[2] > 0 ? (int) shape[2] : size;
        int w = shape[3] > 0 ? (int) shape[3] : size;
        if (inputSize != 0 && (h != inputSize || w != inputSize)) {
            throw layout(model, "input is " + h + "×" + w + "; it cannot take input size " + inputSize);
        }
        float[] m = mean;
        float[] s = std;
        String source = "config";
        if (m == null && s == null) {
            source = meta.containsKey("mean") || meta.containsKey("std") ? "metadata" : "default";
            m = meta.containsKey("mean") ? parseFloats(model, "mean", meta.get("mean")) : null;
            s = meta.containsKey("std") ? parseFloats(model, "std", meta.get("std")) : null;
        }
        m = m != null ? m : c == 3 ? IMAGENET_MEAN : GREY_MEAN;
        s = s != null ? s : c == 3 ? IMAGENET_STD : GREY_STD;
        return new OnnxEncoder(model, sha, env, session, input.getName(), shape[0] == 1, c, h, w,
                perChannel(model, "mean", m, c), perChannel(model, "std", s, c), source, provider);
    }

    private static IllegalArgumentException layout(Path model, String problem) {
        return new IllegalArgumentException("cannot use ONNX model " + model + ": " + problem);
    }

    /** Metadata with {@code lessismore.}-prefixed keys (our exporter's) also under their plain names, which they override. */
    private static Map<String, String> withoutPrefix(Map<String, String> meta) {
        Map<String, String> out = new java.util.HashMap<>(meta);
        meta.forEach((k, v) -> {
            if (k.startsWith("lessismore.")) {
                out.put(k.substring("lessismore.".length()), v);
            }
        });
        return out;
    }

    private static int parseInt(Path model, String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw layout(model, "metadata " + key + " '" + value + "' is not an integer");
        }
    }

    private static float[] parseFloats(Path model, String key, String value) {
        String[] parts = value.split(",");
        float[] out = new float[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                out[i] = Float.parseFloat(parts[i].trim());
            }
        } catch (NumberFormatException e) {
            throw layout(model, "metadata " + key + " '" + value + "' is not a comma-separated list of numbers");
        }
        return out;
    }

    /** One value per channel, a single value repeated; standard deviations must be positive. */
    private static float[] perChannel(Path model, String what, float[] v, int c) {
        if (v.length != 1 && v.length != c) {
            throw layout(model, what + " has " + v.length + " values for " + c + " channels");
        }
        float[] out = new float[c];
        for (int i = 0; i < c; i++) {
            out[i] = v[v.length == 1 ? 0 : i];
            if (!Float.isFinite(out[i]) || what.equals("std") && out[i] <= 0) {
                throw layout(model, what + " value " + out[i] + " is not usable");
            }
        }
        return out;
    }

    private static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read ONNX model " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            // Already failing with the more useful error.
        }
    }

    /** The model file. */
    public Path model() {
        return model;
    }

    /** SHA-256 of the model file, lowercase hex. */
    public String sha256() {
        return sha256;
    }

    /** Input channels C (1 or 3). */
    public int channels() {
        return channels;
    }

    /** Input height H fed to the model. */
    public int height() {
        return height;
    }

    /** Input width W fed to the model. */
    public int width() {
        return width;
    }

    /** Per-channel means used (C values); a copy. */
    public float[] mean() {
        return mean.clone();
    }

    /** Per-channel standard deviations used (C values); a copy. */
    public float[] std() {
        return std.clone();
    }

    /** Where the normalization constants came from: {@code config}, {@code metadata} or {@code default}. */
    public String normalizationSource() {
        return normalizationSource;
    }

    /** {@code cpu} or {@code cuda:<device>}. */
    public String provider() {
        return provider;
    }

    /** True when the model's batch axis is fixed to 1, so samples run one at a time. */
    public boolean fixedBatchOne() {
        return fixedBatchOne;
    }

    /** Embedding dimension D. */
    public int dimension() {
        return dimension;
    }

    /** Floats per sample: C × H × W. */
    int sampleSize() {
        return channels * height * width;
    }

    /**
     * Writes the model input of one 8-bit image, (C, H, W) floats, at {@code dst[offset]}.
     *
     * @param gray at least w × h unsigned bytes, row-major
     */
    void preprocess(byte[] gray, int w, int h, float[] dst, int offset) {
        int[] small = PilLanczos.resize(gray, w, h, width, height);
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            float m = mean[c];
            float s = std[c];
            for (int i = 0, o = offset + c * plane; i < plane; i++, o++) {
                dst[o] = (small[i] / 255f - m) / s;
            }
        }
    }

    /**
     * The first output of the model, not normalized, for {@code count} samples.
     *
     * @param input count × C × H × W floats, (N, C, H, W) row-major
     * @return (count, D)
     */
    float[][] runRaw(float[] input, int count) throws OrtException {
        if (!fixedBatchOne) {
            return runBatch(input, 0, count);
        }
        float[][] out = new float[count][];
        for (int i = 0; i < count; i++) {
            out[i] = runBatch(input, i * sampleSize(), 1)[0];
        }
        return out;
    }

    private float[][] runBatch(float[] input, int offset, int n) throws OrtException {
        FloatBuffer buf = FloatBuffer.wrap(input, offset, n * sampleSize()).slice();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, buf, new long[] {n, channels, height, width});
             OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            if (!(result.get(0) instanceof OnnxTensor out) || out.getInfo().type != OnnxJavaType.FLOAT) {
                throw new IllegalStateException("first output of " + model + " is not a float tensor");
            }
            FloatBuffer values = out.getFloatBuffer(); // (n, D, ...) flattened
            int total = values.remaining();
            long[] shape = out.getInfo().getShape();
            if (shape.length == 0 || shape[0] != n || total % n != 0) {
                throw new IllegalStateException("first output of " + model + " has shape "
                        + Arrays.toString(shape) + " for a batch of " + n);
            }
            float[][] rows = new float[n][total / n];
            for (float[] row : rows) {
                values.get(row);
            }
            return rows;
        }
    }

    /**
     * A signer for one worker thread: resizes and normalizes each slice into its input buffer at
     * once (so the caller's pixels need not be kept) and runs the model when {@code batch}
     * slices are pending or on {@link Signer#flush()}; signatures are unit-norm.
     */
    public Signer<float[]> newSigner(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, not " + batch);
        }
        return new BatchSigner(batch);
    }

    private final class BatchSigner implements Signer<float[]> {
        private final float[] input; // (batch, C, H, W)
        private final List<Consumer<float[]>> sinks;
        private final int batch;

        BatchSigner(int batch) {
            this.batch = batch;
            this.input = new float[batch * sampleSize()];
            this.sinks = new ArrayList<>(batch);
        }

        @Override
        public void sign(byte[] gray, int width, int height, Consumer<float[]> sink) {
            preprocess(gray, width, height, input, sinks.size() * sampleSize());
            sinks.add(sink);
            if (sinks.size() == batch) {
                flush();
            }
        }

        @Override
        public void flush() {
            if (sinks.isEmpty()) {
                return;
            }
            List<Consumer<float[]>> pending = List.copyOf(sinks);
            sinks.clear();
            float[][] out;
            try {
                out = runRaw(input, pending.size());
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed on " + model + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < out.length; i++) {
                pending.get(i).accept(EmbeddingMethod.normalize(out[i]));
            }
        }
    }

    /** Closes the session; signers are unusable afterwards. */
    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing ONNX Runtime session: " + e.getMessage(), e);
        }
    }
}
