/*
 * Batch perceptual hashing (imagehash 4.3 dHash, aHash, pHash with Pillow's LANCZOS resize), bit for
 * bit what lessismore.signature.ImageHash computes for each image. Java binding:
 * lessismore.kernels.CudaPerceptualHash; reference: lessismore.kernels.PerceptualHash.
 *
 * Shapes: a batch is `count` images of w x h pixels, row-major, contiguous (image i starts at
 * element i * w * h). Two inputs:
 *   u8:  unsigned bytes, the 8-bit image itself;
 *   i16: int16 pixels plus, per image i, an 8-bit lookup table: gray(v) = luts[lutOffset[i] + v -
 *        lutMin[i]] (the caller guarantees every pixel v of image i has v - lutMin[i] inside that
 *        image's table; lessismore.preprocess.Preprocessing.lut builds such tables).
 * The resize goes to outW x outH: dHash (hashSize + 1) x hashSize, aHash hashSize x hashSize, pHash
 * 4 hashSize x 4 hashSize. Output: `words` = hashSize^2 / 64 unsigned 64-bit words per image, bit i
 * of the hash (row-major over the hash grid) in bit 63 - i % 64 of word i / 64; out is (count, words).
 *
 * Resize tables (int32, built on the host from lessismore.signature.PilLanczos, 22 fractional bits):
 * an axis whose size does not change uses the identity table (first[i] = i, count[i] = 1, weight
 * 1 << 22), which reproduces Pillow's skipped pass exactly. Rows [rowFirst, rowEnd) are the input
 * rows the vertical pass reads; only those go through the horizontal pass.
 *
 * Kind codes: 0 dHash, 1 aHash, 2 pHash (lessismore.kernels.PerceptualHash.Kind ordinals).
 * Supported hash sizes: 8 and 16.
 */
#ifndef LESSISMORE_PERCEPTUAL_HASH_H
#define LESSISMORE_PERCEPTUAL_HASH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Rows of the image each block stages in shared memory at a time (2 rows per lane of a warp). */
#define PERCEPTUAL_HASH_BAND_ROWS 64
/** Horizontal outputs computed together by one warp (one "group"). */
#define PERCEPTUAL_HASH_GROUP_WIDTH 4

/*
 * Fused kernels (fast path): one block per image, grid (count), block (32 * warps) with warps >= 1.
 * Dynamic shared memory `smemBytes` = resOffset + 4 * outW * outH (rounded up to 16), laid out as
 *   [0, midOffset):        the band of 64 input rows, 8-bit, `pitch` bytes per row (pitch a multiple
 *                          of 16, >= every group's kStart + kLen and >= w); reused at the end by
 *                          pHash as doubles: cols (hashSize x 4 hashSize), then block (hashSize^2);
 *   [midOffset, resOffset): the band's horizontal results, int32, 64 rows x (4 * groups);
 *   [resOffset, ...):       the vertical accumulators, int32, outH x outW (then the resized image).
 * midOffset and resOffset are multiples of 16.
 *
 * hGroups (int4, groups = ceil(outW / 4)): {kStart, kLen, wOffset, 0} of group g = outputs 4g..4g+3:
 * kStart and kLen are multiples of 16 and [kStart, kStart + kLen) covers the windows of those outputs.
 * hWeights (int4) from wOffset: first a bias int4, bias_o = (1 << 21) + 128 * (sum of output o's
 * weights) (wrapping int32); then for each 4 columns c (k = kStart + 4c .. + 3) 3 int4s, digit planes
 * q = 0, 1, 2: component o packs, in byte i, digit q of output o's weight at column kStart + 4c + i,
 * where weight = d0 + 256 d1 + 65536 d2 with every d in [-128, 127] (0 outside an output's window and
 * for outputs >= outW). The kernel forms sum_k p_k * weight_k = bias - 2^21 + sum_q 2^(8q) *
 * sum_k (p_k - 128) * d_q(k) with dp4a, exact modulo 2^32 (and so exact: Pillow's sums fit in int32).
 * vFirst, vCount (int, outH) and vWeights (int, outH x vKsize): vertical table, weight j of output row
 * yy multiplies input row vFirst[yy] + j.
 * cosines (double, hashSize x 4 hashSize, pHash only, else may be null): cos(pi k (2m + 1) / 2N) at
 * [k * N + m], N = 4 hashSize, exactly ImageHash's table.
 * vec: the widest load the input allows, in elements: u8 16, 4 or 1; i16 8, 2 or 1 (the host checks
 * w and the address).
 */
__global__ void perceptual_hash_u8(const uint8_t *images, int count, int w, int h, int vec,
                                   int outW, int outH, int rowFirst, int rowEnd, int pitch,
                                   int midOffset, int resOffset, int groups, const int *hGroups,
                                   const int *hWeights, const int *vFirst, const int *vCount,
                                   const int *vWeights, int vKsize, int kind, int hashSize,
                                   const double *cosines, unsigned long long *out);

__global__ void perceptual_hash_i16(const int16_t *pixels, const uint8_t *luts, const int *lutMin,
                                    const int *lutOffset, int count, int w, int h, int vec,
                                    int outW, int outH, int rowFirst, int rowEnd, int pitch,
                                    int midOffset, int resOffset, int groups, const int *hGroups,
                                    const int *hWeights, const int *vFirst, const int *vCount,
                                    const int *vWeights, int vKsize, int kind, int hashSize,
                                    const double *cosines, unsigned long long *out);

/*
 * Simple kernels (reference variant for parity tests; straightforward, slow): three launches over a
 * global scratch buffer, each thread doing one output the way PilLanczos does, no shared memory.
 *
 * perceptual_hash_simple_horizontal_{u8,i16}: grid-stride over count x (rowEnd - rowFirst) x outW;
 *   mid[(i * (rowEnd - rowFirst) + y - rowFirst) * outW + xx] = clip8(sum over j < hCount[xx] of
 *   pixel(i, y, hFirst[xx] + j) * hWeights[xx * hKsize + j] + (1 << 21)).
 * perceptual_hash_simple_vertical: grid-stride over count x outH x outW;
 *   res[(i * outH + yy) * outW + xx] = clip8(sum over j < vCount[yy] of
 *   mid[(i * rows + vFirst[yy] - rowFirst + j) * outW + xx] * vWeights[yy * vKsize + j] + (1 << 21)).
 * perceptual_hash_simple_bits: one thread per image, the hash of its resized image res (outW x outH)
 *   exactly as ImageHash forms it (insertion sort for the pHash median); `scratch` holds
 *   count x (hashSize x 4 hashSize + 2 hashSize^2) doubles (pHash only, else may be null).
 */
__global__ void perceptual_hash_simple_horizontal_u8(const uint8_t *images, int count, int w, int h,
                                                     int outW, int rowFirst, int rowEnd,
                                                     const int *hFirst, const int *hCount,
                                                     const int *hWeights, int hKsize, int *mid);

__global__ void perceptual_hash_simple_horizontal_i16(const int16_t *pixels, const uint8_t *luts,
                                                      const int *lutMin, const int *lutOffset,
                                                      int count, int w, int h, int outW,
                                                      int rowFirst, int rowEnd, const int *hFirst,
                                                      const int *hCount, const int *hWeights,
                                                      int hKsize, int *mid);

__global__ void perceptual_hash_simple_vertical(const int *mid, int count, int outW, int outH,
                                                int rowFirst, int rowEnd, const int *vFirst,
                                                const int *vCount, const int *vWeights, int vKsize,
                                                int *res);

__global__ void perceptual_hash_simple_bits(const int *res, int count, int kind, int hashSize,
                                            const double *cosines, double *scratch,
                                            unsigned long long *out);

#ifdef __cplusplus
}
#endif

#endif
