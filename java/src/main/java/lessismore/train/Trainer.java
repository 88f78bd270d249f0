package lessismore.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import lessismore.nn.AdamW;
import lessismore.nn.Lars;
import lessismore.nn.LrSchedule;
import lessismore.nn.NtXentLoss;
import lessismore.nn.Optimizer;
import lessismore.nn.Parameter;
import lessismore.nn.ResNet;
import lessismore.nn.Sequential;
import lessismore.nn.Sgd;
import lessismore.nn.SimclrHead;
import lessismore.nn.StateDict;
import lessismore.nn.Tensor;

/**
 * A SimCLR model and its optimisation: a 1-channel ResNet backbone f, the projection head g, the
 * NT-Xent loss, the optimizer and the per-step learning-rate schedule (linear warm-up, cosine decay).
 * {@link #step} is one training step; the state (weights, batch-norm statistics, optimizer buffers)
 * is exposed for checkpoints.
 */
public final class Trainer {
    /** Salt that separates the head's initial weights from the backbone's, both drawn from the seed. */
    private static final long HEAD_SALT = 0x68656164L;

    private final PretrainConfig config;
    private final ResNet backbone;
    private final Sequential head;
    private final List<Parameter> parameters;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final NtXentLoss loss;

    /** A freshly initialised model for {@code config} (weights from its seed). */
    public Trainer(PretrainConfig config) {
        this.config = config;
        this.backbone = backbone(config.arch(), config.seed());
        this.head = SimclrHead.create(backbone.featureDim(), backbone.featureDim(), config.projectionDim(),
                config.head().equals("bn"), new SplittableRandom(config.seed() ^ HEAD_SALT));
        this.parameters = new ArrayList<>(StateDict.of(backbone).parameterList());
        parameters.addAll(StateDict.of(head).parameterList());
        float wd = (float) config.weightDecay();
        float mu = (float) config.momentum();
        this.optimizer = switch (config.optimizer()) {
            case "sgd" -> new Sgd(parameters, mu, wd);
            case "lars" -> new Lars(parameters, mu, wd, Lars.DEFAULT_TRUST);
            case "adamw" -> new AdamW(parameters, wd);
            default -> throw new IllegalArgumentException("unknown optimizer " + config.optimizer());
        };
        this.schedule = new LrSchedule(config.lr(), config.warmup(), (int) config.totalSteps());
        this.loss = new NtXentLoss((float) config.temperature());
    }

    /** A 1-channel backbone of {@code arch} without classifier, initialised from {@code seed}. */
    public static ResNet backbone(String arch, long seed) {
        return switch (arch) {
            case "resnet18" -> ResNet.resnet18(1, 0, seed);
            case "resnet50" -> ResNet.resnet50(1, 0, seed);
            default -> throw new IllegalArgumentException("unknown architecture " + arch);
        };
    }

    /**
     * One SimCLR step (0-based number {@code step}) on {@code views} (2B, 1, size, size), rows i and
     * B + i the two views of image i: forward through f and g, NT-Xent, backward, optimizer update
     * at the schedule's rate. Returns the loss before the update.
     */
    public float step(Tensor views, long step) {
        for (Parameter p : parameters) {
            p.zeroGrad();
        }
        Tensor h = backbone.forward(views);   // (2B, featureDim)
        Tensor z = head.forward(h);           // (2B, projectionDim)
        float value = loss.forward(z);
        backbone.backward(head.backward(loss.backward()));
        optimizer.step(learningRate(step));
        return value;
    }

    /** The learning rate of step {@code step} (0-based). */
    public float learningRate(long step) {
        return schedule.at((int) step);
    }

    /** The configuration. */
    public PretrainConfig config() {
        return config;
    }

    /** The backbone f; its state uses torchvision's key names. */
    public ResNet backbone() {
        return backbone;
    }

    /** The projection head g; its state uses torch.nn.Sequential's key names ("0.weight", …). */
    public Sequential head() {
        return head;
    }

    /** The optimizer, whose state goes into checkpoints. */
    public Optimizer optimizer() {
        return optimizer;
    }
}
