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

// ---------------------------------------------------------------------------------------------
// Tensor-core variant: mma.sync.m16n8k8 TF32 with fp32 accumulation. TF32 keeps 10 mantissa bits,
// so each fp32 operand x is split into hi = tf32(x) and lo = tf32(x - hi) (x - hi is exact in fp32)
// and a b is taken as hi_a hi_b + hi_a lo_b + lo_a hi_b: the dropped lo_a lo_b and the rounding of
// lo are ~2^-22 relative, about fp32's own rounding. Fragment layout (PTX ISA, mma.m16n8k8 .tf32),
// g = lane / 4, t = lane % 4: A a0 (g, t), a1 (g + 8, t), a2 (g, t + 4), a3 (g + 8, t + 4);
// B b0 (k = t, n = g), b1 (k = t + 4, n = g); C c0 (g, 2t), c1 (g, 2t + 1), c2 (g + 8, 2t),
// c3 (g + 8, 2t + 1). Tiles of zhat sit in shared memory as [row][k] with a row stride of 20
// floats, so the fragment reads of a warp (rows g, columns t) hit 32 distinct banks.

// scripts/cuda-emulate/translate.py replaces these two with CPU stand-ins for the emulator.
static __device__ __forceinline__ unsigned nt_xent_tf32(float x) {
    unsigned r;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
    return r;
}

// d += a b for one 16 x 8 x 8 product.
static __device__ __forceinline__ void nt_xent_mma(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) {
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
                 "{%0, %1, %2, %3};"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// Splits x into TF32 hi and lo parts.
static __device__ __forceinline__ void nt_xent_split(float x, unsigned &hi, unsigned &lo) {
    hi = nt_xent_tf32(x);
    lo = nt_xent_tf32(x - __uint_as_float(hi));
}

// d += a b in 3xTF32.
static __device__ __forceinline__ void nt_xent_mma3(float (&d)[4], const unsigned (&ahi)[4], const unsigned (&alo)[4],
                                                    const unsigned (&bhi)[2], const unsigned (&blo)[2]) {
    nt_xent_mma(d, alo, bhi);
    nt_xent_mma(d, ahi, blo);
    nt_xent_mma(d, ahi, bhi);
}

// A fragment (16 x 8 at rows r0.., columns k0..) of a [row][k] tile with row stride `stride`, split.
static __device__ __forceinline__ void nt_xent_frag_a(const float *tile, int stride, int r0, int k0, unsigned (&hi)[4],
                                                      unsigned (&lo)[4]) {
    int lane = threadIdx.x & 31;
    int g = lane >> 2;
    int t = lane & 3;
    nt_xent_split(tile[(r0 + g) * stride + k0 + t], hi[0], lo[0]);
    nt_xent_split(tile[(r0 + g + 8) * stride + k0 + t], hi[1], lo[1]);
    nt_xent_split(tile[(r0 + g) * stride + k0 + t + 4], hi[2], lo[2]);
    nt_xent_split(tile[(r0 + g + 8) * stride + k0 + t + 4], hi[3], lo[3]);
}

// B fragment (8 x 8, k0.. by n0..) of B[k][n] = tile[n][k] (a [row][k] tile of the other operand).
static __device__ __forceinline__ void nt_xent_frag_bt(const float *tile, int stride, int n0, int k0, unsigned (&hi)[2],
                                                       unsigned (&lo)[2]) {
    int lane = threadIdx.x & 31;
    int g = lane >> 2;
    int t = lane & 3;
    nt_xent_split(tile[(n0 + g) * stride + k0 + t], hi[0], lo[0]);
    nt_xent_split(tile[(n0 + g) * stride + k0 + t + 4], hi[1], lo[1]);
}

// Loads float4 number q of a k-slab of NT_XENT_TC_K columns: row q / 4, columns k0 + (q % 4) * 4 ...
static __device__ __forceinline__ float4 nt_xent_tc_load(const float *zhat, int paddedDim, int row0, int k0, int q) {
    return *reinterpret_cast<const float4 *>(zhat + (long long)(row0 + (q >> 2)) * paddedDim + k0 + (q & 3) * 4);
}

static __device__ __forceinline__ void nt_xent_tc_store(float *slab, int q, float4 v) {
    *reinterpret_cast<float4 *>(slab + (q >> 2) * NT_XENT_TC_SLAB + (q & 3) * 4) = v;
}

extern "C" __global__ void __launch_bounds__(NT_XENT_THREADS)
nt_xent_lse_tc(const float *__restrict__ zhat, int rows, int paddedDim, float invTau, int tilesPerSplit,
               float *__restrict__ pm, float *__restrict__ pl, float *__restrict__ spos) {
    const int slab = NT_XENT_TILE_ROWS * NT_XENT_TC_SLAB;
    float *as = reinterpret_cast<float *>(nt_xent_smem);  // (2, 128, SLAB): row-tile k-slabs
    float *bs = as + 2 * slab;                            // (2, 128, SLAB): column-tile k-slabs
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int g = lane >> 2;
    int t = lane & 3;
    int wr = (warp >> 1) * 32;  // the warp's rows [wr, wr + 32) and columns [wc, wc + 64) of the tile
    int wc = (warp & 1) * 64;
    int row0 = blockIdx.x * NT_XENT_TILE_ROWS;
    int tiles = (rows + NT_XENT_TILE_ROWS - 1) / NT_XENT_TILE_ROWS;
    int tileBegin = blockIdx.y * tilesPerSplit;
    int tileEnd = min(tileBegin + tilesPerSplit, tiles);
    int ksteps = paddedDim / NT_XENT_TC_K;
    int total = (tileEnd - tileBegin) * ksteps;  // > 0: the host launches no empty split

    // The thread's rows: wr + 16 mi + g + 8 h, index mi * 2 + h.
    int gi[4];
    int gpos[4];
    float m[4];
    float l[4];
#pragma unroll
    for (int r = 0; r < 4; r++) {
        gi[r] = row0 + wr + (r >> 1) * 16 + g + (r & 1) * 8;
        gpos[r] = nt_xent_pos(gi[r], rows);
        m[r] = NT_XENT_NEG;
        l[r] = 0.0f;
    }
    float acc[2][8][4];
#pragma unroll
    for (int mi = 0; mi < 2; mi++) {
#pragma unroll
        for (int ni = 0; ni < 8; ni++) {
#pragma unroll
            for (int c = 0; c < 4; c++) {
                acc[mi][ni][c] = 0.0f;
            }
        }
    }

    int col0 = tileBegin * NT_XENT_TILE_ROWS;
    float4 pa[2];
    float4 pb[2];
#pragma unroll
    for (int p = 0; p < 2; p++) {
        int q = threadIdx.x + NT_XENT_THREADS * p;
        nt_xent_tc_store(as, q, nt_xent_tc_load(zhat, paddedDim, row0, 0, q));
        nt_xent_tc_store(bs, q, nt_xent_tc_load(zhat, paddedDim, col0, 0, q));
    }
    __syncthreads();
    int kstep = 0;
    for (int step = 0; step < total; step++) {
        int buf = step & 1;
        bool more = step + 1 < total;
        if (more) {
            int nk = kstep + 1 == ksteps ? 0 : kstep + 1;
            int ncol0 = kstep + 1 == ksteps ? col0 + NT_XENT_TILE_ROWS : col0;
#pragma unroll
            for (int p = 0; p < 2; p++) {
                int q = threadIdx.x + NT_XENT_THREADS * p;
                pa[p] = nt_xent_tc_load(zhat, paddedDim, row0, nk * NT_XENT_TC_K, q);
                pb[p] = nt_xent_tc_load(zhat, paddedDim, ncol0, nk * NT_XENT_TC_K, q);
            }
        }
        const float *a = as + buf * slab;
        const float *b = bs + buf * slab;
#pragma unroll
        for (int kk = 0; kk < NT_XENT_TC_K; kk += 8) {
            unsigned ahi[2][4];
            unsigned alo[2][4];
#pragma unroll
            for (int mi = 0; mi < 2; mi++) {
                nt_xent_frag_a(a, NT_XENT_TC_SLAB, wr + mi * 16, kk, ahi[mi], alo[mi]);
            }
#pragma unroll
            for (int ni = 0; ni < 8; ni++) {
                unsigned bhi[2];
                unsigned blo[2];
                nt_xent_frag_bt(b, NT_XENT_TC_SLAB, wc + ni * 8, kk, bhi, blo);
#pragma unroll
                for (int mi = 0; mi < 2; mi++) {
                    nt_xent_mma3(acc[mi][ni], ahi[mi], alo[mi], bhi, blo);
                }
            }
        }
        if (kstep + 1 == ksteps) {
            // The 128 x 128 tile is complete: fold the thread's 4 rows x 16 columns into its stats.
#pragma unroll
            for (int r = 0; r < 4; r++) {
                int mi = r >> 1;
                int h = r & 1;
                float s[16];
                bool valid[16];
                float tmax = NT_XENT_NEG;
#pragma unroll
                for (int c = 0; c < 16; c++) {
                    int ni = c >> 1;
                    int j = col0 + wc + ni * 8 + 2 * t + (c & 1);
                    s[c] = acc[mi][ni][2 * h + (c & 1)] * invTau;
                    valid[c] = j < rows && j != gi[r];
                    if (valid[c]) {
                        tmax = fmaxf(tmax, s[c]);
                    }
                    if (j == gpos[r] && gi[r] < rows) {
                        spos[gi[r]] = s[c];
                    }
                }
                float mx = fmaxf(m[r], tmax);
                float sum = l[r] * expf(m[r] - mx);
#pragma unroll
                for (int c = 0; c < 16; c++) {
                    sum += valid[c] ? expf(s[c] - mx) : 0.0f;
                }
                m[r] = mx;
                l[r] = sum;
            }
#pragma unroll
            for (int mi = 0; mi < 2; mi++) {
#pragma unroll
                for (int ni = 0; ni < 8; ni++) {
#pragma unroll
                    for (int c = 0; c < 4; c++) {
                        acc[mi][ni][c] = 0.0f;
                    }
                }
            }
            kstep = 0;
            col0 += NT_XENT_TILE_ROWS;
        } else {
            kstep++;
        }
        if (more) {
#pragma unroll
            for (int p = 0; p < 2; p++) {
                int q = threadIdx.x + NT_XENT_THREADS * p;
                nt_xent_tc_store(as + (buf ^ 1) * slab, q, pa[p]);
                nt_xent_tc_store(bs + (buf ^ 1) * slab, q, pb[p]);
            }
        }
        __syncthreads();
    }

    // Merge the 4 threads of a quad (same rows, other columns), then the two column warps through
    // shared memory (the slabs are free after the loop's last barrier).
    float *red = as;  // (2 column warps, 2 [m, l], 128 rows)
#pragma unroll
    for (int r = 0; r < 4; r++) {
#pragma unroll
        for (int o = 1; o < 4; o <<= 1) {
            float m2 = __shfl_xor_sync(0xffffffffu, m[r], o);
            float l2 = __shfl_xor_sync(0xffffffffu, l[r], o);
            nt_xent_merge(m[r], l[r], m2, l2);
        }
        if (t == 0) {
            int lr = gi[r] - row0;
            red[(warp & 1) * 256 + lr] = m[r];
            red[(warp & 1) * 256 + 128 + lr] = l[r];
        }
    }
    __syncthreads();
    if (threadIdx.x < NT_XENT_TILE_ROWS && row0 + (int)threadIdx.x < rows) {
        int lr = threadIdx.x;
        float mm = red[lr];
        float ll = red[128 + lr];
        nt_xent_merge(mm, ll, red[256 + lr], red[256 + 128 + lr]);
        pm[(long long)blockIdx.y * rows + row0 + lr] = mm;
        pl[(long long)blockIdx.y * rows + row0 + lr] = ll;
    }
}

extern "C" __global__ void __launch_bounds__(NT_XENT_THREADS)
nt_xent_grad_tc(const float *__restrict__ zhat, const float *__restrict__ lse, int rows, int dim, int paddedDim,
                float invTau, float scale, int tilesPerSplit, float *__restrict__ part) {
    const int aslab = NT_XENT_TILE_ROWS * NT_XENT_TC_SLAB;
    const int bslab = NT_XENT_GRAD_COLS * NT_XENT_TC_SLAB;
    const int gstride = NT_XENT_GRAD_COLS + 4;     // 68: A-fragment reads of gs on distinct banks
    const int zstride = NT_XENT_GRAD_DCHUNK + 8;   // 136: B-fragment reads of zs on distinct banks
    float *as = reinterpret_cast<float *>(nt_xent_smem);  // (2, 128, SLAB)
    float *bs = as + 2 * aslab;                           // (2, 64, SLAB)
    float *gs = bs + 2 * bslab;                           // (128, 68): G of the current column tile
    float *zs = gs + NT_XENT_TILE_ROWS * gstride;         // (64, 136): zhat_J[:, c0 .. c0 + 128)
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int g = lane >> 2;
    int t = lane & 3;
    int wr = (warp >> 1) * 32;   // the warp's 32 rows
    int wcs = (warp & 1) * 32;   // its 32 logit columns of the 64 (step 1)
    int wcd = (warp & 1) * 64;   // its 64 dzhat columns of the 128 (step 3)
    int row0 = blockIdx.x * NT_XENT_TILE_ROWS;
    int c0 = blockIdx.z * NT_XENT_GRAD_DCHUNK;
    int tiles = (rows + NT_XENT_GRAD_COLS - 1) / NT_XENT_GRAD_COLS;
    int tileBegin = blockIdx.y * tilesPerSplit;
    int tileEnd = min(tileBegin + tilesPerSplit, tiles);
    int ksteps = paddedDim / NT_XENT_TC_K;

    // The thread's rows: wr + 16 mi + g + 8 h, index mi * 2 + h.
    int gi[4];
    int gpos[4];
    float lsei[4];
#pragma unroll
    for (int r = 0; r < 4; r++) {
        gi[r] = row0 + wr + (r >> 1) * 16 + g + (r & 1) * 8;
        gpos[r] = nt_xent_pos(gi[r], rows);
        lsei[r] = gi[r] < rows ? lse[gi[r]] : 0.0f;
    }
    float out[2][8][4];
#pragma unroll
    for (int mi = 0; mi < 2; mi++) {
#pragma unroll
        for (int ni = 0; ni < 8; ni++) {
#pragma unroll
            for (int c = 0; c < 4; c++) {
                out[mi][ni][c] = 0.0f;
            }
        }
    }

    for (int tile = tileBegin; tile < tileEnd; tile++) {
        int col0 = tile * NT_XENT_GRAD_COLS;
        // 1. S = zhat_I zhat_J^T (128 x 64), the warp's 32 x 32 part.
        float s[2][4][4];
#pragma unroll
        for (int mi = 0; mi < 2; mi++) {
#pragma unroll
            for (int ni = 0; ni < 4; ni++) {
#pragma unroll
                for (int c = 0; c < 4; c++) {
                    s[mi][ni][c] = 0.0f;
                }
            }
        }
        float4 pa[2];
        float4 pb;
#pragma unroll
        for (int p = 0; p < 2; p++) {
            int q = threadIdx.x + NT_XENT_THREADS * p;
            nt_xent_tc_store(as, q, nt_xent_tc_load(zhat, paddedDim, row0, 0, q));
        }
        nt_xent_tc_store(bs, threadIdx.x, nt_xent_tc_load(zhat, paddedDim, col0, 0, threadIdx.x));
        __syncthreads();
        for (int ks = 0; ks < ksteps; ks++) {
            int buf = ks & 1;
            bool more = ks + 1 < ksteps;
            if (more) {
#pragma unroll
                for (int p = 0; p < 2; p++) {
                    int q = threadIdx.x + NT_XENT_THREADS * p;
                    pa[p] = nt_xent_tc_load(zhat, paddedDim, row0, (ks + 1) * NT_XENT_TC_K, q);
                }
                pb = nt_xent_tc_load(zhat, paddedDim, col0, (ks + 1) * NT_XENT_TC_K, threadIdx.x);
            }
            const float *a = as + buf * aslab;
            const float *b = bs + buf * bslab;
#pragma unroll
            for (int kk = 0; kk < NT_XENT_TC_K; kk += 8) {
                unsigned ahi[2][4];
                unsigned alo[2][4];
#pragma unroll
                for (int mi = 0; mi < 2; mi++) {
                    nt_xent_frag_a(a, NT_XENT_TC_SLAB, wr + mi * 16, kk, ahi[mi], alo[mi]);
                }
#pragma unroll
                for (int ni = 0; ni < 4; ni++) {
                    unsigned bhi[2];
                    unsigned blo[2];
                    nt_xent_frag_bt(b, NT_XENT_TC_SLAB, wcs + ni * 8, kk, bhi, blo);
#pragma unroll
                    for (int mi = 0; mi < 2; mi++) {
                        nt_xent_mma3(s[mi][ni], ahi[mi], alo[mi], bhi, blo);
                    }
                }
            }
            if (more) {
#pragma unroll
                for (int p = 0; p < 2; p++) {
                    nt_xent_tc_store(as + (buf ^ 1) * aslab, threadIdx.x + NT_XENT_THREADS * p, pa[p]);
                }
                nt_xent_tc_store(bs + (buf ^ 1) * bslab, threadIdx.x, pb);
            }
            __syncthreads();
        }
        // Every thread has passed this tile's first barrier, so the previous tile's reads of gs and
        // zs are done and both may be overwritten.
        // 2. G (128 x 64) into gs[row][col]; zhat_J's column chunk into zs[col][d].
#pragma unroll
        for (int ni = 0; ni < 4; ni++) {
            int lc = wcs + ni * 8 + 2 * t;
            float lsej[2];
#pragma unroll
            for (int e = 0; e < 2; e++) {
                lsej[e] = col0 + lc + e < rows ? lse[col0 + lc + e] : 0.0f;
            }
#pragma unroll
            for (int r = 0; r < 4; r++) {
                int mi = r >> 1;
                int h = r & 1;
                float gv[2];
#pragma unroll
                for (int e = 0; e < 2; e++) {
                    int j = col0 + lc + e;
                    float v = s[mi][ni][2 * h + e] * invTau;
                    gv[e] = (j < rows && gi[r] < rows && j != gi[r])
                                    ? expf(v - lsei[r]) + expf(v - lsej[e]) - (j == gpos[r] ? 2.0f : 0.0f)
                                    : 0.0f;
                }
                *reinterpret_cast<float2 *>(gs + (gi[r] - row0) * gstride + lc) = make_float2(gv[0], gv[1]);
            }
        }
#pragma unroll
        for (int p = 0; p < NT_XENT_GRAD_COLS * NT_XENT_GRAD_DCHUNK / 4 / NT_XENT_THREADS; p++) {
            int q = threadIdx.x + NT_XENT_THREADS * p;
            int row = q >> 5;
            int col = (q & 31) * 4;
            float4 v = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
            if (c0 + col < paddedDim) {
                v = *reinterpret_cast<const float4 *>(zhat + (long long)(col0 + row) * paddedDim + c0 + col);
            }
            *reinterpret_cast<float4 *>(zs + row * zstride + col) = v;
        }
        __syncthreads();
        // 3. out (128 x 128) += G (128 x 64) zhat_J chunk (64 x 128); the warp's 32 x 64 part.
#pragma unroll
        for (int kk = 0; kk < NT_XENT_GRAD_COLS; kk += 8) {
            unsigned ahi[2][4];
            unsigned alo[2][4];
#pragma unroll
            for (int mi = 0; mi < 2; mi++) {
                nt_xent_frag_a(gs, gstride, wr + mi * 16, kk, ahi[mi], alo[mi]);
            }
#pragma unroll
            for (int ni = 0; ni < 8; ni++) {
                // B[k][n] = zs[kk + k][wcd + 8 ni + n], stored [k][n]: b0 (k = t, n = g), b1 (k = t + 4).
                unsigned bhi[2];
                unsigned blo[2];
                nt_xent_split(zs[(kk + t) * zstride + wcd + ni * 8 + g], bhi[0], blo[0]);
                nt_xent_split(zs[(kk + t + 4) * zstride + wcd + ni * 8 + g], bhi[1], blo[1]);
#pragma unroll
                for (int mi = 0; mi < 2; mi++) {
                    nt_xent_mma3(out[mi][ni], ahi[mi], alo[mi], bhi, blo);
                }
            }
        }
    }

#pragma unroll
    for (int r = 0; r < 4; r++) {
        if (gi[r] < rows) {
            float *dst = part + ((long long)blockIdx.y * rows + gi[r]) * dim;
            int mi = r >> 1;
            int h = r & 1;
#pragma unroll
            for (int ni = 0; ni < 8; ni++) {
#pragma unroll
                for (int e = 0; e < 2; e++) {
                    int d = c0 + wcd + ni * 8 + 2 * t + e;
                    if (d < dim) {
                        dst[d] = out[mi][ni][2 * h + e] * scale;
                    }
                }
            }
        }
    }
}
