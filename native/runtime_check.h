// C ABI of cuda-kernels/runtime_check.cu: the smallest kernel that exercises every argument kind
// the Java launcher passes (device pointer, 64-bit int, float, 32-bit int). Used by the binding
// tests (argument passing, 10,000-launch leak check) and by `lessismore doctor`.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

// y[i] = a * x[i] + y[i] + bias for i in [0, n); x and y are (n) floats. Any grid covers n
// (grid-stride loop).
__global__ void runtime_check_scale_add(const float* x, float* y, long long n, float a, int bias);

#ifdef __cplusplus
}
#endif
