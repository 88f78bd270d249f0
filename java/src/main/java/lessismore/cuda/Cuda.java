package lessismore.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Entry point to the CUDA driver: whether a GPU answers, how many, and what they are. Nothing here
 * throws for a machine without a GPU except the accessors that need one.
 */
public final class Cuda {
    private Cuda() {
    }

    /** True when libcuda loads, cuInit succeeds and at least one device is visible. Never throws. */
    public static boolean available() {
        return unavailableReason() == null;
    }

    /** Why no GPU can be used ("libcuda.so.1 not found ...", "no CUDA device"), or null when one can. */
    public static String unavailableReason() {
        try {
            return deviceCount() > 0 ? null : "the CUDA driver sees no device";
        } catch (CudaException e) {
            return e.getMessage();
        }
    }

    /** Number of visible devices. */
    public static int deviceCount() {
        Driver d = Driver.get();
        return d.getInt(d.cuDeviceGetCount, "cuDeviceGetCount", "counting devices");
    }

    /** The driver's CUDA version as an int, e.g. 13000 for 13.0. */
    public static int driverVersion() {
        Driver d = Driver.get();
        return d.getInt(d.cuDriverGetVersion, "cuDriverGetVersion", "reading the driver version");
    }

    /** Where libcuda was loaded from. */
    public static String driverLibrary() {
        return Driver.get().library.location();
    }

    /** Properties of device {@code ordinal}. */
    public static CudaDevice device(int ordinal) {
        Driver d = Driver.get();
        int count = deviceCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new CudaException("cuDeviceGet", "CUDA_ERROR_INVALID_DEVICE", null,
                    "asking for cuda:" + ordinal + " (" + count + " device" + (count == 1 ? "" : "s") + " visible)");
        }
        String ctx = "querying cuda:" + ordinal;
        int dev = d.getInt(d.cuDeviceGet, "cuDeviceGet", ctx, ordinal);
        String name;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            d.checked(d.cuDeviceGetName, "cuDeviceGetName", ctx, buf, 256, dev);
            name = buf.getString(0);
        }
        return new CudaDevice(ordinal, name,
                attribute(d, Driver.ATTR_CC_MAJOR, dev, ctx), attribute(d, Driver.ATTR_CC_MINOR, dev, ctx),
                d.getLong(d.cuDeviceTotalMem, "cuDeviceTotalMem_v2", ctx, dev),
                attribute(d, Driver.ATTR_MULTIPROCESSOR_COUNT, dev, ctx), attribute(d, Driver.ATTR_SHARED_OPTIN, dev, ctx));
    }

    private static int attribute(Driver d, int attr, int dev, String ctx) {
        return d.getInt(d.cuDeviceGetAttribute, "cuDeviceGetAttribute", ctx, attr, dev);
    }

    /** Driver version as "13.0". */
    public static String formatVersion(int v) {
        return v / 1000 + "." + v % 1000 / 10;
    }
}
