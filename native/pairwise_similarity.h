/*
 * C ABI of cuda-kernels/pairwise_similarity.cu: cosine similarity of L2-normalised embeddings and
 * Hamming distance of packed hashes over all pairs, never materialising the n x n matrix.
 *
 * Shared conventions
 *   x       float, (n, ld) row-major; ld is the padded embedding width, a multiple of 32, columns
 *           d..ld-1 are zero (zeros leave every dot product unchanged).
 *   xb      bf16 copy of x, (n, ld) row-major (written by pairwise_similarity_to_bf16).
 *   volume  int, (n), volume id of each row, or NULL: with it only pairs of the same volume count.
 *   cos     every fp32 score is the sequential chain acc = fmaf(x[i][k], x[j][k], acc) for
 *           k = 0..ld-1 starting from acc = 0, in that order, in every kernel (simple, tiled and the
 *           bf16 re-check), so all fp32 variants agree bit for bit.
 *   keys    unsigned long long, (n): packed (ordered score bits << 32 | ~j); 0 = no candidate.
 *           The caller zeroes them; atomicMax keeps the largest score, ties the smallest j.
 *   edges   count (unsigned long long, 1) counts every edge found even beyond capacity (64 bits:
 *           an int would wrap on datasets of many near-duplicates); only the first
 *           `capacity` are stored in row/col/score (int, int, float, each (capacity)), in no order.
 * Tiled kernels run over the lower triangle of 128 x 128 tiles: grid = (T (T + 1) / 2) blocks,
 * T = ceil(n / 128), block = 256 threads.
 */
#ifndef LESSISMORE_PAIRWISE_SIMILARITY_H
#define LESSISMORE_PAIRWISE_SIMILARITY_H

#ifdef __cplusplus
extern "C" {
#endif

/* ---- max over earlier rows (j < i) ---------------------------------------------------------- */

/* Simple: grid n blocks, block 256; block i scans j < i. keys as above. */
__global__ void pairwise_similarity_max_earlier_simple(const float *x, int n, int ld, const int *volume,
                                                       unsigned long long *keys);
/* Tiled fp32 (CUDA cores), lower-triangle tiles, same keys. active_count (int, n) or NULL: when
   given, only rows with active_count[i] > active_cap are computed (the bf16 path's overflowed
   candidate lists); tiles without such a row cost one barrier. */
__global__ void pairwise_similarity_max_earlier_f32(const float *x, int n, int ld, const int *volume,
                                                    unsigned long long *keys, const int *active_count,
                                                    int active_cap);
/* Decodes keys (n) into max (float, n; -Infinity when none) and argmax (int, n; -1 when none).
   grid ceil(n / 256), block 256. */
__global__ void pairwise_similarity_keys_decode(const unsigned long long *keys, int n, float *max, int *argmax);

/* ---- bf16 tensor-core path with fp32 re-check ------------------------------------------------ */

/* xb = bf16(x) rounded to nearest even, (n, ld); grid ceil(n * ld / 2 / 256), block 256. */
__global__ void pairwise_similarity_to_bf16(const float *x, long long elements, unsigned short *xb);
/* Seeds the per-row running bf16 maximum est (unsigned, n; ordered float bits) with a value known
   to be <= the final bf16 maximum (fp32 cos(i, i-1) - margin when i-1 is a candidate) and zeroes
   count (int, n). grid ceil(n / 256), block 256. */
__global__ void pairwise_similarity_max_earlier_bf16_init(const float *x, int n, int ld, const int *volume,
                                                          float margin, unsigned int *est, int *count);
/* Tiled bf16 mma.sync pass: for each row keeps est = running max of bf16 cos over j < i and
   appends every j whose bf16 cos >= est - window (window = 2 margin) to cand (int, (n, cap));
   count (int, n) counts appends beyond cap too (such rows are then scanned by the fp32 tiled
   kernel restricted to them). */
__global__ void pairwise_similarity_max_earlier_bf16(const unsigned short *xb, int n, int ld, const int *volume,
                                                     float window, unsigned int *est, int *count, int *cand,
                                                     int cap);
/* fp32 re-check: grid n blocks, block 128. Row i: fp32 cos of every listed candidate, exact max and
   argmax (ties: smallest j) into max/argmax (n); a row whose list overflowed (count[i] > cap)
   takes keys[i] instead, written by pairwise_similarity_max_earlier_f32 restricted to those rows. */
__global__ void pairwise_similarity_max_earlier_recheck(const float *x, int n, int ld, const int *count,
                                                        const int *cand, int cap, const unsigned long long *keys,
                                                        float *max, int *argmax);

/* ---- edges: pairs j < i with cos >= tau ------------------------------------------------------ */

/* Simple: grid (n, ceil(n / 256)), block 256, thread (i, j). */
__global__ void pairwise_similarity_edges_simple(const float *x, int n, int ld, const int *volume, float tau,
                                                 unsigned long long *count, int *row, int *col, float *score, int capacity);
/* Tiled fp32. */
__global__ void pairwise_similarity_edges_f32(const float *x, int n, int ld, const int *volume, float tau,
                                              unsigned long long *count, int *row, int *col, float *score, int capacity);
/* Tiled bf16 mma.sync: candidate pairs with bf16 cos >= lower (= tau - margin) into crow/ccol
   (int, capacity each), count counting all. */
__global__ void pairwise_similarity_edges_bf16(const unsigned short *xb, int n, int ld, const int *volume,
                                               float lower, unsigned long long *count, int *crow, int *ccol, int capacity);
/* fp32 re-check of candidates: grid ceil(candidates / 256), block 256; keeps those with fp32
   cos >= tau as edges. */
__global__ void pairwise_similarity_edges_recheck(const float *x, int ld, const int *crow, const int *ccol,
                                                  int candidates, float tau, unsigned long long *count, int *row, int *col,
                                                  float *score, int capacity);

/* ---- top k over j != i --------------------------------------------------------------------- */

/* grid ceil(n / 4), block 128 (one warp per row). k <= 32. index (int, (n, k)), score (float,
   (n, k)): descending, ties smaller j first, padded with -1 / -Infinity. */
__global__ void pairwise_similarity_topk(const float *x, int n, int ld, const int *volume, int k, int *index,
                                         float *score);

/* ---- Hamming distance of packed 64-bit hashes ------------------------------------------------ */

/* hashes unsigned long long, (n, words), words 1..4. Pairs j < i with popcount(h_i ^ h_j) <= t,
   score = distance. Simple: grid (n, ceil(n / 256)), block 256. */
__global__ void pairwise_similarity_hamming_simple(const unsigned long long *hashes, int n, int words,
                                                   const int *volume, int t, unsigned long long *count, int *row, int *col,
                                                   float *score, int capacity);
/* Tiled (lower-triangle tiles as above). */
__global__ void pairwise_similarity_hamming_tiled(const unsigned long long *hashes, int n, int words,
                                                  const int *volume, int t, unsigned long long *count, int *row, int *col,
                                                  float *score, int capacity);

#ifdef __cplusplus
}
#endif

#endif
