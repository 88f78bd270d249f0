package lessismore.cuda;

import java.lang.foreign.MemorySegment;

/** Page-locked host memory (cuMemHostAlloc), the source or target of asynchronous copies. */
public final class PinnedBuffer implements CudaContext.Resource {
    private final CudaContext context;
    private final MemorySegment segment;
    private boolean closed;

    PinnedBuffer(CudaContext context, MemorySegment segment) {
        this.context = context;
        this.segment = segment;
    }

    /** The memory; invalid after {@link #close()}. */
    public MemorySegment segment() {
        if (closed) {
            throw new IllegalStateException("pinned buffer is closed");
        }
        return segment;
    }

    /** Frees the memory. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.untrack(this);
        Driver d = context.bind();
        d.checked(d.cuMemFreeHost, "cuMemFreeHost", "freeing " + segment.byteSize() + " pinned bytes", segment);
    }
}
