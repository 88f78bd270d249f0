// Emulated libcuda.so.1 for machines without a GPU: the driver API functions the Java bindings use
// (java/src/main/java/lessismore/cuda/Driver.java), with cuda.h's prototypes, over host memory;
// cuLaunchKernel runs the real kernels of cuda-kernels/*.cu through the CPU emulator (cuda_shim.h)
// via the table gen_dispatch.py writes from native/*.h. See ../README.md ("Emulated driver").
//
// Checks a real driver makes (and a few it cannot): launch configuration (block <= 1024 and the
// kernel's __launch_bounds__, grid limits, dynamic shared memory <= the cuFuncSetAttribute
// maximum, default 48 KiB, opt-in at most 232448), kernel names per module, copies and memsets
// inside one allocation, handles alive, a current context on the calling thread, every pointer
// argument inside a device allocation (or pinned host memory), and after each launch the bytes
// just past every allocation unchanged (a kernel writing out of bounds). Fresh device memory is
// filled with the shim's NaN pattern, not zeros. Reads far past an allocation hit a guard page
// (SIGSEGV: the JVM dies with an hs_err file naming the kernel).
// Environment: EMU_TRACE=1 prints every launch; EMU_LOG=FILE appends these lines to FILE, not stderr.
#include <cuda.h>

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "emu_driver.h"

namespace {
constexpr size_t kTotal = 85520809984ull;  // an H100 80GB's cuDeviceTotalMem
constexpr size_t kReserved = 512ull << 20; // the context's own use
constexpr int kDefaultSmem = 48 << 10, kOptinSmem = 232448;
constexpr unsigned char kCanary = 0xcd;

std::mutex mu;       // driver state
std::mutex launchMu; // the shim runs one grid at a time
bool initialised = false;
int primaryRefs = 0;
int ctxObject;
thread_local CUcontext current = nullptr;
bool trace = std::getenv("EMU_TRACE") && std::getenv("EMU_TRACE")[0] == '1';

struct Alloc {
    size_t size, padded;  // padded: size rounded up to 256, canary bytes after size
    void *map;
    size_t mapLen;
};
std::map<uintptr_t, Alloc> allocs;  // device allocations by start address
std::map<uintptr_t, size_t> pinned; // cuMemHostAlloc
size_t allocated = 0;

struct Module { std::string image; };
struct Function { const EmuKernel *k; int maxDynamicSmem = kDefaultSmem; };
struct Event { bool recorded = false; std::chrono::steady_clock::time_point t; };
std::set<Module *> modules;
std::set<Function *> functions;
std::set<void *> streams;
std::set<Event *> events;

void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void complain(const char *fmt, ...) {
    static FILE *log = [] {
        const char *path = std::getenv("EMU_LOG");
        FILE *f = path && *path ? std::fopen(path, "a") : nullptr;
        return f ? f : stderr;
    }();
    va_list ap;
    va_start(ap, fmt);
    std::fprintf(log, "[emulated libcuda] ");
    std::vfprintf(log, fmt, ap);
    std::fprintf(log, "\n");
    std::fflush(log);
    va_end(ap);
}

// The allocation holding [p, p + n), or null (n = 0: p may be its end).
const Alloc *deviceRange(uintptr_t p, size_t n, uintptr_t *base = nullptr) {
    auto it = allocs.upper_bound(p);
    if (it == allocs.begin()) return nullptr;
    --it;
    if (p - it->first > it->second.size || n > it->second.size - (p - it->first)) return nullptr;
    if (base) *base = it->first;
    return &it->second;
}
bool pinnedRange(uintptr_t p, size_t n) {
    auto it = pinned.upper_bound(p);
    if (it == pinned.begin()) return false;
    --it;
    return p - it->first <= it->second && n <= it->second - (p - it->first);
}
CUresult needContext() {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (current == nullptr || primaryRefs == 0) {
        complain("no current context on this thread (cuCtxSetCurrent missing?)");
        return CUDA_ERROR_INVALID_CONTEXT;
    }
    return CUDA_SUCCESS;
}
#define NEED_CONTEXT()                                      \
    do {                                                    \
        if (CUresult r_ = needContext()) return r_;         \
    } while (0)
size_t imageSize(const void *image) {
    const unsigned char *b = static_cast<const unsigned char *>(image);
    if (std::memcmp(b, "\x7f" "ELF", 4) == 0 && b[4] == 2) {  // 64-bit ELF: section headers are last
        uint64_t shoff;
        uint16_t shentsize, shnum;
        std::memcpy(&shoff, b + 0x28, 8);
        std::memcpy(&shentsize, b + 0x3a, 2);
        std::memcpy(&shnum, b + 0x3c, 2);
        return shoff + (size_t)shentsize * shnum;
    }
    return std::strlen(static_cast<const char *>(image));  // PTX text
}
bool imageNames(const std::string &image, const char *name) {
    size_t n = std::strlen(name);
    for (size_t at = image.find(name); at != std::string::npos; at = image.find(name, at + 1)) {
        char after = at + n < image.size() ? image[at + n] : '\0';
        if (!(std::isalnum((unsigned char)after) || after == '_')) return true;
    }
    return false;
}
}  // namespace

extern "C" {

CUresult cuGetErrorName(CUresult e, const char **s) {
    switch (e) {
#define E(x) case x: *s = #x; return CUDA_SUCCESS;
        E(CUDA_SUCCESS) E(CUDA_ERROR_INVALID_VALUE) E(CUDA_ERROR_OUT_OF_MEMORY) E(CUDA_ERROR_NOT_INITIALIZED)
        E(CUDA_ERROR_NO_DEVICE) E(CUDA_ERROR_INVALID_DEVICE) E(CUDA_ERROR_INVALID_IMAGE) E(CUDA_ERROR_INVALID_CONTEXT)
        E(CUDA_ERROR_INVALID_HANDLE) E(CUDA_ERROR_NOT_FOUND) E(CUDA_ERROR_NOT_READY) E(CUDA_ERROR_ILLEGAL_ADDRESS)
        E(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES) E(CUDA_ERROR_NOT_SUPPORTED) E(CUDA_ERROR_UNKNOWN)
#undef E
    default: *s = nullptr; return CUDA_ERROR_INVALID_VALUE;
    }
}
CUresult cuGetErrorString(CUresult e, const char **s) {
    const char *name;
    if (cuGetErrorName(e, &name) != CUDA_SUCCESS) { *s = nullptr; return CUDA_ERROR_INVALID_VALUE; }
    *s = e == CUDA_SUCCESS ? "no error" : "error reported by the emulated driver (see its stderr)";
    return CUDA_SUCCESS;
}
CUresult cuInit(unsigned int flags) {
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(mu);
    initialised = true;
    return CUDA_SUCCESS;
}
CUresult cuDriverGetVersion(int *v) {
    if (!v) return CUDA_ERROR_INVALID_VALUE;
    *v = CUDA_VERSION;
    return CUDA_SUCCESS;
}
CUresult cuDeviceGetCount(int *c) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (!c) return CUDA_ERROR_INVALID_VALUE;
    *c = 1;
    return CUDA_SUCCESS;
}
CUresult cuDeviceGet(CUdevice *d, int ordinal) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (!d) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
    *d = 0;
    return CUDA_SUCCESS;
}
CUresult cuDeviceGetName(char *name, int len, CUdevice d) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!name || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    std::snprintf(name, (size_t)len, "NVIDIA H100 80GB HBM3 (emulated)");
    return CUDA_SUCCESS;
}
CUresult cuDeviceGetAttribute(int *v, CUdevice_attribute a, CUdevice d) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!v || a <= 0 || a >= CU_DEVICE_ATTRIBUTE_MAX) return CUDA_ERROR_INVALID_VALUE;
    static const std::map<int, int> h100 = {
        {CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, 1024}, {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X, 1024},
        {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y, 1024}, {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z, 64},
        {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X, 2147483647}, {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y, 65535},
        {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z, 65535}, {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK, kDefaultSmem},
        {CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY, 65536}, {CU_DEVICE_ATTRIBUTE_WARP_SIZE, 32},
        {CU_DEVICE_ATTRIBUTE_MAX_PITCH, 2147483647}, {CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK, 65536},
        {CU_DEVICE_ATTRIBUTE_CLOCK_RATE, 1980000}, {CU_DEVICE_ATTRIBUTE_TEXTURE_ALIGNMENT, 512},
        {CU_DEVICE_ATTRIBUTE_GPU_OVERLAP, 1}, {CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 132},
        {CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY, 1}, {CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS, 1},
        {CU_DEVICE_ATTRIBUTE_ECC_ENABLED, 1}, {CU_DEVICE_ATTRIBUTE_PCI_BUS_ID, 0x18},
        {CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, 2619000}, {CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, 5120},
        {CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, 52428800}, {CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR, 2048},
        {CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT, 3}, {CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING, 1},
        {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 9}, {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, 0},
        {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR, 233472},
        {CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR, 65536}, {CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY, 1},
        {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, kOptinSmem},
        {CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR, 32},
    };
    auto it = h100.find(a);
    *v = it == h100.end() ? 0 : it->second;
    return CUDA_SUCCESS;
}
CUresult cuDeviceTotalMem(size_t *bytes, CUdevice d) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!bytes) return CUDA_ERROR_INVALID_VALUE;
    *bytes = kTotal;
    return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRetain(CUcontext *c, CUdevice d) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!c) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(mu);
    primaryRefs++;
    *c = reinterpret_cast<CUcontext>(&ctxObject);
    return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRelease(CUdevice d) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
    std::lock_guard<std::mutex> l(mu);
    if (primaryRefs == 0) {
        complain("cuDevicePrimaryCtxRelease without a matching retain");
        return CUDA_ERROR_INVALID_CONTEXT;
    }
    // The last release destroys the context and everything in it (a real driver does the same).
    if (--primaryRefs == 0) {
        if (!allocs.empty()) complain("primary context released with %zu device allocations open", allocs.size());
        for (auto &[p, a] : allocs) munmap(a.map, a.mapLen);
        allocs.clear();
        allocated = 0;
        for (Module *m : modules) delete m;
        modules.clear();
        for (Function *f : functions) delete f;
        functions.clear();
        streams.clear();
        for (Event *e : events) delete e;
        events.clear();
    }
    return CUDA_SUCCESS;
}
CUresult cuCtxSetCurrent(CUcontext c) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (c != nullptr && c != reinterpret_cast<CUcontext>(&ctxObject)) return CUDA_ERROR_INVALID_CONTEXT;
    current = c;
    return CUDA_SUCCESS;
}
CUresult cuCtxSynchronize(void) {
    NEED_CONTEXT();
    return CUDA_SUCCESS;
}
CUresult cuMemGetInfo(size_t *free, size_t *total) {
    NEED_CONTEXT();
    if (!free || !total) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(mu);
    *free = kTotal - kReserved - allocated;
    *total = kTotal;
    return CUDA_SUCCESS;
}

CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned int numOptions, CUjit_option *options,
                            void **optionValues) {
    NEED_CONTEXT();
    if (!module || !image || (numOptions && (!options || !optionValues))) return CUDA_ERROR_INVALID_VALUE;
    for (unsigned i = 0; i < numOptions; i++) {
        if (options[i] == CU_JIT_ERROR_LOG_BUFFER || options[i] == CU_JIT_INFO_LOG_BUFFER) {
            if (optionValues[i]) static_cast<char *>(optionValues[i])[0] = '\0';
        }
    }
    std::lock_guard<std::mutex> l(mu);
    Module *m = new Module{std::string(static_cast<const char *>(image), imageSize(image))};
    modules.insert(m);
    *module = reinterpret_cast<CUmodule>(m);
    return CUDA_SUCCESS;
}
CUresult cuModuleUnload(CUmodule h) {
    NEED_CONTEXT();
    std::lock_guard<std::mutex> l(mu);
    Module *m = reinterpret_cast<Module *>(h);
    if (!modules.erase(m)) return CUDA_ERROR_INVALID_HANDLE;
    delete m;
    return CUDA_SUCCESS;
}
// A name resolves when the generated table has it and the module's image contains it (an image
// that names none of the table's kernels, e.g. a test's dummy, resolves every table name).
CUresult cuModuleGetFunction(CUfunction *f, CUmodule h, const char *name) {
    NEED_CONTEXT();
    if (!f || !name) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(mu);
    Module *m = reinterpret_cast<Module *>(h);
    if (!modules.count(m)) return CUDA_ERROR_INVALID_HANDLE;
    bool knownImage = false;
    for (const EmuKernel *k = emu_kernels; k->name; k++) knownImage |= imageNames(m->image, k->name);
    for (const EmuKernel *k = emu_kernels; k->name; k++) {
        if (std::strcmp(k->name, name) == 0 && (!knownImage || imageNames(m->image, name))) {
            Function *fn = new Function{k};
            functions.insert(fn);
            *f = reinterpret_cast<CUfunction>(fn);
            return CUDA_SUCCESS;
        }
    }
    return CUDA_ERROR_NOT_FOUND;
}
CUresult cuFuncGetAttribute(int *v, CUfunction_attribute a, CUfunction h) {
    NEED_CONTEXT();
    std::lock_guard<std::mutex> l(mu);
    Function *f = reinterpret_cast<Function *>(h);
    if (!functions.count(f)) return CUDA_ERROR_INVALID_HANDLE;
    if (!v) return CUDA_ERROR_INVALID_VALUE;
    switch (a) {
    case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *v = f->k->maxThreads ? f->k->maxThreads : 1024; break;
    case CU_FUNC_ATTRIBUTE_NUM_REGS: *v = 32; break;  // not known to the emulator
    case CU_FUNC_ATTRIBUTE_PTX_VERSION: *v = 80; break;
    case CU_FUNC_ATTRIBUTE_BINARY_VERSION: *v = 90; break;
    case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: *v = f->maxDynamicSmem; break;
    default:
        if (a < 0 || a >= CU_FUNC_ATTRIBUTE_MAX) return CUDA_ERROR_INVALID_VALUE;
        *v = 0;
    }
    return CUDA_SUCCESS;
}
CUresult cuFuncSetAttribute(CUfunction h, CUfunction_attribute a, int value) {
    NEED_CONTEXT();
    std::lock_guard<std::mutex> l(mu);
    Function *f = reinterpret_cast<Function *>(h);
    if (!functions.count(f)) return CUDA_ERROR_INVALID_HANDLE;
    if (a == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES) {
        if (value < 0 || value > kOptinSmem) {
            complain("cuFuncSetAttribute(%s, MAX_DYNAMIC_SHARED_SIZE_BYTES, %d): above the opt-in maximum %d",
                     f->k->name, value, kOptinSmem);
            return CUDA_ERROR_INVALID_VALUE;
        }
        f->maxDynamicSmem = value;
        return CUDA_SUCCESS;
    }
    if (a == CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT) return CUDA_SUCCESS;
    return CUDA_ERROR_INVALID_VALUE;
}

CUresult cuLaunchKernel(CUfunction h, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
                        unsigned int by, unsigned int bz, unsigned int smem, CUstream stream, void **params,
                        void **extra) {
    NEED_CONTEXT();
    Function *f = reinterpret_cast<Function *>(h);
    std::vector<std::pair<uintptr_t, const Alloc *>> touched;
    {
        std::lock_guard<std::mutex> l(mu);
        if (!functions.count(f)) return CUDA_ERROR_INVALID_HANDLE;
        if (stream && !streams.count(stream)) return CUDA_ERROR_INVALID_HANDLE;
        const EmuKernel *k = f->k;
        unsigned long long threads = (unsigned long long)bx * by * bz;
        unsigned limit = k->maxThreads ? (unsigned)k->maxThreads : 1024;
        if (gx == 0 || gy == 0 || gz == 0 || gx > 2147483647u || gy > 65535 || gz > 65535 || bx == 0 || by == 0 ||
            bz == 0 || bx > 1024 || by > 1024 || bz > 64 || threads > 1024) {
            complain("%s: invalid launch configuration grid %ux%ux%u block %ux%ux%u", k->name, gx, gy, gz, bx, by, bz);
            return CUDA_ERROR_INVALID_VALUE;
        }
        if (threads > limit) {
            complain("%s: block of %llu threads above its __launch_bounds__ (%u)", k->name, threads, limit);
            return CUDA_ERROR_INVALID_VALUE;
        }
        if (smem > (unsigned)f->maxDynamicSmem) {
            complain("%s: %u B of dynamic shared memory above the function's maximum %d (cuFuncSetAttribute)",
                     k->name, smem, f->maxDynamicSmem);
            return CUDA_ERROR_INVALID_VALUE;
        }
        if (extra) {
            complain("%s: the emulator takes kernelParams only, not extra", k->name);
            return CUDA_ERROR_NOT_SUPPORTED;
        }
        size_t np = std::strlen(k->kinds);
        if (np && !params) return CUDA_ERROR_INVALID_VALUE;
        if (by != 1 || bz != 1) {
            complain("%s: the emulator runs 1-D blocks only (block %ux%ux%u)", k->name, bx, by, bz);
            return CUDA_ERROR_NOT_SUPPORTED;
        }
        std::string desc;
        for (size_t i = 0; i < np; i++) {
            char buf[64];
            switch (k->kinds[i]) {
            case 'p': {
                uintptr_t p = *static_cast<uintptr_t *>(params[i]);
                uintptr_t base;
                const Alloc *a = p ? deviceRange(p, 0, &base) : nullptr;
                if (p && !a && !pinnedRange(p, 0)) {
                    complain("%s: argument %zu (a pointer) is 0x%lx, not in any device allocation", k->name, i,
                             (unsigned long)p);
                    return CUDA_ERROR_ILLEGAL_ADDRESS;
                }
                if (a) touched.push_back({base, a});
                std::snprintf(buf, sizeof buf, "0x%lx", (unsigned long)p);
                break;
            }
            case 'i': std::snprintf(buf, sizeof buf, "%d", *static_cast<int *>(params[i])); break;
            case 'l': std::snprintf(buf, sizeof buf, "%lld", *static_cast<long long *>(params[i])); break;
            case 'f': std::snprintf(buf, sizeof buf, "%g", *static_cast<float *>(params[i])); break;
            default: std::snprintf(buf, sizeof buf, "%g", *static_cast<double *>(params[i]));
            }
            desc += (i ? ", " : "") + std::string(buf);
        }
        if (trace)
            complain("launch %s grid %ux%ux%u block %u smem %u (%s)", k->name, gx, gy, gz, bx, smem, desc.c_str());
    }
    {
        std::lock_guard<std::mutex> l(launchMu);
        f->k->run(dim3{gx, gy, gz}, (int)bx, smem, params);
    }
    for (auto &[base, a] : touched) {
        const unsigned char *end = reinterpret_cast<const unsigned char *>(base) + a->size;
        for (size_t i = 0; i < a->padded - a->size; i++) {
            if (end[i] != kCanary) {
                complain("%s wrote past the end of the %zu-byte allocation at 0x%lx (byte %zu after it)",
                         f->k->name, a->size, (unsigned long)base, i);
                return CUDA_ERROR_ILLEGAL_ADDRESS;
            }
        }
    }
    return CUDA_SUCCESS;
}

// Device memory: its own mapping, ending (after the canary bytes up to the next 256) at a
// PROT_NONE guard page; starts 256-aligned as cuMemAlloc's do.
CUresult cuMemAlloc(CUdeviceptr *dptr, size_t bytes) {
    NEED_CONTEXT();
    if (!dptr || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(mu);
    if (bytes > kTotal - kReserved - allocated) return CUDA_ERROR_OUT_OF_MEMORY;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t padded = (bytes + 255) & ~size_t(255);
    size_t data = (padded + page - 1) / page * page;
    void *map = mmap(nullptr, data + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED) return CUDA_ERROR_OUT_OF_MEMORY;
    mprotect(static_cast<char *>(map) + data, page, PROT_NONE);
    unsigned char *p = static_cast<unsigned char *>(map) + data - padded;
    emu::fill(p, bytes);
    std::memset(p + bytes, kCanary, padded - bytes);
    allocs[(uintptr_t)p] = Alloc{bytes, padded, map, data + page};
    allocated += bytes;
    *dptr = (CUdeviceptr)p;
    return CUDA_SUCCESS;
}
CUresult cuMemFree(CUdeviceptr p) {
    NEED_CONTEXT();
    std::lock_guard<std::mutex> l(mu);
    auto it = allocs.find((uintptr_t)p);
    if (it == allocs.end()) {
        complain("cuMemFree(0x%llx): not the start of a device allocation", (unsigned long long)p);
        return CUDA_ERROR_INVALID_VALUE;
    }
    allocated -= it->second.size;
    munmap(it->second.map, it->second.mapLen);
    allocs.erase(it);
    return CUDA_SUCCESS;
}
CUresult cuMemHostAlloc(void **p, size_t bytes, unsigned int flags) {
    NEED_CONTEXT();
    if (!p || bytes == 0 || (flags & ~7u)) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(mu);
    void *m = std::aligned_alloc(4096, (bytes + 4095) & ~size_t(4095));
    if (!m) return CUDA_ERROR_OUT_OF_MEMORY;
    pinned[(uintptr_t)m] = bytes;
    *p = m;
    return CUDA_SUCCESS;
}
CUresult cuMemFreeHost(void *p) {
    NEED_CONTEXT();
    std::lock_guard<std::mutex> l(mu);
    if (!pinned.erase((uintptr_t)p)) {
        complain("cuMemFreeHost(%p): not a cuMemHostAlloc pointer", p);
        return CUDA_ERROR_INVALID_VALUE;
    }
    std::free(p);
    return CUDA_SUCCESS;
}

namespace {
static CUresult checkDevice(const char *what, CUdeviceptr p, size_t n) {
    std::lock_guard<std::mutex> l(mu);
    if (!deviceRange((uintptr_t)p, n)) {
        complain("%s: [0x%llx, +%zu) is not inside one device allocation", what, (unsigned long long)p, n);
        return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}
static CUresult checkStream(CUstream s) {
    std::lock_guard<std::mutex> l(mu);
    return !s || streams.count(s) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}
}  // namespace

CUresult cuMemcpyHtoD(CUdeviceptr dst, const void *src, size_t n) {
    NEED_CONTEXT();
    if (n == 0) return CUDA_SUCCESS;
    if (CUresult r = checkDevice("cuMemcpyHtoD", dst, n)) return r;
    std::memcpy(reinterpret_cast<void *>(dst), src, n);
    return CUDA_SUCCESS;
}
CUresult cuMemcpyDtoH(void *dst, CUdeviceptr src, size_t n) {
    NEED_CONTEXT();
    if (n == 0) return CUDA_SUCCESS;
    if (CUresult r = checkDevice("cuMemcpyDtoH", src, n)) return r;
    std::memcpy(dst, reinterpret_cast<const void *>(src), n);
    return CUDA_SUCCESS;
}
CUresult cuMemcpyHtoDAsync(CUdeviceptr dst, const void *src, size_t n, CUstream s) {
    if (CUresult r = checkStream(s)) return r;
    return cuMemcpyHtoD(dst, src, n);
}
CUresult cuMemcpyDtoHAsync(void *dst, CUdeviceptr src, size_t n, CUstream s) {
    if (CUresult r = checkStream(s)) return r;
    return cuMemcpyDtoH(dst, src, n);
}
CUresult cuMemsetD8(CUdeviceptr dst, unsigned char c, size_t n) {
    NEED_CONTEXT();
    if (n == 0) return CUDA_SUCCESS;
    if (CUresult r = checkDevice("cuMemsetD8", dst, n)) return r;
    std::memset(reinterpret_cast<void *>(dst), c, n);
    return CUDA_SUCCESS;
}
CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char c, size_t n, CUstream s) {
    if (CUresult r = checkStream(s)) return r;
    return cuMemsetD8(dst, c, n);
}

CUresult cuStreamCreate(CUstream *s, unsigned int flags) {
    NEED_CONTEXT();
    if (!s || (flags & ~1u)) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(mu);
    void *h = new char[1];
    streams.insert(h);
    *s = reinterpret_cast<CUstream>(h);
    return CUDA_SUCCESS;
}
CUresult cuStreamDestroy(CUstream s) {
    NEED_CONTEXT();
    std::lock_guard<std::mutex> l(mu);
    if (!streams.erase(s)) return CUDA_ERROR_INVALID_HANDLE;
    delete[] reinterpret_cast<char *>(s);
    return CUDA_SUCCESS;
}
CUresult cuStreamSynchronize(CUstream s) {
    NEED_CONTEXT();
    return checkStream(s);
}
CUresult cuEventCreate(CUevent *e, unsigned int flags) {
    NEED_CONTEXT();
    if (!e || (flags & ~0xfu)) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(mu);
    Event *ev = new Event;
    events.insert(ev);
    *e = reinterpret_cast<CUevent>(ev);
    return CUDA_SUCCESS;
}
CUresult cuEventDestroy(CUevent h) {
    NEED_CONTEXT();
    std::lock_guard<std::mutex> l(mu);
    Event *e = reinterpret_cast<Event *>(h);
    if (!events.erase(e)) return CUDA_ERROR_INVALID_HANDLE;
    delete e;
    return CUDA_SUCCESS;
}
CUresult cuEventRecord(CUevent h, CUstream s) {
    NEED_CONTEXT();
    if (CUresult r = checkStream(s)) return r;
    std::lock_guard<std::mutex> l(mu);
    Event *e = reinterpret_cast<Event *>(h);
    if (!events.count(e)) return CUDA_ERROR_INVALID_HANDLE;
    e->recorded = true;
    e->t = std::chrono::steady_clock::now();
    return CUDA_SUCCESS;
}
CUresult cuEventSynchronize(CUevent h) {
    NEED_CONTEXT();
    std::lock_guard<std::mutex> l(mu);
    return events.count(reinterpret_cast<Event *>(h)) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}
// Wall time of the emulation between the two records (nothing like the GPU's).
CUresult cuEventElapsedTime(float *ms, CUevent a, CUevent b) {
    NEED_CONTEXT();
    std::lock_guard<std::mutex> l(mu);
    Event *ea = reinterpret_cast<Event *>(a), *eb = reinterpret_cast<Event *>(b);
    if (!ms) return CUDA_ERROR_INVALID_VALUE;
    if (!events.count(ea) || !events.count(eb)) return CUDA_ERROR_INVALID_HANDLE;
    if (!ea->recorded || !eb->recorded) return CUDA_ERROR_INVALID_HANDLE;
    *ms = std::chrono::duration<float, std::milli>(eb->t - ea->t).count();
    return CUDA_SUCCESS;
}
// Older CUDA: the unversioned name (Driver.java falls back to it).
#ifdef cuEventElapsedTime
#undef cuEventElapsedTime
CUresult cuEventElapsedTime(float *ms, CUevent a, CUevent b) { return cuEventElapsedTime_v2(ms, a, b); }
#endif
}  // extern "C"
