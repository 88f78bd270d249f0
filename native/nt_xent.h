/*
 * C ABI of the NT-Xent kernels (cuda-kernels/nt_xent.cu): SimCLR's contrastive loss, forward and
 * backward, without ever storing the N x N logits (N = 2B rows).
 *
 * Notation: z is (N, D) row-major fp32, rows i and i + B are the two views of sample i, pos(i) =
 * (i + B) mod N. zhat = z / max(|z|, 1e-12); s_ij = zhat_i . zhat_j / tau; lse_i = log sum_{j != i}
 * exp(s_ij); loss = mean_i (lse_i - s_i,pos(i)).
 * Backward: dzhat_i = (1 / (N tau)) sum_j G_ij zhat_j with G_ij = P_ij + P_ji - 2 [j = pos(i)],
 * P_ij = exp(s_ij - lse_i) (0 for j = i); dz_i = (dzhat_i - zhat_i (zhat_i . dzhat_i)) / |z_i|, or
 * dzhat_i / 1e-12 where the norm was clamped (PyTorch's F.normalize).
 *
 * A call is five launches on one stream:
 *   1. nt_xent_normalize                       -> zhat (padded), norm
 *   2. nt_xent_lse_tiled (or nt_xent_lse_simple) -> per-split online-softmax partials pm, pl; spos
 *   3. nt_xent_loss_finish                     -> lse, loss (deterministic: no float atomics)
 *   4. nt_xent_grad_tiled (or nt_xent_grad_simple) -> per-split partial dzhat
 *   5. nt_xent_grad_finish                     -> dz
 * Padded shapes: Np = N rounded up to NT_XENT_TILE_ROWS, Dp = D rounded up to NT_XENT_DIM_ALIGN; padding rows
 * and columns of zhat are 0 (they add nothing to dot products; padded columns j >= N are masked).
 * All kernels take blockDim = (NT_XENT_THREADS, 1, 1). D is at most NT_XENT_MAX_DIM.
 *
 * Three variants of steps 2 and 4: *_simple (one block per row), *_tiled (fp32 CUDA cores, register
 * tiles) and *_tc (tensor cores, mma.sync m16n8k8 TF32 with each operand split into a TF32 high part
 * and a TF32 remainder, three products per multiply: about fp32 accuracy). They share steps 1, 3, 5.
 */
#ifndef LESSISMORE_NT_XENT_H
#define LESSISMORE_NT_XENT_H

/* Threads per block of every kernel (nt_xent_loss_finish: NT_XENT_FINISH_THREADS). */
#define NT_XENT_THREADS 256
#define NT_XENT_FINISH_THREADS 1024
/* Rows per block tile of the tiled kernels; also the column tile of nt_xent_lse_tiled. */
#define NT_XENT_TILE_ROWS 128
/* Column tile (rows of zhat streamed per step) of nt_xent_grad_tiled. */
#define NT_XENT_GRAD_COLS 64
/* Columns of dzhat one block of nt_xent_grad_tiled accumulates (gridDim.z = ceil(D / this)). */
#define NT_XENT_GRAD_DCHUNK 128
/* k-slab of the tiled (fp32) dot products. */
#define NT_XENT_K 8
/* k-slab of the tensor-core dot products (two m16n8k8 steps). */
#define NT_XENT_TC_K 16
/* Dp is a multiple of this (of both slabs). */
#define NT_XENT_DIM_ALIGN 16
/* Largest D (nt_xent_grad_simple keeps D / NT_XENT_THREADS accumulators per thread). */
#define NT_XENT_MAX_DIM 2048
/* Rows per block of nt_xent_normalize and nt_xent_grad_finish (one warp per row). */
#define NT_XENT_ROWS_PER_BLOCK (NT_XENT_THREADS / 32)

/* Dynamic shared memory in bytes. */
#define NT_XENT_LSE_TILED_SMEM (2 * 2 * NT_XENT_K * (NT_XENT_TILE_ROWS + 4) * 4)
#define NT_XENT_GRAD_TILED_SMEM                                                        \
    ((2 * NT_XENT_K * (NT_XENT_TILE_ROWS + 4) + 2 * NT_XENT_K * (NT_XENT_GRAD_COLS + 4) \
      + NT_XENT_TILE_ROWS * (NT_XENT_GRAD_COLS + 4) + NT_XENT_GRAD_COLS * NT_XENT_GRAD_DCHUNK) * 4)
/* Tensor-core kernels: k-slabs [row][k] with rows padded to NT_XENT_TC_K + 4 floats. */
#define NT_XENT_TC_SLAB (NT_XENT_TC_K + 4)
#define NT_XENT_LSE_TC_SMEM (2 * 2 * NT_XENT_TILE_ROWS * NT_XENT_TC_SLAB * 4)
#define NT_XENT_GRAD_TC_SMEM                                                                        \
    ((2 * (NT_XENT_TILE_ROWS + NT_XENT_GRAD_COLS) * NT_XENT_TC_SLAB + NT_XENT_TILE_ROWS * (NT_XENT_GRAD_COLS + 4) \
      + NT_XENT_GRAD_COLS * (NT_XENT_GRAD_DCHUNK + 8)) * 4)
/* nt_xent_lse_simple: none beyond this; nt_xent_grad_simple: (Dp + NT_XENT_THREADS) * 4. */
#define NT_XENT_LSE_SIMPLE_SMEM (2 * NT_XENT_THREADS * 4)
#define NT_XENT_FINISH_SMEM (NT_XENT_FINISH_THREADS * 8)

#ifdef __cplusplus
extern "C" {
#endif

/*
 * zhat (Np, Dp) and norm (N) from z (N, D). Grid: Np / NT_XENT_ROWS_PER_BLOCK blocks, one warp per
 * row; rows >= N and columns >= D of zhat are written as 0. norm[i] = |z_i| unclamped (fp32).
 */
__global__ void nt_xent_normalize(const float *z, int rows, int dim, int paddedDim, float *zhat,
                                  float *norm);

/*
 * Simple variant of step 2 (one block per row, threads over columns; for testing the tiled one).
 * Grid: N blocks. Writes pm[i], pl[i] (one split: the row's max logit over j != i and sum of
 * exp(s_ij - pm[i])) and spos[i] = s_i,pos(i). Dynamic shared memory NT_XENT_LSE_SIMPLE_SMEM.
 */
__global__ void nt_xent_lse_simple(const float *zhat, int rows, int paddedDim, float invTau, float *pm,
                                   float *pl, float *spos);

/*
 * Tiled step 2. Grid: (Np / NT_XENT_TILE_ROWS, splits); block (x, y) owns rows [128 x, 128 x + 128)
 * and the 128-column tiles [y tilesPerSplit, min((y + 1) tilesPerSplit, Np / 128)), with splits =
 * ceil((Np / 128) / tilesPerSplit) so that no split is empty (an empty one would read past zhat); computes their
 * 128 x 128 logit tiles in registers and keeps an online max / sum per row. Writes pm[y N + i],
 * pl[y N + i] (pl = 0 and pm = -1e30 where the split saw no column j != i) and spos[i].
 * Dynamic shared memory NT_XENT_LSE_TILED_SMEM.
 */
__global__ void nt_xent_lse_tiled(const float *zhat, int rows, int paddedDim, float invTau,
                                  int tilesPerSplit, float *pm, float *pl, float *spos);

/*
 * Tensor-core step 2: grid, outputs and split rule as nt_xent_lse_tiled. 8 warps as 4 x 2, each
 * computing a 32 x 64 part of the 128 x 128 logit tile with 3xTF32 mma.sync.
 * Dynamic shared memory NT_XENT_LSE_TC_SMEM.
 */
__global__ void nt_xent_lse_tc(const float *zhat, int rows, int paddedDim, float invTau, int tilesPerSplit,
                               float *pm, float *pl, float *spos);

/*
 * Step 3, one block of NT_XENT_FINISH_THREADS threads: lse[i] from the splits' partials (merged in
 * split order), loss[0] = mean_i (lse[i] - spos[i]) summed in double in a fixed order.
 * Dynamic shared memory NT_XENT_FINISH_SMEM.
 */
__global__ void nt_xent_loss_finish(const float *pm, const float *pl, const float *spos, int rows,
                                    int splits, float *lse, float *loss);

/*
 * Simple variant of step 4. Grid: N blocks; block i writes part[i D + d] = dzhat_i[d] for d < D
 * (one split). scale = 1 / (N tau). Dynamic shared memory (Dp + NT_XENT_THREADS) * 4.
 */
__global__ void nt_xent_grad_simple(const float *zhat, const float *lse, int rows, int dim, int paddedDim,
                                    float invTau, float scale, float *part);

/*
 * Tiled step 4. Grid: (Np / NT_XENT_TILE_ROWS, splits, ceil(D / NT_XENT_GRAD_DCHUNK)); block (x, y, c)
 * owns rows [128 x, 128 x + 128), the 64-column tiles [y tilesPerSplit, min((y + 1) tilesPerSplit,
 * ceil(N / 64))) (splits = ceil(ceil(N / 64) / tilesPerSplit)) and dzhat columns [128 c, 128 c + 128): per column tile it recomputes the 128 x 64
 * logits, forms G in shared memory and accumulates G zhat_J. Writes part[(y N + i) D + d] (the
 * split's share of dzhat, scaled by scale = 1 / (N tau)). Dynamic shared memory
 * NT_XENT_GRAD_TILED_SMEM (above 48 KiB: needs the opt-in attribute).
 */
__global__ void nt_xent_grad_tiled(const float *zhat, const float *lse, int rows, int dim, int paddedDim,
                                   float invTau, float scale, int tilesPerSplit, float *part);

/*
 * Tensor-core step 4: grid, outputs and split rule as nt_xent_grad_tiled; both products (the
 * 128 x 64 logits and G zhat_J) with 3xTF32 mma.sync. Dynamic shared memory NT_XENT_GRAD_TC_SMEM
 * (above 48 KiB: needs the opt-in attribute).
 */
__global__ void nt_xent_grad_tc(const float *zhat, const float *lse, int rows, int dim, int paddedDim,
                                float invTau, float scale, int tilesPerSplit, float *part);

/*
 * Step 5. Grid: ceil(N / NT_XENT_ROWS_PER_BLOCK) blocks, one warp per row: dzhat_i = sum over the
 * splits of part (in split order), then dz through the normalisation.
 */
__global__ void nt_xent_grad_finish(const float *part, const float *zhat, const float *norm, int rows,
                                    int dim, int paddedDim, int splits, float *dz);

#ifdef __cplusplus
}
#endif

#endif
