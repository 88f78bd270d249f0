package lessismore.nn;

/** Updates parameters from their accumulated gradients; the learning rate is given per step. */
public interface Optimizer {
    /** One update of every parameter with learning rate {@code lr}. Gradients are left as they are. */
    void step(float lr);

    /**
     * Reports the optimizer's state (momentum buffers, step counts) as live views, so a checkpoint
     * can save it and a resumed run restore it exactly. Per-parameter entries are named
     * {@code <index>.<what>} with the parameter's index in the list the optimizer was built with,
     * as torch's optimizer state_dict numbers them.
     */
    void visitState(StateVisitor visitor);
}
