package lessismore.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import lessismore.nn.ResNet;
import lessismore.nn.Safetensors;
import lessismore.nn.Sequential;
import lessismore.nn.SimclrHead;
import lessismore.nn.StateDict;
import lessismore.nn.Tensor;
import lessismore.nn.onnx.OnnxExporter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lessismore export-onnx}: loads a ResNet backbone (and optionally a SimCLR projection
 * head) from safetensors state dicts with torchvision's key names and writes it as an ONNX model
 * for the embedding strategy or any ONNX runtime (see {@link OnnxExporter} for the graph and its
 * metadata).
 */
@Command(name = "export-onnx", mixinStandardHelpOptions = true,
        description = {"Exports a ResNet backbone checkpoint (safetensors, torchvision key names such as "
                + "conv1.weight, no fc) as an ONNX model (opset 17, float32) with input 'input' (N, C, H, W) "
                + "and output 'embedding' (N, D), evaluation mode.",
                "With --head, the SimCLR projection head (keys 0.weight, 0.bias, [1.* batch norm], then the "
                + "second linear) follows the backbone and its projection is the output."})
final class ExportOnnxCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
            description = "Backbone state dict (.safetensors) with torchvision key names.")
    Path checkpoint;

    @Option(names = "--arch", defaultValue = "resnet18", paramLabel = "NAME",
            description = "resnet18 or resnet50 (default ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--in-channels", defaultValue = "1", paramLabel = "C",
            description = "Input channels of conv1: 1 for CT, 3 for RGB weights (default ${DEFAULT-VALUE}).")
    int inChannels;

    @Option(names = "--head", paramLabel = "FILE",
            description = "SimCLR projection head state dict (.safetensors); its output becomes the embedding.")
    Path head;

    @Option(names = "--input-size", defaultValue = "224", paramLabel = "S",
            description = "Square input side the weights were trained at, recorded in the metadata "
                    + "(default ${DEFAULT-VALUE}).")
    int inputSize;

    @Option(names = "--mean", defaultValue = "0", split = ",", paramLabel = "M",
            description = "Per-channel mean of the input after scaling to [0, 1], one value or one per "
                    + "channel, recorded in the metadata (default ${DEFAULT-VALUE}).")
    float[] mean;

    @Option(names = "--std", defaultValue = "1", split = ",", paramLabel = "S",
            description = "Per-channel standard deviation, as --mean (default ${DEFAULT-VALUE}).")
    float[] std;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "ONNX file to write.")
    Path out;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        if (inChannels < 1) {
            throw new CommandLine.ParameterException(cl, "--in-channels must be at least 1");
        }
        String architecture = arch.toLowerCase(Locale.ROOT);
        String model = architecture + " with " + inChannels + " input channel" + (inChannels == 1 ? "" : "s");
        ResNet backbone = switch (architecture) {
            // The seed only fills the weights that the checkpoint then replaces.
            case "resnet18" -> ResNet.resnet18(inChannels, 0, 0);
            case "resnet50" -> ResNet.resnet50(inChannels, 0, 0);
            default -> throw new CommandLine.ParameterException(cl, "--arch must be resnet18 or resnet50, not " + arch);
        };
        OnnxExporter.InputSpec input;
        try {
            input = new OnnxExporter.InputSpec(inputSize, perChannel("--mean", mean), perChannel("--std", std));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        Sequential projection;
        try {
            StateDict.of(backbone).load(checkpoint, true);
            projection = head != null ? loadHead(head, backbone.featureDim()) : null;
        } catch (NoSuchFileException e) {
            cl.getErr().println("lessismore: no such file: " + e.getFile());
            return ExitCodes.BAD_INPUT;
        } catch (IOException e) {
            cl.getErr().println("lessismore: cannot load the weights as " + model + ": " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        try {
            int dim = OnnxExporter.export(backbone, architecture, projection, input, out);
            cl.getOut().printf("wrote %s: %s%s, output (N, %d), %.1f MB%n", out, model,
                    projection != null ? " + SimCLR head" : "", dim, Files.size(out) / 1e6);
            return ExitCodes.OK;
        } catch (IOException e) {
            cl.getErr().println("lessismore: cannot write " + out + ": " + e);
            return ExitCodes.INTERNAL_ERROR;
        }
    }

    /** {@code values} as one value per input channel: a single value is repeated. */
    private float[] perChannel(String option, float[] values) {
        if (values.length == 1) {
            float[] repeated = new float[inChannels];
            Arrays.fill(repeated, values[0]);
            return repeated;
        }
        if (values.length != inChannels) {
            throw new IllegalArgumentException(option + " needs one value, or one per input channel (" + inChannels
                    + "), got " + values.length);
        }
        return values;
    }

    /**
     * The projection head stored in {@code file}, its shape read from the tensors: Linear(in,
     * hidden) as "0", a BatchNorm1d as "1" when "1.running_mean" is present, ReLU, then the output
     * Linear(hidden, out). Loaded strictly, so any other key is an error.
     */
    static Sequential loadHead(Path file, int features) throws IOException {
        Map<String, Tensor> tensors = Safetensors.read(file).floats();
        boolean batchNorm = tensors.containsKey("1.running_mean");
        Tensor first = tensors.get("0.weight");
        Tensor last = tensors.get((batchNorm ? 3 : 2) + ".weight");
        if (first == null || last == null || first.rank() != 2 || last.rank() != 2) {
            throw new IOException(file + ": not a SimCLR projection head (0.weight, [1.running_mean], "
                    + "2.weight or 3.weight)");
        }
        if (first.dim(1) != features) {
            throw new IOException(file + ": head takes " + first.dim(1) + " features, the backbone gives " + features);
        }
        Sequential head = SimclrHead.create(features, first.dim(0), last.dim(0), batchNorm, new SplittableRandom(0));
        StateDict.of(head).load(file, true);
        return head;
    }
}
