// SimCLR's NT-Xent loss, forward and backward, fused so that the N x N logits (N = 2B) never reach
// device memory: the forward keeps an online max / sum of exp per row over column tiles (as flash
// attention does), the backward recomputes each logit tile and turns it into G = P + P^T - 2 [pos]
// in shared memory before multiplying by zhat. fp32 throughout; shapes and the launch sequence are
// documented in native/nt_xent.h. Two variants of the quadratic steps: *_simple (one block per row,
// plainly correct, for testing) and *_tiled (register-tiled like an SGEMM).
#include "nt_xent.h"

// Running max of a row's logits before any column was seen: exp(NEG - x) is 0 for every logit x
// (|x| <= 1 / tau) and, unlike -inf, NEG - NEG is 0, not NaN, when two empty partials merge.
#define NT_XENT_NEG (-1e30f)
#define NT_XENT_EPS 1e-12f

// Every kernel's dynamic shared memory (16-byte aligned for float4 and double).
extern __shared__ float4 nt_xent_smem[];

// Row i's positive: the other view of the same sample.
static __device__ __forceinline__ int nt_xent_pos(int i, int rows) {
    int half = rows >> 1;
    return i < half ? i + half : i - half;
}

// Merges the online-softmax partial (m2, l2) into (m, l).
static __device__ __forceinline__ void nt_xent_merge(float &m, float &l, float m2, float l2) {
    float mx = fmaxf(m, m2);
    l = l * expf(m - mx) + l2 * expf(m2 - mx);
    m = mx;
}

static __device__ __forceinline__ float nt_xent_warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, o);
    }
    return v;
}

extern "C" __global__ void __launch_bounds__(NT_XENT_THREADS)
nt_xent_normalize(const float *__restrict__ z, int rows, int dim, int paddedDim, float *__restrict__ zhat,
                  float *__restrict__ norm) {
    int lane = threadIdx.x & 31;
    int i = blockIdx.x * NT_XENT_ROWS_PER_BLOCK + (threadIdx.x >> 5);
    float *out = zhat + (long long)i * paddedDim;
    if (i >= rows) {  // padding row (the whole warp takes this branch)
        for (int k = lane; k < paddedDim; k += 32) {
            out[k] = 0.0f;
        }
        return;
    }
    const float *in = z + (long long)i * dim;
    float sq = 0.0f;
    for (int k = lane; k < dim; k += 32) {
        sq += in[k] * in[k];
    }
    float r = sqrtf(nt_xent_warp_sum(sq));
    float denom = fmaxf(r, NT_XENT_EPS);
    for (int k = lane; k < paddedDim; k += 32) {
        out[k] = k < dim ? in[k] / denom : 0.0f;
    }
    if (lane == 0) {
        norm[i] = r;
    }
}

// ---------------------------------------------------------------------------------------------
// Simple variant: one block per row i.

extern "C" __global__ void __launch_bounds__(NT_XENT_THREADS)
nt_xent_lse_simple(const float *__restrict__ zhat, int rows, int paddedDim, float invTau, float *__restrict__ pm,
                   float *__restrict__ pl, float *__restrict__ spos) {
    float *sm = reinterpret_cast<float *>(nt_xent_smem);  // (2, NT_XENT_THREADS): m, l per thread
    int i = blockIdx.x;
    int pos = nt_xent_pos(i, rows);
    const float *zi = zhat + (long long)i * paddedDim;
    float m = NT_XENT_NEG;
    float l = 0.0f;
    for (int j = threadIdx.x; j < rows; j += NT_XENT_THREADS) {
        if (j == i) {
            continue;
        }
        const float *zj = zhat + (long long)j * paddedDim;
        float dot = 0.0f;
        for (int k = 0; k < paddedDim; k++) {
            dot += zi[k] * zj[k];
        }
        float s = dot * invTau;
        nt_xent_merge(m, l, s, 1.0f);
        if (j == pos) {
            spos[i] = s;
        }
    }
    sm[threadIdx.x] = m;
    sm[NT_XENT_THREADS + threadIdx.x] = l;
    __syncthreads();
    if (threadIdx.x == 0) {
        for (int t = 1; t < NT_XENT_THREADS; t++) {
            nt_xent_merge(m, l, sm[t], sm[NT_XENT_THREADS + t]);
        }
        pm[i] = m;
        pl[i] = l;
    }
}

extern "C" __global__ void __launch_bounds__(NT_XENT_THREADS)
nt_xent_grad_simple(const float *__restrict__ zhat, const float *__restrict__ lse, int rows, int dim,
                    int paddedDim, float invTau, float scale, float *__restrict__ part) {
    float *zi = reinterpret_cast<float *>(nt_xent_smem);  // (Dp): zhat_i
    float *g = zi + paddedDim;                            // (NT_XENT_THREADS): G_ij of a column chunk
    int i = blockIdx.x;
    int pos = nt_xent_pos(i, rows);
    float lsei = lse[i];
    for (int k = threadIdx.x; k < paddedDim; k += NT_XENT_THREADS) {
        zi[k] = zhat[(long long)i * paddedDim + k];
    }
    // Thread t accumulates dzhat_i[t + q NT_XENT_THREADS].
    float acc[NT_XENT_MAX_DIM / NT_XENT_THREADS];
#pragma unroll
    for (int q = 0; q < NT_XENT_MAX_DIM / NT_XENT_THREADS; q++) {
        acc[q] = 0.0f;
    }
    __syncthreads();
    for (int j0 = 0; j0 < rows; j0 += NT_XENT_THREADS) {
        int j = j0 + threadIdx.x;
        float gj = 0.0f;
        if (j < rows && j != i) {
            const float *zj = zhat + (long long)j * paddedDim;
            float dot = 0.0f;
            for (int k = 0; k < paddedDim; k++) {
                dot += zi[k] * zj[k];
            }
            float s = dot * invTau;
            gj = expf(s - lsei) + expf(s - lse[j]) - (j == pos ? 2.0f : 0.0f);
        }
        g[threadIdx.x] = gj;
        __syncthreads();
        int count = min(NT_XENT_THREADS, rows - j0);
        for (int jj = 0; jj < count; jj++) {
            float gj = g[jj];
            const float *zj = zhat + (long long)(j0 + jj) * paddedDim;
#pragma unroll
            for (int q = 0; q < NT_XENT_MAX_DIM / NT_XENT_THREADS; q++) {
                int d = threadIdx.x + q * NT_XENT_THREADS;
                if (d < dim) {
                    acc[q] += gj * zj[d];
                }
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int q = 0; q < NT_XENT_MAX_DIM / NT_XENT_THREADS; q++) {
        int d = threadIdx.x + q * NT_XENT_THREADS;
        if (d < dim) {
            part[(long long)i * dim + d] = acc[q] * scale;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared steps.

extern "C" __global__ void __launch_bounds__(NT_XENT_FINISH_THREADS)
nt_xent_loss_finish(const float *__restrict__ pm, const float *__restrict__ pl, const float *__restrict__ spos,
                    int rows, int splits, float *__restrict__ lse, float *__restrict__ loss) {
    double *sum = reinterpret_cast<double *>(nt_xent_smem);  // (NT_XENT_FINISH_THREADS)
    double acc = 0.0;
    for (int i = threadIdx.x; i < rows; i += NT_XENT_FINISH_THREADS) {
        float m = pm[i];
        float l = pl[i];
        for (int s = 1; s < splits; s++) {
            nt_xent_merge(m, l, pm[(long long)s * rows + i], pl[(long long)s * rows + i]);
        }
        float v = m + logf(l);
        lse[i] = v;
        acc += (double)v - (double)spos[i];
    }
    sum[threadIdx.x] = acc;
    __syncthreads();
    for (int h = NT_XENT_FINISH_THREADS / 2; h > 0; h >>= 1) {
        if (threadIdx.x < h) {
            sum[threadIdx.x] += sum[threadIdx.x + h];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        loss[0] = (float)(sum[0] / rows);
    }
}

extern "C" __global__ void __launch_bounds__(NT_XENT_THREADS)
nt_xent_grad_finish(const float *__restrict__ part, const float *__restrict__ zhat, const float *__restrict__ norm,
                    int rows, int dim, int paddedDim, int splits, float *__restrict__ dz) {
    int lane = threadIdx.x & 31;
    int i = blockIdx.x * NT_XENT_ROWS_PER_BLOCK + (threadIdx.x >> 5);
    if (i >= rows) {  // the whole warp
        return;
    }
    const float *zi = zhat + (long long)i * paddedDim;
    // Two passes over the row: zhat_i . dzhat_i first, then the output (the partial sums are re-added
    // in the same order, so both passes see the same dzhat).
    float dot = 0.0f;
    for (int d = lane; d < dim; d += 32) {
        float g = 0.0f;
        for (int s = 0; s < splits; s++) {
            g += part[((long long)s * rows + i) * dim + d];
        }
        dot += zi[d] * g;
    }
    dot = nt_xent_warp_sum(dot);
    float r = norm[i];
    bool clamped = r < NT_XENT_EPS;
    float inv = 1.0f / (clamped ? NT_XENT_EPS : r);
    for (int d = lane; d < dim; d += 32) {
        float g = 0.0f;
        for (int s = 0; s < splits; s++) {
            g += part[((long long)s * rows + i) * dim + d];
        }
        dz[(long long)i * dim + d] = (clamped ? g : g - zi[d] * dot) * inv;
    }
}

// ---------------------------------------------------------------------------------------------
// Tiled variant. 256 threads as a 16 x 16 grid (ty = t / 16, tx = t % 16). A thread's rows of a
// 128-row tile are ty*4 + r and 64 + ty*4 + r (r < 4); its columns of a 128-wide tile likewise
// tx*4 + c and 64 + tx*4 + c. The split halves keep the float4 shared-memory reads of a quarter
// warp on distinct banks. Tiles of zhat go through shared memory transposed, [k][row] with rows
// padded to 128 + 4 floats, double-buffered with a register prefetch of the next k-step.

#define NT_XENT_AS (NT_XENT_TILE_ROWS + 4)  // row stride of a transposed 128-row k-slab
#define NT_XENT_BS (NT_XENT_GRAD_COLS + 4)  // row stride of a transposed 64-row k-slab (grad)

// Row (or column) of a thread's 4-group h (0 or 1), element r, in a 128-wide tile.
static __device__ __forceinline__ int nt_xent_idx(int t16, int h, int r) {
    return h * 64 + t16 * 4 + r;
}

// Loads the k-slab [k0, k0 + 8) of 128 rows starting at row0 as one float4 per thread
// (row t / 2, columns k0 + (t % 2) * 4 ...).
static __device__ __forceinline__ float4 nt_xent_load128(const float *zhat, int paddedDim, int row0, int k0) {
    int t = threadIdx.x;
    return *reinterpret_cast<const float4 *>(zhat + (long long)(row0 + (t >> 1)) * paddedDim + k0 + (t & 1) * 4);
}

// Stores a float4 from nt_xent_load128 transposed into slab[k][row] (row stride `stride`).
static __device__ __forceinline__ void nt_xent_store_slab(float *slab, int stride, float4 v) {
    int t = threadIdx.x;
    int row = t >> 1;
    int k = (t & 1) * 4;
    slab[(k + 0) * stride + row] = v.x;
    slab[(k + 1) * stride + row] = v.y;
    slab[(k + 2) * stride + row] = v.z;
    slab[(k + 3) * stride + row] = v.w;
}

extern "C" __global__ void __launch_bounds__(NT_XENT_THREADS)
nt_xent_lse_tiled(const float *__restrict__ zhat, int rows, int paddedDim, float invTau, int tilesPerSplit,
                  float *__restrict__ pm, float *__restrict__ pl, float *__restrict__ spos) {
    float *as = reinterpret_cast<float *>(nt_xent_smem);  // (2, K, AS): row-tile slabs
    float *bs = as + 2 * NT_XENT_K * NT_XENT_AS;          // (2, K, AS): column-tile slabs
    int tx = threadIdx.x & 15;
    int ty = threadIdx.x >> 4;
    int row0 = blockIdx.x * NT_XENT_TILE_ROWS;
    int tiles = (rows + NT_XENT_TILE_ROWS - 1) / NT_XENT_TILE_ROWS;
    int tileBegin = blockIdx.y * tilesPerSplit;
    int tileEnd = min(tileBegin + tilesPerSplit, tiles);
    int ksteps = paddedDim / NT_XENT_K;
    int total = (tileEnd - tileBegin) * ksteps;  // > 0: the host launches no empty split

    int gi[8];    // global row of the thread's row r (h = r / 4)
    int gpos[8];  // its positive
    float m[8];
    float l[8];
#pragma unroll
    for (int r = 0; r < 8; r++) {
        gi[r] = row0 + nt_xent_idx(ty, r >> 2, r & 3);
        gpos[r] = nt_xent_pos(gi[r], rows);
        m[r] = NT_XENT_NEG;
        l[r] = 0.0f;
    }
    float acc[8][8];
#pragma unroll
    for (int r = 0; r < 8; r++) {
#pragma unroll
        for (int c = 0; c < 8; c++) {
            acc[r][c] = 0.0f;
        }
    }

    // Flat loop over (column tile, k-step) so the prefetch runs across tile boundaries.
    int col0 = tileBegin * NT_XENT_TILE_ROWS;
    float4 pa = nt_xent_load128(zhat, paddedDim, row0, 0);
    float4 pb = nt_xent_load128(zhat, paddedDim, col0, 0);
    nt_xent_store_slab(as, NT_XENT_AS, pa);
    nt_xent_store_slab(bs, NT_XENT_AS, pb);
    __syncthreads();
    int kstep = 0;
    for (int step = 0; step < total; step++) {
        int buf = step & 1;
        bool more = step + 1 < total;
        if (more) {
            int nk = kstep + 1 == ksteps ? 0 : kstep + 1;
            int ncol0 = kstep + 1 == ksteps ? col0 + NT_XENT_TILE_ROWS : col0;
            pa = nt_xent_load128(zhat, paddedDim, row0, nk * NT_XENT_K);
            pb = nt_xent_load128(zhat, paddedDim, ncol0, nk * NT_XENT_K);
        }
        const float *a = as + buf * NT_XENT_K * NT_XENT_AS;
        const float *b = bs + buf * NT_XENT_K * NT_XENT_AS;
#pragma unroll
        for (int k = 0; k < NT_XENT_K; k++) {
            float4 a0 = *reinterpret_cast<const float4 *>(a + k * NT_XENT_AS + ty * 4);
            float4 a1 = *reinterpret_cast<const float4 *>(a + k * NT_XENT_AS + 64 + ty * 4);
            float4 b0 = *reinterpret_cast<const float4 *>(b + k * NT_XENT_AS + tx * 4);
            float4 b1 = *reinterpret_cast<const float4 *>(b + k * NT_XENT_AS + 64 + tx * 4);
            float av[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            float bv[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
            for (int r = 0; r < 8; r++) {
#pragma unroll
                for (int c = 0; c < 8; c++) {
                    acc[r][c] += av[r] * bv[c];
                }
            }
        }
        if (kstep + 1 == ksteps) {
            // The 128 x 128 tile is complete: fold it into the rows' online max / sum.
#pragma unroll
            for (int r = 0; r < 8; r++) {
                float s[8];
                bool valid[8];
                float tmax = NT_XENT_NEG;
#pragma unroll
                for (int c = 0; c < 8; c++) {
                    int j = col0 + nt_xent_idx(tx, c >> 2, c & 3);
                    s[c] = acc[r][c] * invTau;
                    valid[c] = j < rows && j != gi[r];
                    if (valid[c]) {
                        tmax = fmaxf(tmax, s[c]);
                    }
                    if (j == gpos[r] && gi[r] < rows) {
                        spos[gi[r]] = s[c];
                    }
                    acc[r][c] = 0.0f;
                }
                float mx = fmaxf(m[r], tmax);
                float sum = l[r] * expf(m[r] - mx);
#pragma unroll
                for (int c = 0; c < 8; c++) {
                    sum += valid[c] ? expf(s[c] - mx) : 0.0f;
                }
                m[r] = mx;
                l[r] = sum;
            }
            kstep = 0;
            col0 += NT_XENT_TILE_ROWS;
        } else {
            kstep++;
        }
        if (more) {
            nt_xent_store_slab(as + (buf ^ 1) * NT_XENT_K * NT_XENT_AS, NT_XENT_AS, pa);
            nt_xent_store_slab(bs + (buf ^ 1) * NT_XENT_K * NT_XENT_AS, NT_XENT_AS, pb);
        }
        __syncthreads();
    }

    // The 16 threads of a row group are lanes tx = 0..15 of one half warp: merge across them.
#pragma unroll
    for (int r = 0; r < 8; r++) {
#pragma unroll
        for (int o = 8; o > 0; o >>= 1) {
            float m2 = __shfl_xor_sync(0xffffffffu, m[r], o);
            float l2 = __shfl_xor_sync(0xffffffffu, l[r], o);
            nt_xent_merge(m[r], l[r], m2, l2);
        }
        if (tx == 0 && gi[r] < rows) {
            pm[(long long)blockIdx.y * rows + gi[r]] = m[r];
            pl[(long long)blockIdx.y * rows + gi[r]] = l[r];
        }
    }
}

extern "C" __global__ void __launch_bounds__(NT_XENT_THREADS)
nt_xent_grad_tiled(const float *__restrict__ zhat, const float *__restrict__ lse, int rows, int dim, int paddedDim,
                   float invTau, float scale, int tilesPerSplit, float *__restrict__ part) {
    float *as = reinterpret_cast<float *>(nt_xent_smem);  // (2, K, AS): row-tile slabs
    float *bs = as + 2 * NT_XENT_K * NT_XENT_AS;          // (2, K, BS): column-tile slabs
    float *gs = bs + 2 * NT_XENT_K * NT_XENT_BS;          // (128, BS): G of the current column tile
    float *zs = gs + NT_XENT_TILE_ROWS * NT_XENT_BS;      // (64, DCHUNK): zhat_J[:, c0 .. c0 + 128)
    int t = threadIdx.x;
    int tx = t & 15;
    int ty = t >> 4;
    int row0 = blockIdx.x * NT_XENT_TILE_ROWS;
    int c0 = blockIdx.z * NT_XENT_GRAD_DCHUNK;
    int tiles = (rows + NT_XENT_GRAD_COLS - 1) / NT_XENT_GRAD_COLS;
    int tileBegin = blockIdx.y * tilesPerSplit;
    int tileEnd = min(tileBegin + tilesPerSplit, tiles);
    int ksteps = paddedDim / NT_XENT_K;

    int gi[8];
    int gpos[8];
    float lsei[8];
#pragma unroll
    for (int r = 0; r < 8; r++) {
        gi[r] = row0 + nt_xent_idx(ty, r >> 2, r & 3);
        gpos[r] = nt_xent_pos(gi[r], rows);
        lsei[r] = gi[r] < rows ? lse[gi[r]] : 0.0f;
    }
    float out[8][8];  // dzhat[row r][column c0 + nt_xent_idx(tx, c / 4, c % 4)]
#pragma unroll
    for (int r = 0; r < 8; r++) {
#pragma unroll
        for (int c = 0; c < 8; c++) {
            out[r][c] = 0.0f;
        }
    }

    for (int tile = tileBegin; tile < tileEnd; tile++) {
        int col0 = tile * NT_XENT_GRAD_COLS;
        // 1. S = zhat_I zhat_J^T (128 x 64); thread holds rows gi[r], columns col0 + tx*4 + c.
        float s[8][4];
#pragma unroll
        for (int r = 0; r < 8; r++) {
#pragma unroll
            for (int c = 0; c < 4; c++) {
                s[r][c] = 0.0f;
            }
        }
        float4 pa = nt_xent_load128(zhat, paddedDim, row0, 0);
        float4 pb = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        if (t < 2 * NT_XENT_GRAD_COLS) {
            pb = nt_xent_load128(zhat, paddedDim, col0, 0);
        }
        nt_xent_store_slab(as, NT_XENT_AS, pa);
        if (t < 2 * NT_XENT_GRAD_COLS) {
            nt_xent_store_slab(bs, NT_XENT_BS, pb);
        }
        __syncthreads();
        for (int ks = 0; ks < ksteps; ks++) {
            int buf = ks & 1;
            bool more = ks + 1 < ksteps;
            if (more) {
                pa = nt_xent_load128(zhat, paddedDim, row0, (ks + 1) * NT_XENT_K);
                if (t < 2 * NT_XENT_GRAD_COLS) {
                    pb = nt_xent_load128(zhat, paddedDim, col0, (ks + 1) * NT_XENT_K);
                }
            }
            const float *a = as + buf * NT_XENT_K * NT_XENT_AS;
            const float *b = bs + buf * NT_XENT_K * NT_XENT_BS;
#pragma unroll
            for (int k = 0; k < NT_XENT_K; k++) {
                float4 a0 = *reinterpret_cast<const float4 *>(a + k * NT_XENT_AS + ty * 4);
                float4 a1 = *reinterpret_cast<const float4 *>(a + k * NT_XENT_AS + 64 + ty * 4);
                float4 b0 = *reinterpret_cast<const float4 *>(b + k * NT_XENT_BS + tx * 4);
                float av[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
                float bv[4] = {b0.x, b0.y, b0.z, b0.w};
#pragma unroll
                for (int r = 0; r < 8; r++) {
#pragma unroll
                    for (int c = 0; c < 4; c++) {
                        s[r][c] += av[r] * bv[c];
                    }
                }
            }
            if (more) {
                nt_xent_store_slab(as + (buf ^ 1) * NT_XENT_K * NT_XENT_AS, NT_XENT_AS, pa);
                if (t < 2 * NT_XENT_GRAD_COLS) {
                    nt_xent_store_slab(bs + (buf ^ 1) * NT_XENT_K * NT_XENT_BS, NT_XENT_BS, pb);
                }
            }
            __syncthreads();
        }
        // Every thread has passed this tile's first barrier, so the previous tile's reads of gs and
        // zs are done and both may be overwritten.
        // 2. G (128 x 64) into gs[row][col]; zhat_J's column chunk into zs[col][d].
        float lsej[4];
#pragma unroll
        for (int c = 0; c < 4; c++) {
            int j = col0 + tx * 4 + c;
            lsej[c] = j < rows ? lse[j] : 0.0f;
        }
#pragma unroll
        for (int r = 0; r < 8; r++) {
            float g[4];
#pragma unroll
            for (int c = 0; c < 4; c++) {
                int j = col0 + tx * 4 + c;
                float v = s[r][c] * invTau;
                g[c] = (j < rows && gi[r] < rows && j != gi[r])
                               ? expf(v - lsei[r]) + expf(v - lsej[c]) - (j == gpos[r] ? 2.0f : 0.0f)
                               : 0.0f;
            }
            *reinterpret_cast<float4 *>(gs + nt_xent_idx(ty, r >> 2, r & 3) * NT_XENT_BS + tx * 4) =
                    make_float4(g[0], g[1], g[2], g[3]);
        }
        // 64 rows x 128 columns = 2048 float4, 8 per thread: float4 q = t + 256 p is row q / 32,
        // columns (q % 32) * 4 ...; columns at or beyond Dp (Dp is a multiple of 4) are 0.
#pragma unroll
        for (int p = 0; p < NT_XENT_GRAD_COLS * NT_XENT_GRAD_DCHUNK / 4 / NT_XENT_THREADS; p++) {
            int q = t + NT_XENT_THREADS * p;
            int row = q >> 5;
            int col = (q & 31) * 4;
            float4 v = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
            if (c0 + col < paddedDim) {
                v = *reinterpret_cast<const float4 *>(zhat + (long long)(col0 + row) * paddedDim + c0 + col);
            }
            *reinterpret_cast<float4 *>(zs + row * NT_XENT_GRAD_DCHUNK + col) = v;
        }
        __syncthreads();
        // 3. out (128 x 128) += G (128 x 64) zhat_J chunk (64 x 128).
#pragma unroll 1
        for (int j = 0; j < NT_XENT_GRAD_COLS; j += 4) {
            float gv[8][4];
#pragma unroll
            for (int r = 0; r < 8; r++) {
                float4 g4 = *reinterpret_cast<const float4 *>(gs + nt_xent_idx(ty, r >> 2, r & 3) * NT_XENT_BS + j);
                gv[r][0] = g4.x;
                gv[r][1] = g4.y;
                gv[r][2] = g4.z;
                gv[r][3] = g4.w;
            }
#pragma unroll
            for (int jj = 0; jj < 4; jj++) {
                float4 z0 = *reinterpret_cast<const float4 *>(zs + (j + jj) * NT_XENT_GRAD_DCHUNK + tx * 4);
                float4 z1 = *reinterpret_cast<const float4 *>(zs + (j + jj) * NT_XENT_GRAD_DCHUNK + 64 + tx * 4);
                float zv[8] = {z0.x, z0.y, z0.z, z0.w, z1.x, z1.y, z1.z, z1.w};
#pragma unroll
                for (int r = 0; r < 8; r++) {
#pragma unroll
                    for (int c = 0; c < 8; c++) {
                        out[r][c] += gv[r][jj] * zv[c];
                    }
                }
            }
        }
    }

#pragma unroll
    for (int r = 0; r < 8; r++) {
        if (gi[r] < rows) {
            float *dst = part + ((long long)blockIdx.y * rows + gi[r]) * dim;
#pragma unroll
            for (int c = 0; c < 8; c++) {
                int d = c0 + nt_xent_idx(tx, c >> 2, c & 3);
                if (d < dim) {
                    dst[d] = out[r][c] * scale;
                }
            }
        }
    }
}
