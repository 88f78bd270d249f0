package lessismore.cuda;

/**
 * Something a {@link CudaContext} owns (memory, a stream, an event, a module, a library handle):
 * closed once, by its owner or else by the context's close, and unusable afterwards.
 */
abstract class NativeResource implements CudaContext.Resource {
    /** The owning context; made current before every native call. */
    final CudaContext context;
    private final String what;
    private boolean closed;

    /**
     * @param context the owner
     * @param what    how error messages name it, e.g. "stream"
     */
    NativeResource(CudaContext context, String what) {
        this.context = context;
        this.what = what;
    }

    /** Throws {@link IllegalStateException} once closed. */
    final void checkOpen() {
        if (closed) {
            throw new IllegalStateException(what + " is closed");
        }
    }

    /** Frees the native object; called once, by {@link #close()}. */
    abstract void release();

    /** Frees the native object. Idempotent. */
    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.untrack(this);
        release();
    }
}
