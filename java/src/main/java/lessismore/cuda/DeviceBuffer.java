package lessismore.cuda;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Device memory (cuMemAlloc), or a view of part of it ({@link #slice}). Synchronous copies go
 * through a temporary native copy of the Java array; asynchronous ones need pinned memory
 * ({@link PinnedBuffer}). Element copies start at byte offset 0 and move {@code array.length}
 * elements.
 */
public final class DeviceBuffer extends NativeResource {
    private final long address;
    private final long bytes;
    private final boolean owner;

    DeviceBuffer(CudaContext context, long address, long bytes, boolean owner) {
        super(context, "device buffer");
        this.address = address;
        this.bytes = bytes;
        this.owner = owner;
    }

    /** The CUdeviceptr. */
    public long address() {
        checkOpen();
        return address;
    }

    /** Size in bytes. */
    public long byteSize() {
        return bytes;
    }

    /** A view of {@code [offset, offset + length)} bytes; closing it frees nothing. */
    public DeviceBuffer slice(long offset, long length) {
        if (offset < 0 || length <= 0 || offset + length > bytes) {
            throw new IndexOutOfBoundsException("slice [" + offset + ", " + (offset + length) + ") of " + bytes + " bytes");
        }
        return new DeviceBuffer(context, address() + offset, length, false);
    }

    /** Copies {@code a} to the start of the buffer. */
    public void upload(float[] a) {
        upload(a, JAVA_FLOAT, a.length);
    }

    /** Copies {@code a} to the start of the buffer. */
    public void upload(int[] a) {
        upload(a, JAVA_INT, a.length);
    }

    /** Copies {@code a} to the start of the buffer. */
    public void upload(long[] a) {
        upload(a, JAVA_LONG, a.length);
    }

    /** Copies {@code a} to the start of the buffer. */
    public void upload(short[] a) {
        upload(a, JAVA_SHORT, a.length);
    }

    /** Copies {@code a} to the start of the buffer. */
    public void upload(byte[] a) {
        upload(a, JAVA_BYTE, a.length);
    }

    /** Fills {@code a} from the start of the buffer. */
    public void download(float[] a) {
        download(a, JAVA_FLOAT, a.length);
    }

    /** Fills {@code a} from the start of the buffer. */
    public void download(int[] a) {
        download(a, JAVA_INT, a.length);
    }

    /** Fills {@code a} from the start of the buffer. */
    public void download(long[] a) {
        download(a, JAVA_LONG, a.length);
    }

    /** Fills {@code a} from the start of the buffer. */
    public void download(short[] a) {
        download(a, JAVA_SHORT, a.length);
    }

    /** Fills {@code a} from the start of the buffer. */
    public void download(byte[] a) {
        download(a, JAVA_BYTE, a.length);
    }

    private void upload(Object array, ValueLayout layout, int n) {
        long size = n * layout.byteSize();
        if (size == 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tmp = a.allocate(size, 16);
            MemorySegment.copy(array, 0, tmp, layout, 0, n);
            upload(tmp, 0);
        }
    }

    private void download(Object array, ValueLayout layout, int n) {
        long size = n * layout.byteSize();
        if (size == 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tmp = a.allocate(size, 16);
            download(tmp, 0);
            MemorySegment.copy(tmp, layout, 0, array, 0, n);
        }
    }

    /** Copies all of {@code src} to byte {@code dstOffset} of this buffer; returns when done. */
    public void upload(MemorySegment src, long dstOffset) {
        checkRange(dstOffset, src.byteSize());
        Driver d = context.bind();
        d.checked(d.cuMemcpyHtoD, "cuMemcpyHtoD_v2", "copying " + src.byteSize() + " bytes to the device",
                address + dstOffset, src, src.byteSize());
    }

    /** Fills all of {@code dst} from byte {@code srcOffset} of this buffer; returns when done. */
    public void download(MemorySegment dst, long srcOffset) {
        checkRange(srcOffset, dst.byteSize());
        Driver d = context.bind();
        d.checked(d.cuMemcpyDtoH, "cuMemcpyDtoH_v2", "copying " + dst.byteSize() + " bytes from the device",
                dst, address + srcOffset, dst.byteSize());
    }

    /** Queues a copy of pinned {@code src} to byte {@code dstOffset} on {@code stream} (null: default stream). */
    public void uploadAsync(MemorySegment src, long dstOffset, CudaStream stream) {
        checkRange(dstOffset, src.byteSize());
        Driver d = context.bind();
        d.checked(d.cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2", "queueing " + src.byteSize() + " bytes to the device",
                address + dstOffset, src, src.byteSize(), CudaStream.handle(stream));
    }

    /** Queues a copy from byte {@code srcOffset} into pinned {@code dst} on {@code stream} (null: default stream). */
    public void downloadAsync(MemorySegment dst, long srcOffset, CudaStream stream) {
        checkRange(srcOffset, dst.byteSize());
        Driver d = context.bind();
        d.checked(d.cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2", "queueing " + dst.byteSize() + " bytes from the device",
                dst, address + srcOffset, dst.byteSize(), CudaStream.handle(stream));
    }

    /** Sets every byte to 0; returns when done. */
    public void clear() {
        Driver d = context.bind();
        d.checked(d.cuMemsetD8, "cuMemsetD8_v2", "clearing " + bytes + " device bytes", address(), (byte) 0, bytes);
    }

    /** Queues setting every byte to 0 on {@code stream} (null: default stream). */
    public void clearAsync(CudaStream stream) {
        Driver d = context.bind();
        d.checked(d.cuMemsetD8Async, "cuMemsetD8Async", "clearing " + bytes + " device bytes", address(), (byte) 0, bytes,
                CudaStream.handle(stream));
    }

    private void checkRange(long offset, long length) {
        checkOpen();
        if (offset < 0 || offset + length > bytes) {
            throw new IndexOutOfBoundsException("copy of " + length + " bytes at offset " + offset + " into a "
                    + bytes + "-byte device buffer");
        }
    }

    /** Frees the memory (an owning buffer); a view frees nothing. */
    @Override
    void release() {
        if (owner) {
            Driver d = context.bind();
            d.checked(d.cuMemFree, "cuMemFree_v2", "freeing " + bytes + " device bytes", address);
        }
    }
}
