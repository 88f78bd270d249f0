// Checks the emulated driver's own checks (run by selftest.sh after build.sh): a bad launch is
// refused the way a real driver refuses it, an out-of-bounds kernel write is reported, copies
// outside an allocation fail, names outside the module are not found, the kernel computes.
#include <cuda.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <initializer_list>

#include <sys/wait.h>
#include <unistd.h>

static int failures = 0;
static void expect(bool ok, const char *what) {
    std::printf("%s %s\n", ok ? "PASS" : "FAIL", what);
    failures += !ok;
}

int main() {
    CUdevice dev;
    CUcontext ctx;
    expect(cuInit(0) == CUDA_SUCCESS && cuDeviceGet(&dev, 0) == CUDA_SUCCESS, "init");
    CUdeviceptr early;
    expect(cuMemAlloc(&early, 4) == CUDA_ERROR_INVALID_CONTEXT, "no current context: INVALID_CONTEXT");
    cuDevicePrimaryCtxRetain(&ctx, dev);
    cuCtxSetCurrent(ctx);
    int major = 0, sms = 0;
    cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
    cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev);
    expect(major == 9 && sms == 132, "H100 attributes");

    const char ptx[] = "// dummy image naming runtime_check_scale_add\n";
    CUmodule mod;
    CUfunction fn, other;
    expect(cuModuleLoadDataEx(&mod, ptx, 0, nullptr, nullptr) == CUDA_SUCCESS, "module loads");
    expect(cuModuleGetFunction(&fn, mod, "runtime_check_scale_add") == CUDA_SUCCESS, "kernel found");
    expect(cuModuleGetFunction(&other, mod, "nt_xent_normalize") == CUDA_ERROR_NOT_FOUND,
           "kernel of another module: NOT_FOUND");
    expect(cuModuleGetFunction(&other, mod, "no_such_kernel") == CUDA_ERROR_NOT_FOUND, "unknown name: NOT_FOUND");

    const long long n = 1000;
    float hx[n], hy[n], out[n];
    for (int i = 0; i < n; i++) { hx[i] = (float)i; hy[i] = 1.0f; }
    CUdeviceptr x, y;
    size_t free0, free1, total;
    cuMemGetInfo(&free0, &total);
    cuMemAlloc(&x, n * 4);
    cuMemAlloc(&y, n * 4);
    cuMemGetInfo(&free1, &total);
    expect(free0 - free1 == 2 * n * 4, "cuMemGetInfo follows allocations");
    expect(x % 256 == 0 && y % 256 == 0, "allocations 256-aligned");
    expect(cuMemcpyHtoD(x, hx, n * 4 + 4) == CUDA_ERROR_INVALID_VALUE, "copy past the allocation: INVALID_VALUE");
    cuMemcpyHtoD(x, hx, n * 4);
    cuMemcpyHtoD(y, hy, n * 4);
    float a = 2.0f;
    int bias = 3;
    long long count = n;
    void *params[] = {&x, &y, &count, &a, &bias};
    expect(cuLaunchKernel(fn, 4, 1, 1, 1025, 1, 1, 0, nullptr, params, nullptr) == CUDA_ERROR_INVALID_VALUE,
           "1025 threads: INVALID_VALUE");
    expect(cuLaunchKernel(fn, 4, 1, 1, 256, 1, 1, 48 * 1024 + 1, nullptr, params, nullptr) == CUDA_ERROR_INVALID_VALUE,
           "shared memory above 48 KiB without the attribute: INVALID_VALUE");
    expect(cuFuncSetAttribute(fn, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, 232449) == CUDA_ERROR_INVALID_VALUE,
           "attribute above 232448: INVALID_VALUE");
    expect(cuFuncSetAttribute(fn, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, 100000) == CUDA_SUCCESS,
           "attribute 100000");
    expect(cuLaunchKernel(fn, 2, 1, 1, 256, 1, 1, 100000, nullptr, params, nullptr) == CUDA_SUCCESS,
           "launch with 100000 B shared after the attribute");
    cuMemcpyDtoH(out, y, n * 4);
    bool ok = true;
    for (int i = 0; i < n; i++) ok &= out[i] == 2.0f * i + 1.0f + 3.0f;
    expect(ok, "scale_add result");
    long long over = n + 1;  // one element past y
    void *bad[] = {&x, &y, &over, &a, &bias};
    expect(cuLaunchKernel(fn, 4, 1, 1, 256, 1, 1, 0, nullptr, bad, nullptr) == CUDA_ERROR_ILLEGAL_ADDRESS,
           "write past the end: ILLEGAL_ADDRESS");
    CUdeviceptr junk = 12345;
    void *wild[] = {&junk, &y, &count, &a, &bias};
    expect(cuLaunchKernel(fn, 4, 1, 1, 256, 1, 1, 0, nullptr, wild, nullptr) == CUDA_ERROR_ILLEGAL_ADDRESS,
           "pointer argument outside every allocation: ILLEGAL_ADDRESS");
    expect(cuMemFree(x + 4) == CUDA_ERROR_INVALID_VALUE, "free of an inner pointer: INVALID_VALUE");
    // nt_xent_loss_finish needs NT_XENT_FINISH_SMEM = 8192 B of dynamic shared memory: given half,
    // the block runs into the guard page after its shared memory (the child process dies).
    CUmodule any;
    CUfunction finish;
    const char dummy[] = "an image naming no kernel";
    cuModuleLoadDataEx(&any, dummy, 0, nullptr, nullptr);
    cuModuleGetFunction(&finish, any, "nt_xent_loss_finish");
    pid_t child = fork();
    if (child == 0) {
        CUdeviceptr pm, pl, spos, lse, loss;
        int rows = 4, splits = 1;
        for (CUdeviceptr *b : {&pm, &pl, &spos, &lse}) cuMemAlloc(b, 16);
        cuMemAlloc(&loss, 4);
        float ones[4] = {1, 1, 1, 1};
        for (CUdeviceptr b : {pm, pl, spos}) cuMemcpyHtoD(b, ones, 16);
        void *fp[] = {&pm, &pl, &spos, &rows, &splits, &lse, &loss};
        freopen("/dev/null", "w", stderr);
        cuLaunchKernel(finish, 1, 1, 1, 1024, 1, 1, 4096, nullptr, fp, nullptr);
        _exit(0);
    }
    int st = 0;
    waitpid(child, &st, 0);
    expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "too little dynamic shared memory: the block faults");
    cuMemFree(x);
    cuMemFree(y);
    cuModuleUnload(mod);
    cuDevicePrimaryCtxRelease(dev);
    std::printf("%s\n", failures ? "FAILED" : "ALL PASSED");
    return failures != 0;
}
