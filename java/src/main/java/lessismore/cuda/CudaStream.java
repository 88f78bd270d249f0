package lessismore.cuda;

import java.lang.foreign.MemorySegment;

/** A queue of device work (CUstream). Wherever a stream is taken, null means the default stream. */
public final class CudaStream implements CudaContext.Resource {
    private final CudaContext context;
    private final MemorySegment handle;
    private boolean closed;

    CudaStream(CudaContext context, MemorySegment handle) {
        this.context = context;
        this.handle = handle;
    }

    /** The CUstream of {@code s}, or NULL (the default stream) for null. */
    static MemorySegment handle(CudaStream s) {
        if (s == null) {
            return MemorySegment.NULL;
        }
        if (s.closed) {
            throw new IllegalStateException("stream is closed");
        }
        return s.handle;
    }

    /** Waits until everything queued on this stream has run. */
    public void synchronize() {
        Driver d = context.bind();
        d.checked(d.cuStreamSynchronize, "cuStreamSynchronize", "waiting for a stream", handle(this));
    }

    /** Destroys the stream (queued work still completes). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.untrack(this);
        Driver d = context.bind();
        d.checked(d.cuStreamDestroy, "cuStreamDestroy_v2", "destroying a stream", handle);
    }
}
