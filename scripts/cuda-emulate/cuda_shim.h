// CPU emulation of the CUDA features pairwise_similarity.cu uses: one block at a time, one
// std::thread per CUDA thread, std::barrier for __syncthreads and warp exchanges.
#pragma once
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <vector>
#include <algorithm>
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))
struct dim3 { unsigned x = 0, y = 0, z = 0; };
thread_local dim3 threadIdx, blockIdx;
dim3 blockDim, gridDim;
struct float4 { float x, y, z, w; };
struct float2 { float x, y; };
inline float4 make_float4(float a, float b, float c, float d) { return {a, b, c, d}; }
template <class T> inline T __ldg(const T *p) { return *p; }
inline unsigned __float_as_uint(float f) { unsigned u; memcpy(&u, &f, 4); return u; }
inline float __uint_as_float(unsigned u) { float f; memcpy(&f, &u, 4); return f; }
inline float __int_as_float(int u) { float f; memcpy(&f, &u, 4); return f; }
inline int __popc(unsigned v) { return __builtin_popcount(v); }
inline int __popcll(unsigned long long v) { return __builtin_popcountll(v); }
inline int __ffs(unsigned v) { return __builtin_ffs(v); }
inline int __ffsll(unsigned long long v) { return __builtin_ffsll(v); }
using std::max; using std::min;
inline float fmaf(float a, float b, float c) { return std::fma(a, b, c); }

std::barrier<> *block_bar;
std::vector<std::unique_ptr<std::barrier<>>> warp_bar;
unsigned long long xbuf[64][32];   // per-warp exchange buffers
inline void __syncthreads() { block_bar->arrive_and_wait(); }
std::atomic<int> or_votes[2];
int or_phase;  // which of the two counters this round uses (flips every call)
inline int __syncthreads_or(bool p) {
    int ph = or_phase;
    if (p) or_votes[ph].fetch_add(1);
    block_bar->arrive_and_wait();
    int r = or_votes[ph].load() != 0;
    block_bar->arrive_and_wait();
    if (threadIdx.x == 0) { or_votes[ph] = 0; or_phase ^= 1; }
    block_bar->arrive_and_wait();
    return r;
}
inline int lane_id() { return threadIdx.x % 32; }
inline int warp_id() { return threadIdx.x / 32; }
template <class T> T exchange(T v, int src) {
    unsigned long long bits = 0; memcpy(&bits, &v, sizeof(T));
    xbuf[warp_id()][lane_id()] = bits;
    warp_bar[warp_id()]->arrive_and_wait();
    unsigned long long got = xbuf[warp_id()][src];
    warp_bar[warp_id()]->arrive_and_wait();
    T out; memcpy(&out, &got, sizeof(T)); return out;
}
template <class T> T __shfl_xor_sync(unsigned, T v, int m) { return exchange(v, lane_id() ^ m); }
template <class T> T __shfl_sync(unsigned, T v, int src) { return exchange(v, src); }
template <class T> T __shfl_up_sync(unsigned, T v, int d) { int s = lane_id() - d; return exchange(v, s < 0 ? lane_id() : s); }
inline unsigned __ballot_sync(unsigned, bool p) {
    xbuf[warp_id()][lane_id()] = p;
    warp_bar[warp_id()]->arrive_and_wait();
    unsigned r = 0; for (int l = 0; l < 32; l++) r |= (xbuf[warp_id()][l] ? 1u : 0u) << l;
    warp_bar[warp_id()]->arrive_and_wait();
    return r;
}
template <class T> T atomicAdd(T *p, T v) { return std::atomic_ref<T>(*p).fetch_add(v); }
template <class T> T atomicMax(T *p, T v) {
    std::atomic_ref<T> a(*p); T old = a.load();
    while (old < v && !a.compare_exchange_weak(old, v)) {}
    return old;
}
template <class T> T atomicMin(T *p, T v) {
    std::atomic_ref<T> a(*p); T old = a.load();
    while (old > v && !a.compare_exchange_weak(old, v)) {}
    return old;
}
// bf16
struct __nv_bfloat162 { unsigned short x, y; };
inline unsigned short f2bf(float f) {
    unsigned u = __float_as_uint(f);
    unsigned r = u + 0x7fff + ((u >> 16) & 1);  // round to nearest even (no NaN inputs)
    return (unsigned short)(r >> 16);
}
inline float bf2f(unsigned short b) { return __uint_as_float((unsigned)b << 16); }
inline __nv_bfloat162 __float22bfloat162_rn(float2 v) { return {f2bf(v.x), f2bf(v.y)}; }
// the three asm helpers, emulated
inline void cp_async16_emu(void *smem, const void *gmem, bool valid) {
    if (valid) memcpy(smem, gmem, 16); else memset(smem, 0, 16);
}
inline void ldmatrix_x4_emu(unsigned (&r)[4], const void *smem) {
    for (int q = 0; q < 4; q++) {
        const unsigned short *row = exchange((const unsigned short *)smem, 8 * q + (lane_id() >> 2));
        unsigned lo = row[2 * (lane_id() & 3)], hi = row[2 * (lane_id() & 3) + 1];
        r[q] = lo | (hi << 16);
    }
}
unsigned mmabuf[64][32][6];
inline void mma_bf16_emu(float (&c)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
    unsigned (*buf)[6] = mmabuf[warp_id()];
    for (int q = 0; q < 4; q++) buf[lane_id()][q] = a[q];
    buf[lane_id()][4] = b0; buf[lane_id()][5] = b1;
    warp_bar[warp_id()]->arrive_and_wait();
    float A[16][16], B[16][8];
    for (int L = 0; L < 32; L++) {
        int g = L >> 2, t = L & 3;
        for (int i = 0; i < 8; i++) {
            int row = (i < 2 || (i >= 4 && i < 6)) ? g : g + 8;
            int col = 2 * t + (i & 1) + (i >= 4 ? 8 : 0);
            A[row][col] = bf2f((unsigned short)(buf[L][i / 2] >> (16 * (i & 1))));
        }
        for (int i = 0; i < 4; i++) {
            int k = 2 * t + (i & 1) + (i >= 2 ? 8 : 0);
            B[k][g] = bf2f((unsigned short)(buf[L][4 + i / 2] >> (16 * (i & 1))));
        }
    }
    warp_bar[warp_id()]->arrive_and_wait();
    int g = lane_id() >> 2, t = lane_id() & 3;
    for (int e = 0; e < 4; e++) {
        int row = g + 8 * (e / 2), col = 2 * t + (e % 2);
        float s = c[e];
        for (int k = 0; k < 16; k++) s += A[row][k] * B[k][col];  // products exact in fp32
        c[e] = s;
    }
}
// launch: blocks one after another, one std::thread per CUDA thread
template <class F> void launch(int gx, int gy, int bx, F body) {
    gridDim = {(unsigned)gx, (unsigned)gy, 1}; blockDim = {(unsigned)bx, 1, 1};
    for (int by = 0; by < gy; by++)
        for (int b = 0; b < gx; b++) {
            std::barrier<> bar(bx);
            block_bar = &bar;
            warp_bar.clear();
            for (int w = 0; w < (bx + 31) / 32; w++) warp_bar.emplace_back(new std::barrier<>(std::min(32, bx - 32 * w)));
            std::vector<std::thread> ts;
            for (int t = 0; t < bx; t++)
                ts.emplace_back([&, t] {
                    threadIdx = {(unsigned)t, 0, 0}; blockIdx = {(unsigned)b, (unsigned)by, 0};
                    body();
                    block_bar->arrive_and_drop();
                    warp_bar[t / 32]->arrive_and_drop();
                });
            for (auto &th : ts) th.join();
        }
}
