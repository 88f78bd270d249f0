package lessismore.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import lessismore.signature.OnnxEncoder;
import lessismore.signature.Signer;
import lessismore.train.Dataset;
import lessismore.train.Embedder;

/**
 * What turns an image into the features of the linear probe: nothing (the raw pixels at the
 * working size, side² features: the "from scratch" baseline of a probe), the frozen backbone of a
 * {@code pretrain} checkpoint (features after avgpool), or a frozen ONNX encoder (its first output,
 * unit-norm as the embedding strategy uses it).
 */
public sealed interface Backbone extends AutoCloseable {
    /** Side the images must be read at. */
    int side();

    /** Features of every image of {@code images}, (N, D) row-major. */
    double[] features(Dataset images) throws IOException;

    /** Description for eval.json. */
    Map<String, Object> describe();

    /** Releases native resources (the ONNX session). */
    @Override
    default void close() {
    }

    /**
     * The backbone named by {@code --backbone}: {@code none}, a {@code .safetensors} checkpoint or
     * an {@code .onnx} model; {@code side} is the working size of {@code none} and of a checkpoint
     * (an ONNX model has its own input size).
     */
    static Backbone of(String spec, int side) throws IOException {
        if (spec.equals("none")) {
            return new Pixels(side);
        }
        Path file = existing(spec);
        if (spec.endsWith(".safetensors")) {
            return new Checkpoint(file, Embedder.load(file, side));
        }
        if (spec.endsWith(".onnx")) {
            OnnxEncoder encoder = OnnxEncoder.open(file, 0, null, null, false, 0);
            if (encoder.height() != encoder.width()) {
                encoder.close();
                throw new IllegalArgumentException(file + ": input " + encoder.height() + "×" + encoder.width()
                        + " is not square");
            }
            return new Onnx(encoder);
        }
        throw new IllegalArgumentException("--backbone must be none, a .safetensors checkpoint or an .onnx model: " + spec);
    }

    /** The file named by {@code --backbone}, which must exist. */
    public static Path existing(String spec) {
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--backbone " + spec + ": no such file (none, a .safetensors checkpoint"
                    + " or an .onnx model)");
        }
        return file;
    }

    /** Raw pixels: side² features in [0, 1]. */
    record Pixels(int side) implements Backbone {
        @Override
        public double[] features(Dataset images) {
            int plane = side * side;
            double[] out = new double[images.size() * plane];
            for (int i = 0; i < images.size(); i++) {
                float[] p = images.image(i);
                for (int j = 0; j < plane; j++) {
                    out[i * plane + j] = p[j];
                }
            }
            return out;
        }

        @Override
        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "none");
            m.put("features", "raw pixels at " + side + "x" + side + " (" + side * side
                    + " features): no backbone, the from-scratch baseline of a linear probe");
            return m;
        }
    }

    /** A pretrain checkpoint's frozen ResNet. */
    record Checkpoint(Path file, Embedder embedder) implements Backbone {
        @Override
        public int side() {
            return embedder.size();
        }

        @Override
        public double[] features(Dataset images) {
            float[] e = embedder.embed(images);
            double[] out = new double[e.length];
            for (int i = 0; i < e.length; i++) {
                out[i] = e[i];
            }
            return out;
        }

        @Override
        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "checkpoint");
            m.put("file", file.toAbsolutePath().normalize().toString());
            m.put("features", "frozen ResNet features after avgpool (" + embedder.dim() + "), eval-mode batch norm");
            return m;
        }
    }

    /** A frozen ONNX encoder, fed at its own input size (images are read at that size, so it resizes nothing again). */
    record Onnx(OnnxEncoder encoder) implements Backbone {
        @Override
        public int side() {
            return encoder.height();
        }

        @Override
        public double[] features(Dataset images) {
            int plane = side() * side();
            int d = encoder.dimension();
            double[] out = new double[images.size() * d];
            byte[] gray = new byte[plane];
            try (Signer<float[]> signer = encoder.newSigner(16)) {
                for (int i = 0; i < images.size(); i++) {
                    float[] p = images.image(i);
                    for (int j = 0; j < plane; j++) {
                        gray[j] = (byte) Math.round(p[j] * 255);   // back to the 8 bits Dataset read
                    }
                    int row = i;
                    signer.sign(gray, side(), side(), e -> {
                        for (int j = 0; j < d; j++) {
                            out[row * d + j] = e[j];
                        }
                    });
                }
                signer.flush();
            }
            return out;
        }

        @Override
        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "onnx");
            m.put("file", encoder.model().toAbsolutePath().normalize().toString());
            m.put("sha256", encoder.sha256());
            m.put("features", "frozen ONNX encoder output (" + encoder.dimension() + "), unit-norm");
            return m;
        }

        @Override
        public void close() {
            encoder.close();
        }
    }
}
