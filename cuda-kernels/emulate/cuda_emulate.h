// The subset of CUDA that cuda-kernels/*.cu use, on the CPU, so kernels can be checked without a GPU
// (force-included by run.sh). Blocks run one after another; the threads of a block run as
// std::threads, __syncthreads is a std::barrier over the block, and each shuffle is an exchange
// between two barriers of its warp (so shuffles must be reached by all 32 lanes, as the kernels'
// full masks promise). Dynamic shared memory is one static array, refilled with NaN before every
// block so reads of unwritten shared memory show up in the results.
#pragma once
#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

using std::max;
using std::min;
#define __global__
#define __device__
#define __shared__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(...)

struct alignas(16) float4 {
    float x, y, z, w;
};
struct alignas(8) float2 {
    float x, y;
};
inline float4 make_float4(float a, float b, float c, float d) { return {a, b, c, d}; }
inline float2 make_float2(float a, float b) { return {a, b}; }
inline float __uint_as_float(unsigned u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

struct EmuDim3 {
    unsigned x, y, z;
};
extern thread_local EmuDim3 threadIdx, blockIdx;
extern EmuDim3 blockDim, gridDim;

namespace emu {
extern std::barrier<> *blockBarrier;
extern std::vector<std::unique_ptr<std::barrier<>>> warpBarriers;
extern float exchange[1024];
extern float mmaExchange[1024 * 8];

inline void warpSync() { warpBarriers[threadIdx.x >> 5]->arrive_and_wait(); }
}  // namespace emu

inline void __syncthreads() { emu::blockBarrier->arrive_and_wait(); }

inline float __shfl_xor_sync(unsigned, float v, int laneMask) {
    int t = threadIdx.x;
    emu::exchange[t] = v;
    emu::warpSync();
    float r = emu::exchange[(t & ~31) | ((t & 31) ^ laneMask)];
    emu::warpSync();
    return r;
}
