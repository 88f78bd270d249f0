package lessismore.nn;

import java.util.Arrays;

/**
 * A trainable tensor and its gradient. Backward passes accumulate into {@link #grad}, so callers
 * zero it between steps ({@link #zeroGrad()}). The kind tells optimizers such as LARS which
 * parameters are excluded from weight decay and trust-ratio adaptation (biases and normalisation).
 */
public final class Parameter {
    /** What a parameter is, as far as optimizers care. */
    public enum Kind {
        /** A convolution or linear weight. */
        WEIGHT,
        /** An additive bias of a convolution or linear layer. */
        BIAS,
        /** A batch-norm scale or shift. */
        NORM
    }

    /** The current value. */
    public final Tensor value;
    /** The accumulated gradient, same shape as {@link #value}. */
    public final Tensor grad;
    /** What kind of parameter this is. */
    public final Kind kind;

    /** A parameter of the given shape, zero-filled, with a zero gradient. */
    public Parameter(Kind kind, int... shape) {
        this.kind = kind;
        this.value = Tensor.zeros(shape);
        this.grad = Tensor.zeros(shape);
    }

    /** Sets the gradient to zero. */
    public void zeroGrad() {
        Arrays.fill(grad.data, 0f);
    }
}
