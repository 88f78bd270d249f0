package lessismore.cuda;

/**
 * A failed CUDA driver, cuBLAS or cuDNN call: carries the library's error name (e.g.
 * {@code CUDA_ERROR_OUT_OF_MEMORY}), the call ({@code cuMemAlloc_v2}) and what the call was for.
 * Unchecked, so the API has no {@code throws Throwable}.
 */
public final class CudaException extends RuntimeException {
    private final String errorName;
    private final String call;

    /**
     * @param call      the native function, e.g. {@code cuLaunchKernel}
     * @param errorName the library's name for the status, e.g. {@code CUDA_ERROR_INVALID_VALUE}
     * @param detail    the library's description of the status, or null
     * @param context   what the call was doing, e.g. "launching nt_xent_forward (grid 64x1x1)"
     */
    public CudaException(String call, String errorName, String detail, String context) {
        super(call + " failed: " + errorName + (detail != null && !detail.isEmpty() ? " (" + detail + ")" : "")
                + (context != null && !context.isEmpty() ? " while " + context : ""));
        this.call = call;
        this.errorName = errorName;
    }

    /** The library's error name, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    public String errorName() {
        return errorName;
    }

    /** The native function that failed. */
    public String call() {
        return call;
    }
}
