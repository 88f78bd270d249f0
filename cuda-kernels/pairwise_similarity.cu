// Pairwise cosine similarity of L2-normalised embeddings (max over earlier rows, edges above a
// threshold, top k) and Hamming distance of packed hashes, over all pairs without materialising
// the n x n matrix. Conventions (shapes, keys, the fp32 dot-product order) are in
// native/pairwise_similarity.h; the Java reference is lessismore.kernels.PairwiseSimilarity.
#include "pairwise_similarity.h"

#include <cuda_bf16.h>
#include <stdint.h>

namespace {

constexpr int TILE = 128;     // rows and columns of one block tile
constexpr int THREADS = 256;  // threads of a tiled block

// Float bits mapped so that unsigned order equals float order (negative floats reversed).
__device__ __forceinline__ unsigned int ordered(float v) {
    unsigned int b = __float_as_uint(v);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

__device__ __forceinline__ float unordered(unsigned int o) {
    return __uint_as_float((o & 0x80000000u) ? (o & 0x7fffffffu) : ~o);
}

// Larger score wins, then smaller j (0xffffffff - j is larger); 0 is below every real key.
__device__ __forceinline__ unsigned long long make_key(float v, int j) {
    return ((unsigned long long)ordered(v) << 32) | (unsigned long long)(0xffffffffu - (unsigned int)j);
}

__device__ __forceinline__ bool same_volume(const int *volume, int i, int j) {
    return volume == nullptr || volume[i] == volume[j];
}

// The one fp32 cosine every kernel agrees on: a sequential fma chain over k = 0..ld-1 (ld % 4 == 0).
__device__ __forceinline__ float dot_chain(const float *__restrict__ a, const float *__restrict__ b, int ld) {
    const float4 *a4 = reinterpret_cast<const float4 *>(a);
    const float4 *b4 = reinterpret_cast<const float4 *>(b);
    float acc = 0.0f;
    for (int k = 0; k < ld / 4; k++) {
        float4 p = __ldg(a4 + k), q = __ldg(b4 + k);
        acc = fmaf(p.x, q.x, acc);
        acc = fmaf(p.y, q.y, acc);
        acc = fmaf(p.z, q.z, acc);
        acc = fmaf(p.w, q.w, acc);
    }
    return acc;
}

// Block b of the lower triangle of T x T tiles -> (bi, bj), bj <= bi, row-major order.
__device__ __forceinline__ void triangle_tile(int b, int &bi, int &bj) {
    int i = (int)((sqrt(8.0 * (double)b + 1.0) - 1.0) * 0.5);
    while ((long long)i * (i + 1) / 2 > b) i--;
    while ((long long)(i + 1) * (i + 2) / 2 <= b) i++;
    bi = i;
    bj = b - (int)((long long)i * (i + 1) / 2);
}

// True when the row tile and the column tile share no volume id (their id ranges are disjoint),
// so the block has no candidate pair at all. Uniform over the block; all threads must call it.
__device__ bool tiles_disjoint(const int *volume, int n, int row0, int col0) {
    __shared__ int lo[2], hi[2];
    if (volume == nullptr) return false;
    if (threadIdx.x < 2) {
        lo[threadIdx.x] = 0x7fffffff;
        hi[threadIdx.x] = (int)0x80000000;
    }
    __syncthreads();
    int side = threadIdx.x / TILE;  // 0: rows, 1: columns
    int r = (side == 0 ? row0 : col0) + (int)(threadIdx.x % TILE);
    if (r < n) {
        atomicMin(&lo[side], volume[r]);
        atomicMax(&hi[side], volume[r]);
    }
    __syncthreads();
    bool disjoint = hi[0] < lo[1] || hi[1] < lo[0];
    __syncthreads();
    return disjoint;
}

// Appends one edge (count counts past capacity).
__device__ __forceinline__ void put_edge(unsigned long long *count, int *row, int *col, float *score, int capacity, int r, int c,
                                         float v) {
    unsigned long long p = atomicAdd(count, 1ull);
    if (p < capacity) {
        row[p] = r;
        col[p] = c;
        score[p] = v;
    }
}

// ---- fp32 tiled: 128 x 128 block tile, 8 x 8 per thread, k step 8, double-buffered shared ------

constexpr int BK32 = 8;
constexpr int PAD32 = TILE + 4;  // row stride of the k-major shared tiles, conflict-free stores

enum class Epilogue { MAX_EARLIER, EDGES };

// Thread (ty, tx) of a 16 x 16 grid owns rows ty*4+{0..3}, 64+ty*4+{0..3} and columns likewise
// with tx, so both shared reads are float4 and the 16 threads sharing rows are one half-warp.
__device__ __forceinline__ int own(int t, int q) { return (q < 4 ? 0 : 64) + t * 4 + (q & 3); }

// MAX_EARLIER with active_count != NULL computes only rows with active_count[r] > active_cap
// (the bf16 path's overflowed rows); blocks without such a row leave at once.
template <Epilogue E>
__device__ void tiled_f32(const float *__restrict__ x, int n, int ld, const int *__restrict__ volume,
                          unsigned long long *keys, const int *active_count, int active_cap, float tau, unsigned long long *count,
                          int *orow, int *ocol, float *oscore, int capacity) {
    __shared__ __align__(16) float As[2][BK32][PAD32];
    __shared__ __align__(16) float Bs[2][BK32][PAD32];
    int bi, bj;
    triangle_tile(blockIdx.x, bi, bj);
    const int row0 = bi * TILE, col0 = bj * TILE;
    if (tiles_disjoint(volume, n, row0, col0)) return;
    if (E == Epilogue::MAX_EARLIER && active_count != nullptr) {
        const int r = row0 + (int)(threadIdx.x % TILE);
        if (!__syncthreads_or(r < n && active_count[r] > active_cap)) return;
    }

    const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    // Global -> shared: thread loads one float4 of a row for A and one for B per k step.
    const int lr = tid / 2, lk = (tid % 2) * 4;
    const bool arow = row0 + lr < n, brow = col0 + lr < n;
    const float *ap = x + (size_t)(arow ? row0 + lr : 0) * ld + lk;
    const float *bp = x + (size_t)(brow ? col0 + lr : 0) * ld + lk;
    const float4 zero = make_float4(0.f, 0.f, 0.f, 0.f);

    float acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[i][j] = 0.0f;

    float4 ra = arow ? __ldg(reinterpret_cast<const float4 *>(ap)) : zero;
    float4 rb = brow ? __ldg(reinterpret_cast<const float4 *>(bp)) : zero;
    As[0][lk + 0][lr] = ra.x; As[0][lk + 1][lr] = ra.y; As[0][lk + 2][lr] = ra.z; As[0][lk + 3][lr] = ra.w;
    Bs[0][lk + 0][lr] = rb.x; Bs[0][lk + 1][lr] = rb.y; Bs[0][lk + 2][lr] = rb.z; Bs[0][lk + 3][lr] = rb.w;
    __syncthreads();

    const int steps = ld / BK32;
    for (int s = 0; s < steps; s++) {
        const int cur = s & 1;
        if (s + 1 < steps) {  // prefetch the next k step into registers while computing this one
            ra = arow ? __ldg(reinterpret_cast<const float4 *>(ap + (s + 1) * BK32)) : zero;
            rb = brow ? __ldg(reinterpret_cast<const float4 *>(bp + (s + 1) * BK32)) : zero;
        }
#pragma unroll
        for (int k = 0; k < BK32; k++) {
            float a[8], b[8];
            float4 t0 = *reinterpret_cast<const float4 *>(&As[cur][k][ty * 4]);
            float4 t1 = *reinterpret_cast<const float4 *>(&As[cur][k][64 + ty * 4]);
            float4 u0 = *reinterpret_cast<const float4 *>(&Bs[cur][k][tx * 4]);
            float4 u1 = *reinterpret_cast<const float4 *>(&Bs[cur][k][64 + tx * 4]);
            a[0] = t0.x; a[1] = t0.y; a[2] = t0.z; a[3] = t0.w; a[4] = t1.x; a[5] = t1.y; a[6] = t1.z; a[7] = t1.w;
            b[0] = u0.x; b[1] = u0.y; b[2] = u0.z; b[3] = u0.w; b[4] = u1.x; b[5] = u1.y; b[6] = u1.z; b[7] = u1.w;
#pragma unroll
            for (int i = 0; i < 8; i++)
#pragma unroll
                for (int j = 0; j < 8; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        if (s + 1 < steps) {
            const int nxt = cur ^ 1;  // last read two steps ago; the barrier below orders it
            As[nxt][lk + 0][lr] = ra.x; As[nxt][lk + 1][lr] = ra.y; As[nxt][lk + 2][lr] = ra.z; As[nxt][lk + 3][lr] = ra.w;
            Bs[nxt][lk + 0][lr] = rb.x; Bs[nxt][lk + 1][lr] = rb.y; Bs[nxt][lk + 2][lr] = rb.z; Bs[nxt][lk + 3][lr] = rb.w;
        }
        __syncthreads();
    }

    if (E == Epilogue::MAX_EARLIER) {
#pragma unroll
        for (int i = 0; i < 8; i++) {
            const int r = row0 + own(ty, i);
            unsigned long long best = 0;
            if (r < n && (active_count == nullptr || active_count[r] > active_cap)) {
#pragma unroll
                for (int j = 0; j < 8; j++) {  // columns ascending, so '>' keeps the smallest j
                    const int c = col0 + own(tx, j);
                    if (c < r && same_volume(volume, r, c)) {
                        unsigned long long key = make_key(acc[i][j], c);
                        best = key > best ? key : best;
                    }
                }
            }
#pragma unroll
            for (int m = 8; m >= 1; m >>= 1) {  // the 16 lanes of this half-warp share row r
                unsigned long long o = __shfl_xor_sync(0xffffffffu, best, m);
                best = o > best ? o : best;
            }
            if (tx == 0 && best != 0) atomicMax(keys + r, best);
        }
    } else {
        int hits = 0;
#pragma unroll
        for (int i = 0; i < 8; i++) {
            const int r = row0 + own(ty, i);
#pragma unroll
            for (int j = 0; j < 8; j++) {
                const int c = col0 + own(tx, j);
                hits += (r < n && c < r && acc[i][j] >= tau && same_volume(volume, r, c)) ? 1 : 0;
            }
        }
        if (hits == 0) return;
        unsigned long long p = atomicAdd(count, (unsigned long long)hits);  // one atomic per thread, then its edges in slots p..
#pragma unroll
        for (int i = 0; i < 8; i++) {
            const int r = row0 + own(ty, i);
#pragma unroll
            for (int j = 0; j < 8; j++) {
                const int c = col0 + own(tx, j);
                if (r < n && c < r && acc[i][j] >= tau && same_volume(volume, r, c)) {
                    if (p < capacity) {
                        orow[p] = r;
                        ocol[p] = c;
                        oscore[p] = acc[i][j];
                    }
                    p++;
                }
            }
        }
    }
}

// ---- bf16 tensor cores: mma.sync m16n8k16, 128 x 128 block tile, 8 warps of 64 x 32 ------------

constexpr int BK16 = 32;         // k per shared stage (two mma k-steps)
constexpr int PAD16 = BK16 + 8;  // row stride in bf16: 80 bytes, ldmatrix rows hit distinct banks

__device__ __forceinline__ void cp_async16(void *smem, const void *gmem, bool valid) {
    unsigned int s = (unsigned int)__cvta_generic_to_shared(smem);
    int bytes = valid ? 16 : 0;  // 0 source bytes: the 16 destination bytes are zero-filled
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(s), "l"(gmem), "r"(bytes));
}

__device__ __forceinline__ void ldmatrix_x4(unsigned int (&r)[4], const void *smem) {
    unsigned int s = (unsigned int)__cvta_generic_to_shared(smem);
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(s));
}

__device__ __forceinline__ void mma_bf16(float (&c)[4], const unsigned int (&a)[4], unsigned int b0,
                                         unsigned int b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Loads rows row0.. and col0.. of k-columns k0..k0+31 into one stage (2 x 16-byte chunks per
// thread and matrix; rows past n are zero).
__device__ __forceinline__ void load_stage16(const unsigned short *xb, int n, int ld, int row0, int col0, int k0,
                                             unsigned short (*As)[PAD16], unsigned short (*Bs)[PAD16]) {
#pragma unroll
    for (int h = 0; h < 2; h++) {
        const int c = threadIdx.x + h * THREADS;  // 512 chunks = 128 rows x 4 chunks of 8 bf16
        const int r = c >> 2, part = (c & 3) * 8;
        const bool av = row0 + r < n, bv = col0 + r < n;
        cp_async16(&As[r][part], xb + (size_t)(av ? row0 + r : 0) * ld + k0 + part, av);
        cp_async16(&Bs[r][part], xb + (size_t)(bv ? col0 + r : 0) * ld + k0 + part, bv);
    }
    asm volatile("cp.async.commit_group;\n" ::);
}

// acc[mt][nt][e]: warp (wm, wn) = (warp / 4, warp % 4) covers rows wm*64 + mt*16 + g + 8*(e/2) and
// columns wn*32 + nt*8 + 2*t4 + (e%2) of the block tile, g = lane / 4, t4 = lane % 4 (the mma C
// fragment layout).
__device__ void mma_tile(const unsigned short *__restrict__ xb, int n, int ld, int row0, int col0,
                         float (&acc)[4][4][4]) {
    __shared__ __align__(16) unsigned short As[2][TILE][PAD16];
    __shared__ __align__(16) unsigned short Bs[2][TILE][PAD16];
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, wm = warp / 4, wn = warp % 4;
#pragma unroll
    for (int a = 0; a < 4; a++)
#pragma unroll
        for (int b = 0; b < 4; b++)
#pragma unroll
            for (int e = 0; e < 4; e++) acc[a][b][e] = 0.0f;

    // ldmatrix row addresses. A (16 x 16, 4 matrices): lanes 0-15 rows 0-15 at k 0, lanes 16-31
    // rows 0-15 at k 8 -> registers a0..a3 = (rows 0-7,k0) (8-15,k0) (0-7,k8) (8-15,k8).
    // B (two n8 tiles, stored [n][k]): lanes 0-7 n 0-7 k0, 8-15 n 0-7 k8, 16-23 n 8-15 k0,
    // 24-31 n 8-15 k8 -> b0,b1 of the first n tile then of the second.
    const int a_row = wm * 64 + (lane & 15), a_k = (lane >> 4) * 8;
    const int b_row = wn * 32 + (lane & 7) + (lane >> 4) * 8, b_k = ((lane >> 3) & 1) * 8;

    const int steps = ld / BK16;
    load_stage16(xb, n, ld, row0, col0, 0, As[0], Bs[0]);
    for (int s = 0; s < steps; s++) {
        const int cur = s & 1;
        if (s + 1 < steps) {
            load_stage16(xb, n, ld, row0, col0, (s + 1) * BK16, As[cur ^ 1], Bs[cur ^ 1]);
            asm volatile("cp.async.wait_group 1;\n" ::);
        } else {
            asm volatile("cp.async.wait_group 0;\n" ::);
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK16; kk += 16) {
            unsigned int a[4][4], b[2][4];
#pragma unroll
            for (int mt = 0; mt < 4; mt++) ldmatrix_x4(a[mt], &As[cur][a_row + mt * 16][kk + a_k]);
#pragma unroll
            for (int p = 0; p < 2; p++) ldmatrix_x4(b[p], &Bs[cur][b_row + p * 16][kk + b_k]);
#pragma unroll
            for (int mt = 0; mt < 4; mt++)
#pragma unroll
                for (int nt = 0; nt < 4; nt++)
                    mma_bf16(acc[mt][nt], a[mt], b[nt / 2][(nt % 2) * 2], b[nt / 2][(nt % 2) * 2 + 1]);
        }
        __syncthreads();  // the next iteration's cp.async overwrites the stage just read
    }
}

}  // namespace

// ================================ max over earlier rows ==========================================

extern "C" __global__ void __launch_bounds__(256) pairwise_similarity_max_earlier_simple(
    const float *x, int n, int ld, const int *volume, unsigned long long *keys) {
    const int i = blockIdx.x;
    if (i >= n) return;
    unsigned long long best = 0;
    for (int j = threadIdx.x; j < i; j += blockDim.x) {
        if (!same_volume(volume, i, j)) continue;
        unsigned long long key = make_key(dot_chain(x + (size_t)i * ld, x + (size_t)j * ld, ld), j);
        best = key > best ? key : best;
    }
    if (best != 0) atomicMax(keys + i, best);
}

extern "C" __global__ void __launch_bounds__(256, 2) pairwise_similarity_max_earlier_f32(
    const float *x, int n, int ld, const int *volume, unsigned long long *keys, const int *active_count,
    int active_cap) {
    tiled_f32<Epilogue::MAX_EARLIER>(x, n, ld, volume, keys, active_count, active_cap, 0.0f, nullptr, nullptr,
                                     nullptr, nullptr, 0);
}

extern "C" __global__ void pairwise_similarity_keys_decode(const unsigned long long *keys, int n, float *max,
                                                           int *argmax) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    unsigned long long k = keys[i];
    if (k == 0) {
        max[i] = __int_as_float(0xff800000);  // -Infinity
        argmax[i] = -1;
    } else {
        max[i] = unordered((unsigned int)(k >> 32));
        argmax[i] = (int)(0xffffffffu - (unsigned int)(k & 0xffffffffu));
    }
}

// ================================ bf16 + fp32 re-check ===========================================

extern "C" __global__ void pairwise_similarity_to_bf16(const float *x, long long elements, unsigned short *xb) {
    const long long p = (long long)(blockIdx.x * (long long)blockDim.x + threadIdx.x) * 2;
    if (p >= elements) return;  // elements is even (ld % 32 == 0)
    float2 v = *reinterpret_cast<const float2 *>(x + p);
    __nv_bfloat162 b = __float22bfloat162_rn(v);
    *reinterpret_cast<__nv_bfloat162 *>(xb + p) = b;
}

extern "C" __global__ void pairwise_similarity_max_earlier_bf16_init(const float *x, int n, int ld,
                                                                     const int *volume, float margin,
                                                                     unsigned int *est, int *count) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    unsigned int e = 0;
    if (i > 0 && same_volume(volume, i, i - 1))
        e = ordered(dot_chain(x + (size_t)i * ld, x + (size_t)(i - 1) * ld, ld) - margin);
    est[i] = e;
    count[i] = 0;
}

extern "C" __global__ void __launch_bounds__(256, 2) pairwise_similarity_max_earlier_bf16(
    const unsigned short *xb, int n, int ld, const int *volume, float window, unsigned int *est, int *count,
    int *cand, int cap) {
    __shared__ unsigned int rowmax[TILE];
    int bi, bj;
    triangle_tile(blockIdx.x, bi, bj);
    const int row0 = bi * TILE, col0 = bj * TILE;
    if (tiles_disjoint(volume, n, row0, col0)) return;
    float acc[4][4][4];
    mma_tile(xb, n, ld, row0, col0, acc);

    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, wm = warp / 4, wn = warp % 4;
    const int g = lane >> 2, t4 = lane & 3;
    if (threadIdx.x < TILE) rowmax[threadIdx.x] = 0;
    __syncthreads();
    // Block-local maximum per row: over this thread's 8 columns, the 4 lanes of the quad, then
    // the 4 warps sharing the rows (shared atomicMax on ordered bits).
#pragma unroll
    for (int mt = 0; mt < 4; mt++)
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int rl = wm * 64 + mt * 16 + g + 8 * h, r = row0 + rl;
            unsigned int m = 0;
#pragma unroll
            for (int nt = 0; nt < 4; nt++)
#pragma unroll
                for (int e = 0; e < 2; e++) {
                    const int c = col0 + wn * 32 + nt * 8 + 2 * t4 + e;
                    if (r < n && c < r && same_volume(volume, r, c)) m = max(m, ordered(acc[mt][nt][2 * h + e]));
                }
            m = max(m, __shfl_xor_sync(0xffffffffu, m, 1));
            m = max(m, __shfl_xor_sync(0xffffffffu, m, 2));
            if (t4 == 0 && m != 0) atomicMax(&rowmax[rl], m);
        }
    __syncthreads();
    // Running global maximum (never above the final bf16 maximum), then the local threshold.
    if (threadIdx.x < TILE && rowmax[threadIdx.x] != 0) {
        unsigned int old = atomicMax(est + row0 + threadIdx.x, rowmax[threadIdx.x]);
        rowmax[threadIdx.x] = max(old, rowmax[threadIdx.x]);
    }
    __syncthreads();
#pragma unroll
    for (int mt = 0; mt < 4; mt++)
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int rl = wm * 64 + mt * 16 + g + 8 * h, r = row0 + rl;
            if (rowmax[rl] == 0) continue;
            const float lower = unordered(rowmax[rl]) - window;
#pragma unroll
            for (int nt = 0; nt < 4; nt++)
#pragma unroll
                for (int e = 0; e < 2; e++) {
                    const int c = col0 + wn * 32 + nt * 8 + 2 * t4 + e;
                    if (r < n && c < r && acc[mt][nt][2 * h + e] >= lower && same_volume(volume, r, c)) {
                        int p = atomicAdd(count + r, 1);
                        if (p < cap) cand[(size_t)r * cap + p] = c;
                    }
                }
        }
}

extern "C" __global__ void pairwise_similarity_max_earlier_recheck(
    const float *x, int n, int ld, const int *count, const int *cand, int cap, const unsigned long long *keys,
    float *max, int *argmax) {
    __shared__ unsigned long long best[4];  // one per warp
    const int i = blockIdx.x;
    if (i >= n) return;
    const int listed = count[i];
    const float *xi = x + (size_t)i * ld;
    unsigned long long mine = 0;
    if (listed <= cap) {  // the list holds every j that can be the fp32 argmax
        for (int q = threadIdx.x; q < listed; q += blockDim.x) {
            const int j = cand[(size_t)i * cap + q];
            unsigned long long key = make_key(dot_chain(xi, x + (size_t)j * ld, ld), j);
            mine = key > mine ? key : mine;
        }
    } else if (threadIdx.x == 0) {  // overflow: the restricted fp32 tiled pass scanned the row
        mine = keys[i];
    }
#pragma unroll
    for (int m = 16; m >= 1; m >>= 1) {
        unsigned long long o = __shfl_xor_sync(0xffffffffu, mine, m);
        mine = o > mine ? o : mine;
    }
    if (threadIdx.x % 32 == 0) best[threadIdx.x / 32] = mine;
    __syncthreads();
    if (threadIdx.x == 0) {
        unsigned long long b = best[0];
        for (int w = 1; w < 4; w++) b = best[w] > b ? best[w] : b;
        if (b == 0) {
            max[i] = __int_as_float(0xff800000);
            argmax[i] = -1;
        } else {
            max[i] = unordered((unsigned int)(b >> 32));
            argmax[i] = (int)(0xffffffffu - (unsigned int)(b & 0xffffffffu));
        }
    }
}

// ================================ edges ==========================================================

extern "C" __global__ void __launch_bounds__(256) pairwise_similarity_edges_simple(
    const float *x, int n, int ld, const int *volume, float tau, unsigned long long *count, int *row, int *col, float *score,
    int capacity) {
    const int i = blockIdx.x;
    const int j = blockIdx.y * blockDim.x + threadIdx.x;
    if (i >= n || j >= i || !same_volume(volume, i, j)) return;
    const float v = dot_chain(x + (size_t)i * ld, x + (size_t)j * ld, ld);
    if (v >= tau) put_edge(count, row, col, score, capacity, i, j, v);
}

extern "C" __global__ void __launch_bounds__(256, 2) pairwise_similarity_edges_f32(
    const float *x, int n, int ld, const int *volume, float tau, unsigned long long *count, int *row, int *col, float *score,
    int capacity) {
    tiled_f32<Epilogue::EDGES>(x, n, ld, volume, nullptr, nullptr, 0, tau, count, row, col, score, capacity);
}

extern "C" __global__ void __launch_bounds__(256, 2) pairwise_similarity_edges_bf16(
    const unsigned short *xb, int n, int ld, const int *volume, float lower, unsigned long long *count, int *crow, int *ccol,
    int capacity) {
    int bi, bj;
    triangle_tile(blockIdx.x, bi, bj);
    const int row0 = bi * TILE, col0 = bj * TILE;
    if (tiles_disjoint(volume, n, row0, col0)) return;
    float acc[4][4][4];
    mma_tile(xb, n, ld, row0, col0, acc);
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, wm = warp / 4, wn = warp % 4;
    const int g = lane >> 2, t4 = lane & 3;
    int hits = 0;
#pragma unroll
    for (int mt = 0; mt < 4; mt++)
#pragma unroll
        for (int nt = 0; nt < 4; nt++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int r = row0 + wm * 64 + mt * 16 + g + 8 * (e / 2);
                const int c = col0 + wn * 32 + nt * 8 + 2 * t4 + (e % 2);
                hits += (r < n && c < r && acc[mt][nt][e] >= lower && same_volume(volume, r, c)) ? 1 : 0;
            }
    if (hits == 0) return;
    unsigned long long p = atomicAdd(count, (unsigned long long)hits);  // one atomic per thread, then its candidates in slots p..
#pragma unroll
    for (int mt = 0; mt < 4; mt++)
#pragma unroll
        for (int nt = 0; nt < 4; nt++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int r = row0 + wm * 64 + mt * 16 + g + 8 * (e / 2);
                const int c = col0 + wn * 32 + nt * 8 + 2 * t4 + (e % 2);
                if (r < n && c < r && acc[mt][nt][e] >= lower && same_volume(volume, r, c)) {
                    if (p < capacity) {
                        crow[p] = r;
                        ccol[p] = c;
                    }
                    p++;
                }
            }
}

extern "C" __global__ void __launch_bounds__(256) pairwise_similarity_edges_recheck(
    const float *x, int ld, const int *crow, const int *ccol, int candidates, float tau, unsigned long long *count, int *row,
    int *col, float *score, int capacity) {
    const int q = blockIdx.x * blockDim.x + threadIdx.x;
    if (q >= candidates) return;
    const int i = crow[q], j = ccol[q];
    const float v = dot_chain(x + (size_t)i * ld, x + (size_t)j * ld, ld);
    if (v >= tau) put_edge(count, row, col, score, capacity, i, j, v);
}

// ================================ top k ==========================================================

// One warp per row. Lane l holds the l-th best (score, j) so far (l < k); each chunk of 32
// columns is scored one column per lane, then the lanes that beat the current k-th are inserted
// one at a time: position = number of held entries that rank before it, entries behind shift
// down one lane.
extern "C" __global__ void __launch_bounds__(128) pairwise_similarity_topk(const float *x, int n, int ld,
                                                                           const int *volume, int k, int *index,
                                                                           float *score) {
    const int lane = threadIdx.x % 32;
    const int i = blockIdx.x * 4 + threadIdx.x / 32;
    if (i >= n) return;  // whole warp leaves together
    unsigned long long held = 0;  // key of this lane's entry; 0 = empty
    const float *xi = x + (size_t)i * ld;
    for (int j0 = 0; j0 < n; j0 += 32) {
        const int j = j0 + lane;
        unsigned long long key = 0;
        if (j < n && j != i && same_volume(volume, i, j)) key = make_key(dot_chain(xi, x + (size_t)j * ld, ld), j);
        const unsigned long long kth = __shfl_sync(0xffffffffu, held, k - 1);
        unsigned int pending = __ballot_sync(0xffffffffu, key > kth);
        while (pending) {
            const int src = __ffs(pending) - 1;
            pending &= pending - 1;
            const unsigned long long c = __shfl_sync(0xffffffffu, key, src);
            const unsigned long long last = __shfl_sync(0xffffffffu, held, k - 1);
            if (c <= last) continue;  // uniform: c and last are the same in every lane
            const int pos = __popc(__ballot_sync(0xffffffffu, lane < k && held > c));
            const unsigned long long up = __shfl_up_sync(0xffffffffu, held, 1);
            if (lane > pos && lane < k) held = up;
            if (lane == pos) held = c;
        }
    }
    if (lane < k) {
        const size_t o = (size_t)i * k + lane;
        if (held == 0) {
            index[o] = -1;
            score[o] = __int_as_float(0xff800000);
        } else {
            index[o] = (int)(0xffffffffu - (unsigned int)(held & 0xffffffffu));
            score[o] = unordered((unsigned int)(held >> 32));
        }
    }
}

// ================================ Hamming ========================================================

namespace {

template <int W>
__device__ __forceinline__ int hamming(const unsigned long long (&a)[W], const unsigned long long *b, int stride) {
    int d = 0;
#pragma unroll
    for (int w = 0; w < W; w++) d += __popcll(a[w] ^ b[w * stride]);
    return d;
}

// Thread (ty, tx) of 16 x 16 owns rows ty + 16 p and columns tx + 16 q (p, q < 8); hashes of both
// tiles sit in shared memory word-major ([w][128]).
template <int W>
__device__ void hamming_tiled(const unsigned long long *__restrict__ h, int n, const int *__restrict__ volume, int t,
                              unsigned long long *count, int *orow, int *ocol, float *oscore, int capacity) {
    __shared__ unsigned long long Hr[W][TILE], Hc[W][TILE];
    int bi, bj;
    triangle_tile(blockIdx.x, bi, bj);
    const int row0 = bi * TILE, col0 = bj * TILE;
    if (tiles_disjoint(volume, n, row0, col0)) return;
    for (int q = threadIdx.x; q < W * TILE; q += THREADS) {
        const int r = q / W, w = q % W;  // consecutive threads read consecutive words
        Hr[w][r] = row0 + r < n ? h[(size_t)(row0 + r) * W + w] : 0ull;
        Hc[w][r] = col0 + r < n ? h[(size_t)(col0 + r) * W + w] : 0ull;
    }
    __syncthreads();
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    unsigned long long a[8][W];
#pragma unroll
    for (int p = 0; p < 8; p++)
#pragma unroll
        for (int w = 0; w < W; w++) a[p][w] = Hr[w][ty + 16 * p];
    unsigned long long hit = 0;  // bit p*8+q: pair (row p, column q) is an edge
#pragma unroll
    for (int q = 0; q < 8; q++) {
        const int c = col0 + tx + 16 * q;
#pragma unroll
        for (int p = 0; p < 8; p++) {
            const int r = row0 + ty + 16 * p;
            if (r < n && c < r && hamming<W>(a[p], &Hc[0][tx + 16 * q], TILE) <= t && same_volume(volume, r, c))
                hit |= 1ull << (p * 8 + q);
        }
    }
    if (hit == 0) return;
    unsigned long long p0 = atomicAdd(count, (unsigned long long)__popcll(hit));
    while (hit) {
        const int b = __ffsll(hit) - 1;
        hit &= hit - 1;
        const int p = b / 8, q = b % 8;
        if (p0 < capacity) {
            orow[p0] = row0 + ty + 16 * p;
            ocol[p0] = col0 + tx + 16 * q;
            int d = 0;  // recomputed from shared memory: a[p] with a dynamic p would go to local memory
#pragma unroll
            for (int w = 0; w < W; w++) d += __popcll(Hr[w][ty + 16 * p] ^ Hc[w][tx + 16 * q]);
            oscore[p0] = (float)d;
        }
        p0++;
    }
}

}  // namespace

extern "C" __global__ void __launch_bounds__(256) pairwise_similarity_hamming_simple(
    const unsigned long long *hashes, int n, int words, const int *volume, int t, unsigned long long *count, int *row, int *col,
    float *score, int capacity) {
    const int i = blockIdx.x;
    const int j = blockIdx.y * blockDim.x + threadIdx.x;
    if (i >= n || j >= i || !same_volume(volume, i, j)) return;
    int d = 0;
    for (int w = 0; w < words; w++) d += __popcll(hashes[(size_t)i * words + w] ^ hashes[(size_t)j * words + w]);
    if (d <= t) put_edge(count, row, col, score, capacity, i, j, (float)d);
}

extern "C" __global__ void __launch_bounds__(256) pairwise_similarity_hamming_tiled(
    const unsigned long long *hashes, int n, int words, const int *volume, int t, unsigned long long *count, int *row, int *col,
    float *score, int capacity) {
    switch (words) {
        case 1: hamming_tiled<1>(hashes, n, volume, t, count, row, col, score, capacity); break;
        case 2: hamming_tiled<2>(hashes, n, volume, t, count, row, col, score, capacity); break;
        case 3: hamming_tiled<3>(hashes, n, volume, t, count, row, col, score, capacity); break;
        default: hamming_tiled<4>(hashes, n, volume, t, count, row, col, score, capacity); break;
    }
}
