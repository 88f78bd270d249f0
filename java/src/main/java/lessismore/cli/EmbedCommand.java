package lessismore.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import lessismore.Version;
import lessismore.io.SkippedFileException;
import lessismore.output.Csv;
import lessismore.output.Json;
import lessismore.output.OutputDirectory;
import lessismore.train.Dataset;
import lessismore.train.Embedder;
import lessismore.train.Npy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lessismore embed --checkpoint FILE DATA --out DIR}: backbone features of every image. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Embeds the images of DATA (a reduce output folder: its kept slices; or any image folder) "
                + "with a pretrain checkpoint's backbone (features after avgpool) and writes embeddings.npy "
                + "(float32, N x D), embeddings.csv (path and values) and summary.json to --out."})
final class EmbedCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DATA", description = "reduce output folder, or a folder of images/DICOM.")
    Path data;

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
            description = "checkpoint-<step>.safetensors of a pretrain run (or any 1-channel torchvision ResNet-18/50).")
    Path checkpoint;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder to create.")
    Path out;

    @Option(names = "--size", paramLabel = "PIXELS", defaultValue = "0",
            description = "Side the images are resized to (default 0: the training size stored in the checkpoint).")
    int size;

    @Option(names = "--threads", paramLabel = "N", description = "Decoding threads (default: all cores).")
    Integer threads;

    @Option(names = "--overwrite", description = "Replace --out if it holds a previous lessismore output.")
    boolean overwrite;

    @Option(names = {"-q", "--quiet"}, description = "No summary on stdout.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter stderr = spec.commandLine().getErr();
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (t < 1 || size < 0 || size > 1024) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1, --size 0..1024");
        }
        OutputDirectory dir = null;
        try {
            Embedder embedder = Embedder.load(checkpoint, size);
            Dataset images = Dataset.load(data, embedder.size(), t);
            if (images.size() == 0) {
                stderr.println("lessismore: nothing to do: no readable image in " + data);
                return ExitCodes.NOTHING_TO_DO;
            }
            dir = OutputDirectory.prepare(out, overwrite);
            float[] e = embedder.embed(images);
            Npy.write(dir.staging().resolve("embeddings.npy"), e, images.size(), embedder.dim());
            writeCsv(dir.staging().resolve("embeddings.csv"), images, embedder, e);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("tool", "lessismore");
            summary.put("version", Version.get());
            summary.put("command", "embed");
            summary.put("checkpoint", checkpoint.toAbsolutePath().normalize().toString());
            summary.put("data", images.description());
            summary.put("images", images.size());
            summary.put("dim", embedder.dim());
            summary.put("size", embedder.size());
            dir.writeText("summary.json", Json.write(summary));
            dir.commit();
            if (!quiet) {
                PrintWriter stdout = spec.commandLine().getOut();
                stdout.printf("%d embeddings of dimension %d%n", images.size(), embedder.dim());
                stdout.println("embeddings: " + dir.target().resolve("embeddings.npy"));
                stdout.println("csv:        " + dir.target().resolve("embeddings.csv"));
            }
            return ExitCodes.OK;
        } catch (IllegalArgumentException e) {
            if (dir != null) {
                dir.abandon();
            }
            stderr.println("lessismore: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        } catch (IOException e) {
            if (dir != null) {
                dir.abandon();
            }
            stderr.println("lessismore: " + SkippedFileException.describe(e));
            return Files.exists(checkpoint) ? ExitCodes.INTERNAL_ERROR : ExitCodes.BAD_INPUT;
        }
    }

    private static void writeCsv(Path file, Dataset images, Embedder embedder, float[] e) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("path");
            for (int k = 0; k < embedder.dim(); k++) {
                w.write(",e" + k);
            }
            w.newLine();
            for (int i = 0; i < images.size(); i++) {
                w.write(Csv.field(images.name(i)));
                for (float v : embedder.row(e, i)) {
                    w.write(',');
                    w.write(Float.toString(v));
                }
                w.newLine();
            }
        }
    }
}
