package lessismore.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import lessismore.nn.AdamW;
import lessismore.nn.CrossEntropyLoss;
import lessismore.nn.Init;
import lessismore.nn.Linear;
import lessismore.nn.Parameter;
import lessismore.nn.ResNet;
import lessismore.nn.StateDict;
import lessismore.nn.Tensor;
import lessismore.train.Embedder;
import lessismore.train.Trainer;

/**
 * The fine-tuning protocol: a linear head on the ResNet's pooled features, trained first alone
 * (backbone frozen, eval-mode batch norm) for {@code headEpochs}, then together with the whole
 * backbone (train-mode batch norm) for {@code epochs}; Adam at lr 1e-4 with L2 weight decay 5e-4 (as the published notebooks),
 * batches of {@value #BATCH}, each training image flipped left-right with probability ½ (seeded).
 * After every epoch the validation AUC is measured; the weights of the best epoch are kept (the
 * test split plays no part).
 */
public final class FineTune {
    /** Images per step. */
    static final int BATCH = 32;
    private static final float LR = 1e-4f;
    private static final float WEIGHT_DECAY = 5e-4f;
    /** Salt of the head's initialisation seed, so it differs from the backbone's. */
    private static final long HEAD_SALT = 0x5eedL;

    /** The outcome: probabilities of every sample (N, K) with the best epoch's weights, and the per-epoch log. */
    public record Result(double[] proba, int bestEpoch, List<Map<String, Object>> epochs) {
        /** The protocol and the log, for eval.json. */
        public Map<String, Object> describe(int headEpochs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", "ResNet + linear head; head alone for " + headEpochs + " epochs, then the whole network");
            m.put("optimizer", "Adam lr " + LR + ", L2 weight decay " + WEIGHT_DECAY + ", batch " + BATCH);
            m.put("augmentation", "horizontal flip, p = 0.5");
            m.put("selection", "epoch with the best validation AUC; test not used");
            m.put("best_epoch", bestEpoch);
            m.put("epochs", epochs);
            return m;
        }
    }

    private FineTune() {
    }

    /**
     * The backbone to fine-tune: a pretrain checkpoint's ResNet (architecture recognised from its
     * keys), or with {@code checkpoint} null a ResNet-18 initialised from {@code seed} (from scratch).
     */
    public static ResNet backbone(Path checkpoint, long seed) throws IOException {
        if (checkpoint == null) {
            return Trainer.backbone("resnet18", seed);
        }
        return Embedder.loadBackbone(checkpoint);
    }

    /**
     * Fine-tunes {@code backbone} (modified in place) on the training split of {@code data}.
     *
     * @param split split code of every sample
     */
    public static Result run(ResNet backbone, LabelledData data, int[] split, int headEpochs, int epochs, long seed,
                             java.util.function.Consumer<String> progress) {
        int k = data.classes().size();
        Linear head = new Linear(backbone.featureDim(), k, true);
        Init.linearDefault(head, new SplittableRandom(seed ^ HEAD_SALT));
        List<Parameter> all = new ArrayList<>(StateDict.of(backbone).parameterList());
        all.addAll(StateDict.of(head).parameterList());
        AdamW headOnly = AdamW.adam(StateDict.of(head).parameterList(), WEIGHT_DECAY);
        AdamW full = AdamW.adam(all, WEIGHT_DECAY);
        int[] train = Splits.members(split, Splits.TRAIN);
        int[] val = Splits.members(split, Splits.VAL);
        int[] yVal = LinearProbe.pick(data.labels(), val);
        SplittableRandom random = new SplittableRandom(seed);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        List<Map<String, Object>> log = new ArrayList<>();
        Map<String, float[]> best = null;
        double bestAuc = Double.NEGATIVE_INFINITY;
        int bestEpoch = 0;
        for (int epoch = 1; epoch <= headEpochs + epochs; epoch++) {
            boolean whole = epoch > headEpochs;
            backbone.setTraining(whole);
            int[] order = LinearProbe.pick(train, Splits.permutation(train.length, random));
            double sum = 0;
            for (int start = 0; start < order.length; start += BATCH) {
                int[] batch = Arrays.copyOfRange(order, start, Math.min(order.length, start + BATCH));
                for (Parameter p : all) {
                    p.zeroGrad();
                }
                Tensor logits = head.forward(backbone.forward(images(data, batch, random)));   // (B, K)
                sum += loss.forward(logits, LinearProbe.pick(data.labels(), batch)) * batch.length;
                Tensor grad = head.backward(loss.backward());   // (B, featureDim)
                if (whole) {
                    backbone.backward(grad);
                    full.step(LR);
                } else {
                    headOnly.step(LR);
                }
            }
            double auc = Metrics.auc(yVal, proba(backbone, head, data, val), k);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", epoch);
            row.put("stage", whole ? "whole network" : "head");
            row.put("train_loss", sum / order.length);
            row.put("val_auc", auc);
            log.add(row);
            progress.accept(String.format(java.util.Locale.ROOT, "epoch %d (%s): train loss %.4f, val AUC %.4f",
                    epoch, row.get("stage"), sum / order.length, auc));
            if (best == null || auc > bestAuc) {
                best = snapshot(backbone, head);
                bestAuc = Double.isNaN(auc) ? Double.NEGATIVE_INFINITY : auc;
                bestEpoch = epoch;
            }
        }
        restore(best, backbone, head);
        int[] everyone = new int[data.size()];
        Arrays.setAll(everyone, i -> i);
        return new Result(proba(backbone, head, data, everyone), bestEpoch, log);
    }

    /** The samples {@code idx} as a (B, 1, side, side) batch; with {@code flips} non-null each is mirrored with probability ½. */
    private static Tensor images(LabelledData data, int[] idx, SplittableRandom flips) {
        int side = data.images().side();
        int plane = side * side;
        float[] x = new float[idx.length * plane];
        for (int b = 0; b < idx.length; b++) {
            float[] p = data.pixels(idx[b]);
            boolean mirror = flips != null && flips.nextBoolean();
            for (int r = 0; r < side; r++) {
                for (int c = 0; c < side; c++) {
                    x[b * plane + r * side + c] = p[r * side + (mirror ? side - 1 - c : c)];
                }
            }
        }
        return new Tensor(x, idx.length, 1, side, side);
    }

    /** Softmax probabilities (|idx|, K) in eval mode, batch by batch. */
    private static double[] proba(ResNet backbone, Linear head, LabelledData data, int[] idx) {
        backbone.setTraining(false);
        int k = data.classes().size();
        double[] out = new double[idx.length * k];
        for (int start = 0; start < idx.length; start += BATCH) {
            int[] batch = Arrays.copyOfRange(idx, start, Math.min(idx.length, start + BATCH));
            float[] z = head.forward(backbone.forward(images(data, batch, null))).data;   // (B, K)
            for (int b = 0; b < batch.length; b++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    max = Math.max(max, z[b * k + c]);
                }
                double sum = 0;
                for (int c = 0; c < k; c++) {
                    sum += Math.exp(z[b * k + c] - max);
                }
                for (int c = 0; c < k; c++) {
                    out[(start + b) * k + c] = Math.exp(z[b * k + c] - max) / sum;
                }
            }
        }
        return out;
    }

    /** Copies of every float state (weights and batch-norm statistics) of both parts, keyed "b." / "h.". */
    private static Map<String, float[]> snapshot(ResNet backbone, Linear head) {
        Map<String, float[]> s = new LinkedHashMap<>();
        StateDict.of(backbone).floats().forEach((name, t) -> s.put("b." + name, t.data.clone()));
        StateDict.of(head).floats().forEach((name, t) -> s.put("h." + name, t.data.clone()));
        return s;
    }

    private static void restore(Map<String, float[]> s, ResNet backbone, Linear head) {
        StateDict.of(backbone).floats().forEach((name, t) -> System.arraycopy(s.get("b." + name), 0, t.data, 0, t.data.length));
        StateDict.of(head).floats().forEach((name, t) -> System.arraycopy(s.get("h." + name), 0, t.data, 0, t.data.length));
    }
}
