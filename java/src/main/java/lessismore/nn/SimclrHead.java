package lessismore.nn;

import java.util.random.RandomGenerator;

/** SimCLR's projection head g(·), the MLP between the backbone features and the contrastive loss. */
public final class SimclrHead {
    private SimclrHead() {
    }

    /**
     * Linear(in, hidden) – [BatchNorm1d(hidden)] – ReLU – Linear(hidden, out), both linears with
     * bias and torch's default init, named "0", "1", … as in torch.nn.Sequential. Input (N, in),
     * output (N, out); SimCLR uses hidden = in and out = 128.
     */
    public static Sequential create(int in, int hidden, int out, boolean batchNorm, RandomGenerator rng) {
        Linear first = new Linear(in, hidden, true);
        Linear second = new Linear(hidden, out, true);
        Init.linearDefault(first, rng);
        Init.linearDefault(second, rng);
        Sequential head = new Sequential().add(first);
        if (batchNorm) {
            head.add(new BatchNorm(hidden));
        }
        return head.add(new ReLU()).add(second);
    }
}
