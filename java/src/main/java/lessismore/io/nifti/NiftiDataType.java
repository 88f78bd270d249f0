package lessismore.io.nifti;

/**
 * The NIfTI voxel types this reader accepts: the scalar types CT volumes are stored in. Other codes
 * (binary, complex, RGB/RGBA, 64-bit integers, float128) are refused with
 * {@link lessismore.io.SkipReason#UNSUPPORTED}.
 */
public enum NiftiDataType {
    UINT8(2, 1, "uint8"),
    INT8(256, 1, "int8"),
    INT16(4, 2, "int16"),
    UINT16(512, 2, "uint16"),
    INT32(8, 4, "int32"),
    UINT32(768, 4, "uint32"),
    FLOAT32(16, 4, "float32"),
    FLOAT64(64, 8, "float64");

    private final int code;
    private final int bytes;
    private final String label;

    NiftiDataType(int code, int bytes, String label) {
        this.code = code;
        this.bytes = bytes;
        this.label = label;
    }

    /** The {@code datatype} code of the header ({@code NIFTI_TYPE_*}). */
    public int code() {
        return code;
    }

    /** Bytes per voxel. */
    public int bytesPerVoxel() {
        return bytes;
    }

    /** Lower-case numpy-style name, e.g. {@code int16}. */
    public String label() {
        return label;
    }

    /** The supported type with this code, or {@code null}. */
    static NiftiDataType ofCode(int code) {
        for (NiftiDataType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** A name for a code this reader refuses, for the one-line message. */
    static String describeUnsupported(int code) {
        return switch (code) {
            case 0 -> "unknown (0)";
            case 1 -> "binary (1)";
            case 32 -> "complex64 (32)";
            case 128 -> "RGB24 (128)";
            case 1024 -> "int64 (1024)";
            case 1280 -> "uint64 (1280)";
            case 1536 -> "float128 (1536)";
            case 1792 -> "complex128 (1792)";
            case 2048 -> "complex256 (2048)";
            case 2304 -> "RGBA32 (2304)";
            default -> "code " + code;
        };
    }
}
