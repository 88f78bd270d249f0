package lessismore.cuda;

import java.lang.foreign.MemorySegment;

/** A queue of device work (CUstream). Wherever a stream is taken, null means the default stream. */
public final class CudaStream extends NativeResource {
    private final MemorySegment handle;

    CudaStream(CudaContext context, MemorySegment handle) {
        super(context, "stream");
        this.handle = handle;
    }

    /** The CUstream of {@code s}, or NULL (the default stream) for null. */
    static MemorySegment handle(CudaStream s) {
        if (s == null) {
            return MemorySegment.NULL;
        }
        s.checkOpen();
        return s.handle;
    }

    /** Waits until everything queued on this stream has run. */
    public void synchronize() {
        Driver d = context.bind();
        d.checked(d.cuStreamSynchronize, "cuStreamSynchronize", "waiting for a stream", handle(this));
    }

    /** Destroys the stream; work already queued still completes. */
    @Override
    void release() {
        Driver d = context.bind();
        d.checked(d.cuStreamDestroy, "cuStreamDestroy_v2", "destroying a stream", handle);
    }
}
