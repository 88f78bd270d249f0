package lessismore.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import lessismore.nn.ResNet;
import lessismore.nn.Safetensors;
import lessismore.nn.StateDict;
import lessismore.nn.Tensor;

/**
 * Embeds images with a trained backbone: each image, resized whole to the training view size,
 * goes through the ResNet in evaluation mode (batch-norm running statistics) and gives the pooled
 * features after avgpool, (N, 512) for ResNet-18 or (N, 2048) for ResNet-50.
 */
public final class Embedder {
    /** Images per forward pass; bounds the activation memory. */
    private static final int CHUNK = 32;

    private final ResNet backbone;
    private final int size;

    private Embedder(ResNet backbone, int size) {
        this.backbone = backbone;
        this.size = size;
    }

    /**
     * The backbone of a checkpoint (any torchvision-named 1-channel ResNet-18 or -50 safetensors
     * file; the architecture is recognised from its keys). {@code size} 0 takes the image size from
     * the checkpoint's metadata (64 when it has none).
     */
    public static Embedder load(Path checkpoint, int size) throws IOException {
        Safetensors.Contents contents = Safetensors.read(checkpoint);
        ResNet backbone = backbone(checkpoint, contents);
        backbone.setTraining(false);
        int s = size;
        if (s == 0) {
            String stored = contents.metadata().get("size");
            s = stored == null ? 64 : Integer.parseInt(stored);
        }
        return new Embedder(backbone, s);
    }

    /**
     * The ResNet of a checkpoint (any torchvision-named 1-channel ResNet-18 or -50 safetensors
     * file; the architecture is recognised from its keys), with its weights loaded.
     */
    public static ResNet loadBackbone(Path checkpoint) throws IOException {
        return backbone(checkpoint, Safetensors.read(checkpoint));
    }

    private static ResNet backbone(Path checkpoint, Safetensors.Contents contents) throws IOException {
        Map<String, Tensor> floats = contents.floats();
        Tensor conv1 = floats.get("conv1.weight");
        if (conv1 == null || conv1.rank() != 4) {
            throw new IOException(checkpoint + ": no ResNet backbone (conv1.weight missing)");
        }
        if (conv1.dim(1) != 1) {
            throw new IOException(checkpoint + ": conv1 takes " + conv1.dim(1) + " channels, expected 1");
        }
        String arch = floats.containsKey("layer1.0.conv3.weight") ? "resnet50" : "resnet18";
        ResNet backbone = Trainer.backbone(arch, 0);
        StateDict.of(backbone).load(checkpoint, false);
        return backbone;
    }

    /** Side of the images fed to the backbone. */
    public int size() {
        return size;
    }

    /** Width of an embedding. */
    public int dim() {
        return backbone.featureDim();
    }

    /** The embeddings of every image of {@code data} (read at {@link #size()}), row-major (N, dim). */
    public float[] embed(Dataset data) {
        if (data.side() != size) {
            throw new IllegalArgumentException("dataset side " + data.side() + " is not the embedding size " + size);
        }
        int plane = size * size;
        int d = dim();
        float[] out = new float[data.size() * d];
        for (int start = 0; start < data.size(); start += CHUNK) {
            int n = Math.min(CHUNK, data.size() - start);
            float[] x = new float[n * plane];   // (n, 1, size, size)
            for (int i = 0; i < n; i++) {
                System.arraycopy(data.image(start + i), 0, x, i * plane, plane);
            }
            Tensor features = backbone.forward(new Tensor(x, n, 1, size, size));   // (n, d)
            System.arraycopy(features.data, 0, out, start * d, n * d);
        }
        return out;
    }

    /** Row {@code i} of a (N, dim) result of {@link #embed}. */
    public float[] row(float[] embeddings, int i) {
        return Arrays.copyOfRange(embeddings, i * dim(), (i + 1) * dim());
    }
}
