package lessismore.cuda;

import java.lang.foreign.MemorySegment;

/** Page-locked host memory (cuMemHostAlloc), the source or target of asynchronous copies. */
public final class PinnedBuffer extends NativeResource {
    private final MemorySegment segment;

    PinnedBuffer(CudaContext context, MemorySegment segment) {
        super(context, "pinned buffer");
        this.segment = segment;
    }

    /** The memory; invalid after {@link #close()}. */
    public MemorySegment segment() {
        checkOpen();
        return segment;
    }

    @Override
    void release() {
        Driver d = context.bind();
        d.checked(d.cuMemFreeHost, "cuMemFreeHost", "freeing " + segment.byteSize() + " pinned bytes", segment);
    }
}
