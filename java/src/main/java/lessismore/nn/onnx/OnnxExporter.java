package lessismore.nn.onnx;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import lessismore.Version;
import lessismore.nn.BatchNorm;
import lessismore.nn.Conv2d;
import lessismore.nn.Flatten;
import lessismore.nn.GlobalAvgPool;
import lessismore.nn.Layer;
import lessismore.nn.Linear;
import lessismore.nn.MaxPool2d;
import lessismore.nn.Parameter;
import lessismore.nn.ReLU;
import lessismore.nn.ResNet;
import lessismore.nn.ResidualBlock;
import lessismore.nn.Sequential;
import lessismore.nn.StateVisitor;
import lessismore.nn.Tensor;
import lessismore.output.AtomicFile;

/**
 * Exports a {@link ResNet} backbone, optionally followed by a SimCLR projection head, as an ONNX
 * model (IR version 8, opset 17, float32) that computes what our forward computes in evaluation
 * mode, whatever the layers' training flag.
 *
 * <p>The graph has one input {@value #INPUT}, (N, C, H, W) with symbolic N ("batch"), H ("height")
 * and W ("width"), and one output {@value #OUTPUT}, (N, D): the pooled features (D = 512 for
 * ResNet-18, 2048 for ResNet-50) or the head's projection. Layers map one to one: Conv, MaxPool,
 * Relu, Add (residual sum), GlobalAveragePool, Flatten, Gemm (transB = 1), and batch norms become
 * BatchNormalization nodes with the running statistics (not folded into the convolutions), so
 * every initializer is an unmodified state-dict tensor under its state-dict key: the backbone's
 * torchvision keys as they are ({@code conv1.weight}, {@code layer1.0.bn1.running_mean}, …), the
 * head's under {@code head.} ({@code head.0.weight}, …). num_batches_tracked is not exported.
 * ONNX Runtime folds the batch norms into the convolutions itself when it optimises the graph.
 *
 * <p>The model names its producer ({@code lessismore}, the build's version) and carries these
 * metadata properties, all strings, for the {@code embedding} reduction strategy:
 * <ul>
 *   <li>{@value #KEY_ARCHITECTURE}: {@code resnet18} or {@code resnet50};</li>
 *   <li>{@value #KEY_HEAD}: {@code none} (output = backbone features) or {@code simclr} (output =
 *       projection head);</li>
 *   <li>{@value #KEY_INPUT_CHANNELS}: C, 1 for CT (3 for RGB-pretrained weights, gray replicated);</li>
 *   <li>{@value #KEY_INPUT_SIZE}: the square side S the weights were trained at; the graph accepts
 *       other sizes, but embeddings are meant to be computed at S × S;</li>
 *   <li>{@value #KEY_EMBEDDING_DIM}: D;</li>
 *   <li>{@value #KEY_MEAN} and {@value #KEY_STD}: C comma-separated floats each. The expected
 *       input is the 8-bit preprocessed slice (the published preprocessing), resized to S × S with
 *       PIL's LANCZOS filter ({@value #KEY_RESIZE} = {@code pil-lanczos}), then per channel
 *       {@code x = (v / 255 − mean[c]) / std[c]}.</li>
 * </ul>
 */
public final class OnnxExporter {
    /** Name of the graph input, (N, C, H, W). */
    public static final String INPUT = "input";
    /** Name of the graph output, (N, D). */
    public static final String OUTPUT = "embedding";
    /** The default-domain operator set the graph uses. */
    public static final int OPSET = 17;
    /** ONNX IR version 8 is the one released with opset 17. */
    static final int IR_VERSION = 8;

    /** Metadata key: backbone architecture. */
    public static final String KEY_ARCHITECTURE = "lessismore.architecture";
    /** Metadata key: {@code none} or {@code simclr}. */
    public static final String KEY_HEAD = "lessismore.head";
    /** Metadata key: number of input channels. */
    public static final String KEY_INPUT_CHANNELS = "lessismore.input_channels";
    /** Metadata key: square input side in pixels. */
    public static final String KEY_INPUT_SIZE = "lessismore.input_size";
    /** Metadata key: width of the output. */
    public static final String KEY_EMBEDDING_DIM = "lessismore.embedding_dim";
    /** Metadata key: per-channel mean subtracted after scaling to [0, 1]. */
    public static final String KEY_MEAN = "lessismore.mean";
    /** Metadata key: per-channel standard deviation divided by after the mean. */
    public static final String KEY_STD = "lessismore.std";
    /** Metadata key: the resampling filter the input is resized with. */
    public static final String KEY_RESIZE = "lessismore.resize";

    private OnnxExporter() {
    }

    /**
     * The input the weights expect: S × S pixels, each channel normalised as
     * {@code (v / 255 − mean[c]) / std[c]}; one mean and one std per input channel.
     */
    public record InputSpec(int size, float[] mean, float[] std) {
        /** Checks the values. */
        public InputSpec {
            if (size < 1 || mean.length == 0 || mean.length != std.length) {
                throw new IllegalArgumentException("input size must be positive and mean and std have one value per channel");
            }
            for (float s : std) {
                if (!(s > 0) || Float.isInfinite(s)) {
                    throw new IllegalArgumentException("std must be positive, got " + s);
                }
            }
            mean = mean.clone();
            std = std.clone();
        }

        /** Values in [0, 1] as they are: mean 0 and std 1 on each of {@code channels} channels. */
        public static InputSpec unnormalised(int size, int channels) {
            float[] ones = new float[channels];
            Arrays.fill(ones, 1f);
            return new InputSpec(size, new float[channels], ones);
        }
    }

    /**
     * Writes the ONNX model of {@code backbone} → {@code head} to {@code out}, replacing it
     * atomically (a temporary file beside it, then a rename), so readers never see half a model.
     *
     * @param architecture {@code resnet18} or {@code resnet50}, recorded in the metadata
     * @param head         a SimCLR projection head ({@link lessismore.nn.SimclrHead}) or null
     * @return the width D of the output
     */
    public static int export(ResNet backbone, String architecture, Sequential head, InputSpec input, Path out)
            throws IOException {
        int[] dim = new int[1];
        AtomicFile.write(out, tmp -> {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                dim[0] = write(backbone, architecture, head, input, os);
            }
        });
        return dim[0];
    }

    /** Writes the ModelProto to {@code sink}; returns the width of the output. */
    static int write(ResNet backbone, String architecture, Sequential head, InputSpec input, OutputStream sink)
            throws IOException {
        int channels = ((Conv2d) backbone.body().get("conv1")).weight.value.dim(1);
        if (input.mean().length != channels) {
            throw new IllegalArgumentException("mean and std need " + channels + " values, one per input channel");
        }
        OnnxGraph graph = new OnnxGraph(INPUT, OUTPUT);
        Emitter emitter = new Emitter(graph, channels);
        String x = emitter.emit(backbone, "", INPUT);
        if (head != null) {
            emitter.emit(head, "head.", x);
        }
        ProtoWriter graphProto = graph.finish("lessismore_" + architecture + (head != null ? "_simclr" : ""),
                new Object[] {"batch", channels, "height", "width"},
                new Object[] {"batch", emitter.width});

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(KEY_ARCHITECTURE, architecture);
        meta.put(KEY_HEAD, head != null ? "simclr" : "none");
        meta.put(KEY_INPUT_CHANNELS, Integer.toString(channels));
        meta.put(KEY_INPUT_SIZE, Integer.toString(input.size()));
        meta.put(KEY_EMBEDDING_DIM, Integer.toString(emitter.width));
        meta.put(KEY_MEAN, join(input.mean()));
        meta.put(KEY_STD, join(input.std()));
        meta.put(KEY_RESIZE, "pil-lanczos");

        // ModelProto: ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7,
        // opset_import 8 (OperatorSetIdProto: domain 1, version 2), metadata_props 14 (key 1, value 2).
        ProtoWriter model = new ProtoWriter()
                .varint(1, IR_VERSION)
                .string(2, "lessismore")
                .string(3, Version.get())
                .string(6, architecture + (head != null ? " + SimCLR projection head" : " backbone")
                        + " in evaluation mode; input (N, C, H, W) = (v / 255 - mean) / std of the"
                        + " 8-bit preprocessed slice resized with PIL LANCZOS; output (N, D)")
                .message(8, new ProtoWriter().string(1, "").varint(2, OPSET));
        for (Map.Entry<String, String> e : meta.entrySet()) {
            model.message(14, new ProtoWriter().string(1, e.getKey()).string(2, e.getValue()));
        }
        model.writeTo(sink);
        graphProto.writeAsFieldTo(sink, 7);
        return emitter.width;
    }

    private static String join(float[] values) {
        List<String> parts = new ArrayList<>();
        for (float v : values) {
            parts.add(Float.toString(v));
        }
        return String.join(",", parts);
    }

    /** Walks a layer tree and adds its nodes and initializers to the graph. */
    private static final class Emitter {
        private final OnnxGraph graph;
        /** Channels or features of the last value emitted: the output width once the walk ends. */
        int width;

        Emitter(OnnxGraph graph, int channels) {
            this.graph = graph;
            this.width = channels;
        }

        /**
         * Emits {@code layer}, whose state-dict keys start with {@code prefix} (empty or ending in a
         * dot), applied to value {@code x}; returns its output value.
         */
        String emit(Layer layer, String prefix, String x) {
            String name = prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
            return switch (layer) {
                case ResNet r -> emit(r.body(), prefix, x);
                case Sequential s -> {
                    for (String child : s.names()) {
                        x = emit(s.get(child), prefix + child + ".", x);
                    }
                    yield x;
                }
                case ResidualBlock b -> {
                    String main = emit(b.branch(), prefix, x);
                    String shortcut = b.downsample() == null ? x : emit(b.downsample(), prefix + "downsample.", x);
                    String sum = graph.node("Add", name + ".add", List.of(main, shortcut));
                    yield graph.node("Relu", name + ".relu_out", List.of(sum));
                }
                case Conv2d c -> {
                    width = c.weight.value.dim(0);
                    int k = c.kernel(), s = c.stride(), p = c.padding();
                    yield graph.node("Conv", name, withState(x, c, prefix),
                            OnnxGraph.ints("kernel_shape", k, k), OnnxGraph.ints("strides", s, s),
                            OnnxGraph.ints("pads", p, p, p, p));
                }
                // Inputs X, scale, B, input_mean, input_var: the order BatchNorm reports its state in.
                case BatchNorm bn -> graph.node("BatchNormalization", name, withState(x, bn, prefix),
                        OnnxGraph.real("epsilon", bn.eps()));
                case ReLU _ -> graph.node("Relu", name, List.of(x));
                case MaxPool2d m -> {
                    int k = m.kernel(), s = m.stride(), p = m.padding();
                    yield graph.node("MaxPool", name, List.of(x), OnnxGraph.ints("kernel_shape", k, k),
                            OnnxGraph.ints("strides", s, s), OnnxGraph.ints("pads", p, p, p, p));
                }
                case GlobalAvgPool _ -> graph.node("GlobalAveragePool", name, List.of(x));
                case Flatten _ -> graph.node("Flatten", name, List.of(x), OnnxGraph.integer("axis", 1));
                case Linear l -> {
                    // Gemm computes A·Bᵀ + C with transB = 1: x (N, in) · W (out, in)ᵀ + b (out).
                    width = l.weight.value.dim(0);
                    yield graph.node("Gemm", name, withState(x, l, prefix), OnnxGraph.integer("transB", 1));
                }
                default -> throw new IllegalArgumentException("no ONNX export for "
                        + layer.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " at " + name);
            };
        }

        /**
         * {@code x} followed by the float state {@code layer} reports under {@code prefix}, in its
         * order, each added as an initializer under its key (counters are left out).
         */
        private List<String> withState(String x, Layer layer, String prefix) {
            Map<String, Tensor> state = new LinkedHashMap<>();
            layer.visitState(prefix, new StateVisitor() {
                @Override
                public void parameter(String key, Parameter parameter) {
                    state.put(key, parameter.value);
                }

                @Override
                public void buffer(String key, Tensor buffer) {
                    state.put(key, buffer);
                }

                @Override
                public void counter(String key, long[] holder) {
                }
            });
            List<String> inputs = new ArrayList<>(List.of(x));
            state.forEach((key, t) -> {
                graph.initializer(key, t);
                inputs.add(key);
            });
            return inputs;
        }
    }
}
