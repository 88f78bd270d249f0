package lessismore.nn;

/**
 * A differentiable layer with an explicit backward pass, the unit of the training engine.
 *
 * <p>{@link #forward} caches what {@link #backward} needs, so calls alternate: one forward, then at
 * most one backward for it. Backward takes dLoss/dOutput, accumulates parameter gradients into
 * {@link Parameter#grad} and returns dLoss/dInput. Layers never modify their input or a returned
 * output afterwards. The interface says nothing about where data lives, so an accelerator
 * implementation can sit beside each CPU one.
 */
public interface Layer {
    /** The output for input {@code x}; the shapes are documented by each layer. */
    Tensor forward(Tensor x);

    /** dLoss/dInput for {@code gradOut} = dLoss/dOutput of the last forward. */
    Tensor backward(Tensor gradOut);

    /**
     * Reports this layer's parameters and buffers to {@code visitor}, named with torch's
     * state-dict key scheme under {@code prefix} (empty or ending in a dot). Stateless layers
     * report nothing.
     */
    default void visitState(String prefix, StateVisitor visitor) {
    }

    /** Switches between training (batch statistics) and evaluation behaviour. */
    default void setTraining(boolean training) {
    }
}
