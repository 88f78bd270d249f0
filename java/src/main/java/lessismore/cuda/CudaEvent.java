package lessismore.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A point in a stream (CUevent), used to time device work. */
public final class CudaEvent extends NativeResource {
    private final MemorySegment handle;

    CudaEvent(CudaContext context, MemorySegment handle) {
        super(context, "event");
        this.handle = handle;
    }

    /** Records the event on {@code stream} (null: default stream). */
    public void record(CudaStream stream) {
        Driver d = context.bind();
        d.checked(d.cuEventRecord, "cuEventRecord", "recording an event", live(), CudaStream.handle(stream));
    }

    /** Waits until the work before the recorded point has run. */
    public void synchronize() {
        Driver d = context.bind();
        d.checked(d.cuEventSynchronize, "cuEventSynchronize", "waiting for an event", live());
    }

    /** Milliseconds from {@code start} to this event (both recorded; waits for this one). */
    public float millisSince(CudaEvent start) {
        synchronize();
        Driver d = context.bind();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ms = a.allocate(JAVA_FLOAT);
            d.checked(d.cuEventElapsedTime, "cuEventElapsedTime", "timing between events", ms, start.live(), live());
            return ms.get(JAVA_FLOAT, 0);
        }
    }

    private MemorySegment live() {
        checkOpen();
        return handle;
    }

    @Override
    void release() {
        Driver d = context.bind();
        d.checked(d.cuEventDestroy, "cuEventDestroy_v2", "destroying an event", handle);
    }
}
