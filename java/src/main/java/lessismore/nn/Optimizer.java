package lessismore.nn;

/** Updates parameters from their accumulated gradients; the learning rate is given per step. */
public interface Optimizer {
    /** One update of every parameter with learning rate {@code lr}. Gradients are left as they are. */
    void step(float lr);
}
