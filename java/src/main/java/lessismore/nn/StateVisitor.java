package lessismore.nn;

/** Receives the named parameters and buffers of a layer tree (see {@link Layer#visitState}). */
public interface StateVisitor {
    /** A trainable parameter under its full state-dict key. */
    void parameter(String name, Parameter parameter);

    /** A float buffer that is saved but not trained, such as a running mean. */
    void buffer(String name, Tensor buffer);

    /** An int64 scalar counter held in {@code holder[0]}, such as num_batches_tracked. */
    void counter(String name, long[] holder);
}
