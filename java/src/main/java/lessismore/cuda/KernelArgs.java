package lessismore.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A kernel's arguments in its parameter order, typed as the C ABI in {@code native/} declares
 * them: device pointers, 32-bit ints, 64-bit ints, floats.
 */
public final class KernelArgs {
    private static final byte PTR = 0;
    private static final byte I32 = 1;
    private static final byte I64 = 2;
    private static final byte F32 = 3;

    private byte[] kinds = new byte[8];
    private long[] values = new long[8];
    private int size;

    /** A device pointer to the start of {@code b}. */
    public KernelArgs ptr(DeviceBuffer b) {
        return add(PTR, b.address());
    }

    /** A device pointer; 0 passes NULL (for optional inputs). */
    public KernelArgs ptr(long address) {
        return add(PTR, address);
    }

    /** An {@code int}. */
    public KernelArgs i32(int v) {
        return add(I32, v);
    }

    /** A {@code long long}. */
    public KernelArgs i64(long v) {
        return add(I64, v);
    }

    /** A {@code float}. */
    public KernelArgs f32(float v) {
        return add(F32, Float.floatToRawIntBits(v));
    }

    /** Number of arguments. */
    public int size() {
        return size;
    }

    private KernelArgs add(byte kind, long value) {
        if (size == kinds.length) {
            kinds = Arrays.copyOf(kinds, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        kinds[size] = kind;
        values[size++] = value;
        return this;
    }

    /** The {@code void** kernelParams} array cuLaunchKernel takes, allocated in {@code arena}. */
    MemorySegment toNative(Arena arena) {
        // One 8-byte slot per argument holds its value; the array points at the slots.
        MemorySegment slots = arena.allocate(8L * Math.max(1, size), 8);
        MemorySegment params = arena.allocate(ADDRESS, Math.max(1, size));
        for (int i = 0; i < size; i++) {
            long at = 8L * i;
            switch (kinds[i]) {
                case PTR, I64 -> slots.set(JAVA_LONG, at, values[i]);
                case I32 -> slots.set(JAVA_INT, at, (int) values[i]);
                default -> slots.set(JAVA_FLOAT, at, Float.intBitsToFloat((int) values[i]));
            }
            params.setAtIndex(ADDRESS, i, slots.asSlice(at, 8));
        }
        return params;
    }
}
