// Shared by the emulated libcuda (driver.cpp) and the generated kernel table (gen_dispatch.py).
#pragma once
#include "cuda_shim.h"

// One kernel the emulated driver can launch. kinds: one letter per declared parameter
// (p pointer, i int, l long long, f float, d double); maxThreads: __launch_bounds__ (0 none).
struct EmuKernel {
    const char *name;
    const char *family;
    const char *kinds;
    int maxThreads;
    void (*run)(dim3 grid, int threads, size_t smem, void **params);
};
extern const EmuKernel emu_kernels[];  // ends with a null name
