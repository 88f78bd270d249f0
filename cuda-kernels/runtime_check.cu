// The binding layer's own check kernel (see native/runtime_check.h).
#include "runtime_check.h"

extern "C" __global__ void runtime_check_scale_add(const float* x, float* y, long long n, float a, int bias) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) {
        // __fmaf_rn would differ from Java's a * x + y in the last bit; keep two roundings.
        y[i] = __fadd_rn(__fadd_rn(__fmul_rn(a, x[i]), y[i]), (float) bias);
    }
}
