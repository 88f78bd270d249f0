package lessismore.signature;

import java.util.function.Consumer;

/**
 * Computes signatures for one worker thread. A signer may compute each signature at once or
 * collect several and compute them together (batched model inference); either way every sink has
 * been called once {@link #flush()} returns.
 *
 * @param <S> the signature type
 */
public interface Signer<S> extends AutoCloseable {
    /**
     * Signs a preprocessed 8-bit image.
     *
     * @param gray   width × height unsigned bytes, row-major; the caller reuses the array after this
     *               returns, so a signer that defers work copies what it needs
     * @param width  image width
     * @param height image height
     * @param sink   receives the signature, now or by the next {@link #flush()}
     */
    void sign(byte[] gray, int width, int height, Consumer<S> sink);

    /** Computes whatever is pending and hands it to its sinks. */
    default void flush() {
    }

    /** Releases native resources; the signer is unusable afterwards. */
    @Override
    default void close() {
    }
}
