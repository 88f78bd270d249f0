// CPU emulation of the CUDA subset that cuda-kernels/*.cu use, for machines without a GPU. translate.py
// turns a .cu into C++ over this header; the harnesses launch its kernels with emu::launch.
//
// Execution: the blocks of a grid run one after another; the threads of a block run as one
// std::thread per CUDA thread (created once per launch and stepping through the blocks together).
// __syncthreads (and __syncthreads_or) is a barrier over the block; every warp exchange (shuffles, ballot, ldmatrix, mma) is a write / warp barrier / read /
// warp barrier sequence, so all lanes of a warp must reach it (the kernels' full masks promise
// that). A thread that returns drops out of its barriers, as an exited CUDA thread does.
//
// Shared memory: the dynamic part is a fresh heap allocation of exactly the launch's byte count per
// block (AddressSanitizer sees an overrun), the static __shared__ variables are carved from a per-block
// arena; both are filled with the pattern 0x7ff7ffff before each block (NaN as float, double and
// bf16, a huge int), so a read of shared memory the block has not written shows in the results.
//
// Tensor-core and asm stand-ins: cp.async (a plain copy, commit/wait are no-ops), ldmatrix.x4,
// mma.sync m16n8k16 bf16 (fp32 accumulate) and m16n8k8 tf32, cvt.rna.tf32, gathered across the warp
// with the fragment layouts of the PTX ISA. Their rounding is not the tensor cores' (see README.md).
#pragma once
#include <algorithm>
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};
inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

struct alignas(16) float4 { float x, y, z, w; };
struct alignas(8) float2 { float x, y; };
struct alignas(16) int4 { int x, y, z, w; };
struct alignas(16) uint4 { unsigned x, y, z, w; };
struct alignas(8) uint2 { unsigned x, y; };
inline float4 make_float4(float a, float b, float c, float d) { return {a, b, c, d}; }
inline float2 make_float2(float a, float b) { return {a, b}; }
inline int4 make_int4(int a, int b, int c, int d) { return {a, b, c, d}; }
inline uint2 make_uint2(unsigned a, unsigned b) { return {a, b}; }
using std::max;
using std::min;

// ---- intrinsics ----
template <class T> inline T __ldg(const T *p) { return *p; }
inline unsigned __float_as_uint(float f) { unsigned u; std::memcpy(&u, &f, 4); return u; }
inline float __uint_as_float(unsigned u) { float f; std::memcpy(&f, &u, 4); return f; }
inline float __int_as_float(int u) { float f; std::memcpy(&f, &u, 4); return f; }
inline int __float_as_int(float f) { int u; std::memcpy(&u, &f, 4); return u; }
inline int __popc(unsigned v) { return __builtin_popcount(v); }
inline int __popcll(unsigned long long v) { return __builtin_popcountll(v); }
inline int __ffs(unsigned v) { return __builtin_ffs((int)v); }
inline int __ffsll(unsigned long long v) { return __builtin_ffsll((long long)v); }
inline unsigned __byte_perm(unsigned x, unsigned y, unsigned s) {
    unsigned char b[8];
    for (int i = 0; i < 4; ++i) { b[i] = x >> (8 * i); b[4 + i] = y >> (8 * i); }
    unsigned r = 0;
    for (int i = 0; i < 4; ++i) r |= (unsigned)b[(s >> (4 * i)) & 7] << (8 * i);
    return r;
}
// 4 signed byte products added to c, wrapping like the device.
inline int __dp4a(int a, int b, int c) {
    unsigned acc = (unsigned)c;
    for (int i = 0; i < 4; ++i) acc += (unsigned)((int)(int8_t)(a >> (8 * i)) * (int)(int8_t)(b >> (8 * i)));
    return (int)acc;
}
// volatile: no contraction into an fma (the _rn forms are never contracted on the device either)
inline double __dadd_rn(double a, double b) { volatile double r = a + b; return r; }
inline double __dmul_rn(double a, double b) { volatile double r = a * b; return r; }
inline double __ddiv_rn(double a, double b) { volatile double r = a / b; return r; }
inline float __fadd_rn(float a, float b) { volatile float r = a + b; return r; }
inline float __fmul_rn(float a, float b) { volatile float r = a * b; return r; }

// ---- execution state ----
namespace emu {
// A block or warp barrier: arrival count under a mutex, waiting on an atomic generation (a futex),
// so a phase wakes its waiters at once. arrive_and_drop leaves for good (an exited thread).
class Barrier {
  public:
    explicit Barrier(int expected) : expected_(expected) {}
    void arrive_and_wait() {
        unsigned g;
        {
            std::lock_guard<std::mutex> lock(m_);
            g = gen_.load();
            if (++arrived_ == expected_) { advance(); return; }
        }
        while (gen_.load() == g) gen_.wait(g);
    }
    void arrive_and_drop() {
        std::lock_guard<std::mutex> lock(m_);
        if (--expected_ > 0 && arrived_ == expected_) advance();
    }

  private:
    void advance() {
        arrived_ = 0;
        gen_.fetch_add(1);
        gen_.notify_all();
    }
    std::mutex m_;
    std::atomic<unsigned> gen_{0};
    int arrived_ = 0, expected_;
};

constexpr int kMaxThreads = 1024;
constexpr unsigned kFill = 0x7ff7ffffu;
inline Barrier *blockBarrier;
inline std::vector<std::unique_ptr<Barrier>> warpBarriers;
inline unsigned long long xbuf[kMaxThreads];        // one exchange slot per thread
inline unsigned mmabuf[kMaxThreads][6];             // fragments gathered for an mma
inline std::atomic<int> orVotes[2];
inline int orPhase;
inline unsigned char *dynamicSmem;                  // this block's dynamic shared memory
alignas(16) inline unsigned char staticArena[48 << 10];
inline size_t staticUsed;
inline unsigned long long generation;               // one per block
inline std::mutex slotMutex;
inline dim3 currentBlock;                           // set up by the gate between blocks

inline void fill(void *p, size_t bytes) {
    unsigned char *b = static_cast<unsigned char *>(p);
    for (size_t i = 0; i < bytes; i++) b[i] = (unsigned char)(kFill >> (8 * (i & 3)));
}
inline int lane() { return threadIdx.x & 31; }
inline int warpBase() { return threadIdx.x & ~31; }
inline void warpSync() { warpBarriers[threadIdx.x >> 5]->arrive_and_wait(); }

// A static __shared__ variable (translate.py makes one per declaration): the same bytes for every
// thread of a block, new (pattern-filled) bytes for the next block.
template <class T> struct SharedSlot {
    unsigned long long gen = 0;
    size_t off = 0;
    T &get() {
        std::lock_guard<std::mutex> lock(slotMutex);
        if (gen != generation) {
            off = (staticUsed + 15) & ~size_t(15);
            if (off + sizeof(T) > sizeof(staticArena)) {
                std::fprintf(stderr, "emulator: static shared memory over %zu bytes\n", sizeof(staticArena));
                std::abort();
            }
            staticUsed = off + sizeof(T);
            fill(staticArena + off, sizeof(T));
            gen = generation;
        }
        return *reinterpret_cast<T *>(staticArena + off);
    }
};

// A block's dynamic shared memory. With EMU_SMEM_GUARD (the emulated driver, which runs without
// AddressSanitizer) it ends at a PROT_NONE page, so a kernel (or a launch that passes too small a
// size) touching bytes past the launch's count faults at once instead of corrupting the heap.
#ifdef EMU_SMEM_GUARD
}  // namespace emu
#include <sys/mman.h>
#include <unistd.h>
namespace emu {
inline void *smemMap;  // one block's buffer at a time
inline size_t smemMapLen;
inline unsigned char *smemAlloc(size_t bytes) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE), data = (bytes + page - 1) / page * page;
    void *m = mmap(nullptr, data + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) { std::perror("emulator: mmap"); std::abort(); }
    mprotect(static_cast<char *>(m) + data, page, PROT_NONE);
    smemMap = m;
    smemMapLen = data + page;
    return static_cast<unsigned char *>(m) + data - bytes;
}
inline void smemFree(unsigned char *p) {
    if (p) munmap(smemMap, smemMapLen);
}
#else
inline unsigned char *smemAlloc(size_t bytes) { return static_cast<unsigned char *>(std::aligned_alloc(16, bytes)); }
inline void smemFree(unsigned char *p) { std::free(p); }
#endif

// Runs kernel() for every block of grid and thread of the block, with smemBytes of dynamic shared
// memory. The block's threads are created once per launch and step through the blocks together; a
// gate barrier between blocks sets up the next block's barriers and shared memory.
template <class F> void launch(dim3 grid, int threads, size_t smemBytes, F kernel) {
    if (threads < 1 || threads > kMaxThreads) {
        std::fprintf(stderr, "emulator: %d threads per block\n", threads);
        std::abort();
    }
    gridDim = grid;
    blockDim = {(unsigned)threads, 1, 1};
    const long long blocks = (long long)grid.x * grid.y * grid.z;
    long long next = 0;  // the block the gate sets up
    std::unique_ptr<Barrier> bar;
    auto setup = [&]() noexcept {
        smemFree(dynamicSmem);
        dynamicSmem = nullptr;
        if (next == blocks) return;
        size_t bytes = (smemBytes + 15) & ~size_t(15);
        if (bytes) {
            dynamicSmem = smemAlloc(bytes);
            fill(dynamicSmem, smemBytes);
        }
        generation++;
        staticUsed = 0;
        orVotes[0] = orVotes[1] = 0;
        orPhase = 0;
        bar = std::make_unique<Barrier>(threads);
        blockBarrier = bar.get();
        warpBarriers.clear();
        for (int w = 0; w < (threads + 31) / 32; w++)
            warpBarriers.push_back(std::make_unique<Barrier>(std::min(32, threads - 32 * w)));
        long long b = next++;
        currentBlock = {(unsigned)(b % grid.x), (unsigned)(b / grid.x % grid.y), (unsigned)(b / ((long long)grid.x * grid.y))};
    };
    std::barrier<decltype(setup)> gate(threads, setup);
    std::vector<std::thread> ts;
    ts.reserve(threads);
    for (int t = 0; t < threads; t++)
        ts.emplace_back([&, t] {
            threadIdx = {(unsigned)t, 0, 0};
            for (long long b = 0; b < blocks; b++) {
                gate.arrive_and_wait();  // the last to arrive set up block b (blockIdx is per thread)
                blockIdx = currentBlock;
                kernel();
                blockBarrier->arrive_and_drop();
                warpBarriers[t / 32]->arrive_and_drop();
            }
            gate.arrive_and_wait();  // frees the last block's shared memory
        });
    for (auto &th : ts) th.join();
}
template <class F> void launch(int gx, int gy, int threads, F kernel) {
    launch(dim3{(unsigned)gx, (unsigned)gy, 1}, threads, 0, kernel);
}

template <class T> T exchange(T v, int srcLane) {
    unsigned long long bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    xbuf[threadIdx.x] = bits;
    warpSync();
    unsigned long long got = xbuf[warpBase() + srcLane];
    warpSync();
    T out;
    std::memcpy(&out, &got, sizeof(T));
    return out;
}
}  // namespace emu

// ---- synchronisation, warp primitives, atomics ----
inline void __syncthreads() { emu::blockBarrier->arrive_and_wait(); }
inline int __syncthreads_or(bool p) {
    int ph = emu::orPhase;
    if (p) emu::orVotes[ph].fetch_add(1);
    emu::blockBarrier->arrive_and_wait();
    int r = emu::orVotes[ph].load() != 0;
    emu::blockBarrier->arrive_and_wait();
    if (threadIdx.x == 0) { emu::orVotes[ph] = 0; emu::orPhase ^= 1; }
    emu::blockBarrier->arrive_and_wait();
    return r;
}
template <class T> T __shfl_xor_sync(unsigned, T v, int m) { return emu::exchange(v, emu::lane() ^ m); }
template <class T> T __shfl_sync(unsigned, T v, int src) { return emu::exchange(v, src & 31); }
template <class T> T __shfl_up_sync(unsigned, T v, int d) {
    int s = emu::lane() - d;
    return emu::exchange(v, s < 0 ? emu::lane() : s);
}
template <class T> T __shfl_down_sync(unsigned, T v, int d) {
    int s = emu::lane() + d;
    return emu::exchange(v, s > 31 ? emu::lane() : s);
}
inline unsigned __ballot_sync(unsigned, bool p) {
    emu::xbuf[threadIdx.x] = p;
    emu::warpSync();
    unsigned r = 0;
    for (int l = 0; l < 32; l++) r |= (emu::xbuf[emu::warpBase() + l] ? 1u : 0u) << l;
    emu::warpSync();
    return r;
}
inline int __any_sync(unsigned m, bool p) { return __ballot_sync(m, p) != 0; }
inline int __all_sync(unsigned m, bool p) { return __ballot_sync(m, p) == 0xffffffffu; }
template <class T> T atomicAdd(T *p, T v) { return std::atomic_ref<T>(*p).fetch_add(v); }
template <class T> T atomicMax(T *p, T v) {
    std::atomic_ref<T> a(*p);
    T old = a.load();
    while (old < v && !a.compare_exchange_weak(old, v)) {}
    return old;
}
template <class T> T atomicMin(T *p, T v) {
    std::atomic_ref<T> a(*p);
    T old = a.load();
    while (old > v && !a.compare_exchange_weak(old, v)) {}
    return old;
}

// ---- bf16 ----
struct __nv_bfloat162 { unsigned short x, y; };
inline unsigned short emu_f2bf(float f) {
    unsigned u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((u >> 16) | 0x40);  // NaN stays NaN
    unsigned r = u + 0x7fff + ((u >> 16) & 1);  // round to nearest even
    return (unsigned short)(r >> 16);
}
inline float emu_bf2f(unsigned short b) { return __uint_as_float((unsigned)b << 16); }
inline __nv_bfloat162 __float22bfloat162_rn(float2 v) { return {emu_f2bf(v.x), emu_f2bf(v.y)}; }

// ---- asm stand-ins (translate.py routes the kernels' asm helpers here) ----
namespace emu {
inline void cp_async16(void *smem, const void *gmem, bool valid) {
    if (valid) std::memcpy(smem, gmem, 16); else std::memset(smem, 0, 16);
}
// ldmatrix.sync.aligned.m8n8.x4.b16: lane l gives the row address of row l % 8 of matrix l / 8;
// register q of lane l holds elements 2 (l % 4), +1 of row l / 4 of matrix q.
inline void ldmatrix_x4(unsigned (&r)[4], const void *smem) {
    for (int q = 0; q < 4; q++) {
        const unsigned short *row = exchange((const unsigned short *)smem, 8 * q + (lane() >> 2));
        unsigned lo = row[2 * (lane() & 3)], hi = row[2 * (lane() & 3) + 1];
        r[q] = lo | (hi << 16);
    }
}
// mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32, g = lane / 4, t = lane % 4: A registers
// a0 (g, 2t..), a1 (g + 8, 2t..), a2 (g, 2t + 8..), a3 (g + 8, 2t + 8..); B b0 (k = 2t.., n = g),
// b1 (k = 2t + 8.., n = g); C c0 (g, 2t), c1 (g, 2t + 1), c2 (g + 8, 2t), c3 (g + 8, 2t + 1).
// Products of bf16 are exact in fp32; the sum is a sequential fp32 chain from c.
inline void mma_bf16_m16n8k16(float (&c)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
    unsigned (*buf)[6] = mmabuf + warpBase();
    for (int q = 0; q < 4; q++) buf[lane()][q] = a[q];
    buf[lane()][4] = b0;
    buf[lane()][5] = b1;
    warpSync();
    float A[16][16], B[16][8];
    for (int L = 0; L < 32; L++) {
        int g = L >> 2, t = L & 3;
        for (int i = 0; i < 8; i++) {
            int row = (i < 2 || (i >= 4 && i < 6)) ? g : g + 8;
            int col = 2 * t + (i & 1) + (i >= 4 ? 8 : 0);
            A[row][col] = emu_bf2f((unsigned short)(buf[L][i / 2] >> (16 * (i & 1))));
        }
        for (int i = 0; i < 4; i++) {
            int k = 2 * t + (i & 1) + (i >= 2 ? 8 : 0);
            B[k][g] = emu_bf2f((unsigned short)(buf[L][4 + i / 2] >> (16 * (i & 1))));
        }
    }
    warpSync();
    int g = lane() >> 2, t = lane() & 3;
    for (int e = 0; e < 4; e++) {
        int row = g + 8 * (e / 2), col = 2 * t + (e % 2);
        float s = c[e];
        for (int k = 0; k < 16; k++) s += A[row][k] * B[k][col];
        c[e] = s;
    }
}
// cvt.rna.tf32.f32: round to nearest, ties away from zero, to 10 mantissa bits (low 13 bits clear).
inline unsigned tf32_rna(float x) {
    unsigned u = __float_as_uint(x);
    if ((u & 0x7fffffffu) >= 0x7f800000u) return u;  // inf and NaN pass
    return (u + 0x1000u) & 0xffffe000u;
}
// mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32: A a0 (g, t), a1 (g + 8, t), a2 (g, t + 4),
// a3 (g + 8, t + 4); B b0 (k = t, n = g), b1 (k = t + 4, n = g); C as for bf16. The 8 products
// and d are summed in double, then rounded once (the tensor cores round differently).
inline void mma_tf32_m16n8k8(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) {
    unsigned (*buf)[6] = mmabuf + warpBase();
    for (int q = 0; q < 4; q++) buf[lane()][q] = a[q];
    buf[lane()][4] = b[0];
    buf[lane()][5] = b[1];
    warpSync();
    auto A = [&](int row, int k) { return __uint_as_float(buf[(row & 7) * 4 + (k & 3)][(row >> 3) + 2 * (k >> 2)]); };
    auto B = [&](int k, int n) { return __uint_as_float(buf[n * 4 + (k & 3)][4 + (k >> 2)]); };
    float r[4];
    for (int e = 0; e < 4; e++) {
        int row = (lane() >> 2) + (e >> 1) * 8, col = (lane() & 3) * 2 + (e & 1);
        double sum = d[e];
        for (int k = 0; k < 8; k++) sum += (double)A(row, k) * B(k, col);
        r[e] = (float)sum;
    }
    warpSync();
    for (int e = 0; e < 4; e++) d[e] = r[e];
}
}  // namespace emu

// ---- harness helpers ----
namespace emu {
// One PASS / FAIL line per case; totals for the summary.
inline int passed, failed;
inline bool report(bool ok, const char *family, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
inline bool report(bool ok, const char *family, const char *fmt, ...) {
    std::printf("%s %s ", ok ? "PASS" : "FAIL", family);
    va_list ap;
    va_start(ap, fmt);
    std::vprintf(fmt, ap);
    va_end(ap);
    std::printf("\n");
    std::fflush(stdout);
    (ok ? passed : failed)++;
    return ok;
}
// Added to every harness seed: EMU_SEED from the environment (run.sh passes it on), else 0.
inline unsigned seed() {
    static const unsigned s = [] {
        const char *e = std::getenv("EMU_SEED");
        return e ? (unsigned)std::strtoul(e, nullptr, 10) : 0u;
    }();
    return s;
}
inline int summary(const char *family) {
    std::printf("%s: %d passed, %d failed (EMU_SEED=%u)\n", family, passed, failed, seed());
    return failed != 0;
}
}  // namespace emu
