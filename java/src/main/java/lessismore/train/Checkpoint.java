package lessismore.train;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lessismore.nn.Safetensors;
import lessismore.nn.StateDict;
import lessismore.output.AtomicFile;
import lessismore.output.Json;

/**
 * Checkpoints of a pre-training run, after {@code step} completed steps, as four files in the run
 * folder:
 * <ul>
 *   <li>{@code checkpoint-<step>.safetensors}: the backbone with torchvision's key names
 *       ({@code conv1.weight}, {@code layer1.0.bn1.running_mean}, …), so
 *       {@code torchvision.models.resnet18()} with a 1-channel {@code conv1} and
 *       {@code fc = Identity()} loads it with {@code load_state_dict}. Its safetensors metadata holds
 *       the configuration ({@link PretrainConfig#toStrings()}) plus {@code step} and {@code epoch}.</li>
 *   <li>{@code checkpoint-<step>-head.safetensors}: the projection head, keys as
 *       torch.nn.Sequential ({@code 0.weight}, {@code 1.running_var}, {@code 3.bias}, …).</li>
 *   <li>{@code checkpoint-<step>-optimizer.safetensors}: the optimizer state, keys
 *       {@code <parameter index>.momentum_buffer} (sgd, lars), {@code .exp_avg} and
 *       {@code .exp_avg_sq} (adamw) and the {@code step} counter; parameters are numbered backbone
 *       first, then head, in state-dict order.</li>
 *   <li>{@code checkpoint-<step>.json}: the human-readable sidecar (architecture, configuration,
 *       step, epoch, seed, optimizer, data, augmentation, file names). It is written last, so a
 *       checkpoint counts as complete only when its sidecar exists.</li>
 * </ul>
 * Each file is written atomically. With the same data and seed, a run resumed from a checkpoint
 * continues bit for bit as the uninterrupted run would have (on the same CPU and thread count).
 */
public final class Checkpoint {
    private static final Pattern SIDECAR = Pattern.compile("checkpoint-(\\d+)\\.json");

    private Checkpoint() {
    }

    /** The backbone file of the checkpoint after {@code step} steps in {@code dir}. */
    public static Path backboneFile(Path dir, long step) {
        return dir.resolve("checkpoint-" + step + ".safetensors");
    }

    static Path headFile(Path dir, long step) {
        return dir.resolve("checkpoint-" + step + "-head.safetensors");
    }

    static Path optimizerFile(Path dir, long step) {
        return dir.resolve("checkpoint-" + step + "-optimizer.safetensors");
    }

    static Path sidecarFile(Path dir, long step) {
        return dir.resolve("checkpoint-" + step + ".json");
    }

    /**
     * Saves {@code trainer}'s state after {@code step} completed steps (the last in {@code epoch}),
     * with {@code data} and {@code augmentation} described in the sidecar.
     */
    public static void save(Path dir, Trainer trainer, long step, int epoch, Map<String, Object> data,
                            Map<String, Object> augmentation) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(trainer.config().toStrings());
        meta.put("step", Long.toString(step));
        meta.put("epoch", Integer.toString(epoch));
        AtomicFile.write(backboneFile(dir, step), f -> StateDict.of(trainer.backbone()).save(f, meta));
        AtomicFile.write(headFile(dir, step), f -> StateDict.of(trainer.head()).save(f));
        AtomicFile.write(optimizerFile(dir, step), f -> StateDict.of(trainer.optimizer()).save(f));
        Map<String, Object> sidecar = new LinkedHashMap<>();
        sidecar.put("tool", "lessismore");
        sidecar.put("kind", "simclr-checkpoint");
        sidecar.put("architecture", trainer.config().arch() + ", 1 input channel, torchvision key names, "
                + "fc left out (features after avgpool: " + trainer.backbone().featureDim() + ")");
        sidecar.put("step", step);
        sidecar.put("epoch", epoch);
        sidecar.put("seed", trainer.config().seed());
        sidecar.put("optimizer", trainer.config().optimizer());
        sidecar.put("config", trainer.config().describe());
        sidecar.put("data", data);
        sidecar.put("augmentation", augmentation);
        sidecar.put("files", Map.of(
                "backbone", backboneFile(dir, step).getFileName().toString(),
                "head", headFile(dir, step).getFileName().toString(),
                "optimizer", optimizerFile(dir, step).getFileName().toString()));
        AtomicFile.writeText(sidecarFile(dir, step), Json.write(sidecar));
    }

    /** Step numbers of the complete checkpoints in {@code dir}, ascending. */
    public static List<Long> steps(Path dir) throws IOException {
        List<Long> steps = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return steps;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "checkpoint-*.json")) {
            for (Path p : s) {
                Matcher m = SIDECAR.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(backboneFile(dir, Long.parseLong(m.group(1))))) {
                    steps.add(Long.parseLong(m.group(1)));
                }
            }
        }
        steps.sort(null);
        return steps;
    }

    /** Deletes the checkpoint after {@code step} steps (sidecar first, so it never looks complete). */
    static void delete(Path dir, long step) throws IOException {
        Files.deleteIfExists(sidecarFile(dir, step));
        Files.deleteIfExists(backboneFile(dir, step));
        Files.deleteIfExists(headFile(dir, step));
        Files.deleteIfExists(optimizerFile(dir, step));
    }

    /** The configuration, step and epoch stored in a checkpoint's backbone file metadata. */
    public static Map<String, String> metadata(Path backboneFile) throws IOException {
        return Safetensors.read(backboneFile).metadata();
    }

    /** A trainer restored from the checkpoint after {@code step} steps in {@code dir}. */
    public static Trainer load(Path dir, long step) throws IOException {
        Path backbone = backboneFile(dir, step);
        PretrainConfig config;
        try {
            config = PretrainConfig.fromStrings(metadata(backbone));
        } catch (IllegalArgumentException e) {
            throw new IOException(backbone + ": " + e.getMessage(), e);
        }
        Trainer trainer = new Trainer(config);
        StateDict.of(trainer.backbone()).load(backbone, true);
        StateDict.of(trainer.head()).load(headFile(dir, step), true);
        StateDict.of(trainer.optimizer()).load(optimizerFile(dir, step), true);
        return trainer;
    }
}
