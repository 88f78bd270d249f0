// Batch perceptual hashing: dHash, aHash and pHash of imagehash 4.3, bit for bit what
// lessismore.signature.ImageHash computes. Shapes, tables and shared-memory layout: see
// native/perceptual_hash.h.
//
// Exactness: the resize is integer arithmetic on tables built on the host by PilLanczos (int sums are
// exact in any order, so the device may sum in its own order, and in the fused kernel through dp4a
// on byte digits of the weights, exact mod 2^32); the floating-point steps of aHash and
// pHash are the Java code's operations in the Java code's order with the round-to-nearest intrinsics,
// which nvcc never contracts into FMAs.
#include "perceptual_hash.h"

namespace {

constexpr int kPrecisionBits = 22;             // PilLanczos.PRECISION_BITS
constexpr int kRound = 1 << (kPrecisionBits - 1);
constexpr int kBand = PERCEPTUAL_HASH_BAND_ROWS;
constexpr int kDHash = 0;
constexpr int kAHash = 1;
constexpr int kPHash = 2;

// Pillow's clip8: the accumulator shifted down (arithmetic shift, as Java's >>) and clamped.
__device__ __forceinline__ int clip8(int acc) {
    return min(max(acc >> kPrecisionBits, 0), 255);
}

// Four pixels p (unsigned bytes) as the signed bytes p - 128, for dp4a.
__device__ __forceinline__ int signedBytes(unsigned x) {
    return (int) (x ^ 0x80808080u);
}

// bias + s0 + 2^8 s1 + 2^16 s2 in wrapping 32-bit arithmetic: the horizontal pass's accumulator.
__device__ __forceinline__ int recompose(int bias, int s0, int s1, int s2) {
    return (int) ((unsigned) bias + (unsigned) s0 + ((unsigned) s1 << 8) + ((unsigned) s2 << 16));
}

// Staging: rows [y0, y0 + rows) of one image into band (row r at band + r * pitch, w bytes), V input
// elements per load. The bytes [w, pitch) of each row are zero from the kernel's start. Each thread
// issues kUnroll loads before it stores any, so that several are in flight (one at a time would
// leave the block waiting a global-memory latency per chunk).
constexpr int kUnroll = 4;

// The register type of one load of V elements of input type In.
template <typename In, int V> struct Chunk;
template <> struct Chunk<uint8_t, 16> { using T = uint4; };
template <> struct Chunk<uint8_t, 4> { using T = unsigned; };
template <> struct Chunk<uint8_t, 1> { using T = uint8_t; };
template <> struct Chunk<int16_t, 8> { using T = uint4; };
template <> struct Chunk<int16_t, 2> { using T = unsigned; };
template <> struct Chunk<int16_t, 1> { using T = int16_t; };

// Gray value of int16 v through the image's table.
__device__ __forceinline__ unsigned lookUp(const uint8_t *lut, int lo, int v) {
    return __ldg(lut + (v - lo));
}

// Stores one chunk of V elements at dst: bytes as they are, int16 through the table.
template <typename In, int V>
__device__ __forceinline__ void put(uint8_t *dst, typename Chunk<In, V>::T c, const uint8_t *lut,
                                    int lo) {
    if constexpr (sizeof(In) == 1) {
        *reinterpret_cast<typename Chunk<In, V>::T *>(dst) = c;
    } else if constexpr (V == 8) {
        const unsigned words[4] = {c.x, c.y, c.z, c.w};
        unsigned packed[2];
#pragma unroll
        for (int p = 0; p < 2; ++p) {
            unsigned b = 0;
#pragma unroll
            for (int e = 0; e < 4; ++e) {
                const unsigned word = words[2 * p + e / 2];
                const int v = (int16_t) (e % 2 == 0 ? word & 0xFFFFu : word >> 16);
                b |= lookUp(lut, lo, v) << (8 * e);
            }
            packed[p] = b;
        }
        *reinterpret_cast<uint2 *>(dst) = make_uint2(packed[0], packed[1]);
    } else if constexpr (V == 2) {
        const int v0 = (int16_t) (c & 0xFFFFu);
        const int v1 = (int16_t) (c >> 16);
        *reinterpret_cast<unsigned short *>(dst) =
            (unsigned short) (lookUp(lut, lo, v0) | lookUp(lut, lo, v1) << 8);
    } else {
        *dst = (uint8_t) lookUp(lut, lo, c);
    }
}

// src is the image's first element; lut/lo are unused for bytes.
template <typename In, int V>
__device__ __forceinline__ void stage(const In *src, int w, int y0, int rows, uint8_t *band,
                                      int pitch, const uint8_t *lut, int lo) {
    using T = typename Chunk<In, V>::T;
    const int perRow = w / V;
    const int total = rows * perRow;
    for (int c0 = threadIdx.x; c0 < total; c0 += kUnroll * blockDim.x) {
        T v[kUnroll];
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
            const int c = c0 + u * blockDim.x;
            if (c < total) {
                const int r = c / perRow;
                const int x = (c - r * perRow) * V;
                v[u] = __ldg(reinterpret_cast<const T *>(src + (long long) (y0 + r) * w + x));
            }
        }
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
            const int c = c0 + u * blockDim.x;
            if (c < total) {
                const int r = c / perRow;
                const int x = (c - r * perRow) * V;
                put<In, V>(band + r * pitch + x, v[u], lut, lo);
            }
        }
    }
}

// The fused kernel: stage 64-row bands, horizontal pass per band (warp = group of 4 outputs, lane =
// rows lane and lane + 32), vertical accumulation per band, then the hash of the resized image.
template <typename Stage>
__device__ __forceinline__ void fused(const Stage &stageBand, int image, int w, int outW, int outH,
                                      int rowFirst, int rowEnd, int pitch, int midOffset,
                                      int resOffset, int groups, const int4 *hGroups,
                                      const int4 *hWeights, const int *vFirst, const int *vCount,
                                      const int *vWeights, int vKsize, int kind, int hashSize,
                                      const double *cosines, unsigned long long *out) {
    extern __shared__ __align__(16) unsigned char smem[];
    uint8_t *band = smem;
    int *mid = reinterpret_cast<int *>(smem + midOffset);
    int *res = reinterpret_cast<int *>(smem + resOffset);
    const int tid = threadIdx.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const int warps = blockDim.x >> 5;
    const int midPitch = 4 * groups;
    const int outs = outW * outH;

    // Zero the bytes right of the image in every band row (read by the last groups with weight 0)
    // and start every vertical accumulator at Pillow's rounding offset.
    const int tail = pitch - w;
    for (int c = tid; c < kBand * tail; c += blockDim.x) {
        band[(c / tail) * pitch + w + c % tail] = 0;
    }
    for (int p = tid; p < outs; p += blockDim.x) {
        res[p] = kRound;
    }

    for (int y0 = rowFirst; y0 < rowEnd; y0 += kBand) {
        const int rows = min(kBand, rowEnd - y0);
        __syncthreads();   // previous band's vertical step has read mid (and the first: the zeroing)
        stageBand(y0, rows, band, pitch);
        __syncthreads();

        // Horizontal pass: mid[r][4g + o] = clip8(sum_k band[r][k] * weight_o(k)), r < rows, as
        // bias_o + S0 + 2^8 S1 + 2^16 S2 with S_q = sum_k (band[r][k] - 128) * digit_q(weight_o(k)):
        // dp4a (4 signed byte products a step) on the pixels XOR 0x80, exact mod 2^32.
        const int r0 = lane;
        const int r1 = lane + 32;
        if (r0 < rows) {
            const uint8_t *p0 = band + r0 * pitch;
            const uint8_t *p1 = band + r1 * pitch;   // rows >= `rows` hold stale bytes, never stored
            for (int g = warp; g < groups; g += warps) {
                const int4 grp = __ldg(hGroups + g);
                const int4 *wk = hWeights + grp.z;   // bias, then 3 digit planes per 4 columns
                int a[3][4] = {};                    // row r0: [digit plane][output]
                int b[3][4] = {};                    // row r1
                for (int kk = 0; kk < grp.y; kk += 16) {
                    const uint4 q0 = *reinterpret_cast<const uint4 *>(p0 + grp.x + kk);
                    const uint4 q1 = *reinterpret_cast<const uint4 *>(p1 + grp.x + kk);
                    const int u0[4] = {signedBytes(q0.x), signedBytes(q0.y), signedBytes(q0.z),
                                       signedBytes(q0.w)};
                    const int u1[4] = {signedBytes(q1.x), signedBytes(q1.y), signedBytes(q1.z),
                                       signedBytes(q1.w)};
                    const int4 *digits = wk + 1 + 3 * (kk >> 2);
#pragma unroll
                    for (int c = 0; c < 4; ++c) {
#pragma unroll
                        for (int q = 0; q < 3; ++q) {
                            const int4 d = __ldg(digits + 3 * c + q);
                            a[q][0] = __dp4a(u0[c], d.x, a[q][0]);
                            a[q][1] = __dp4a(u0[c], d.y, a[q][1]);
                            a[q][2] = __dp4a(u0[c], d.z, a[q][2]);
                            a[q][3] = __dp4a(u0[c], d.w, a[q][3]);
                            b[q][0] = __dp4a(u1[c], d.x, b[q][0]);
                            b[q][1] = __dp4a(u1[c], d.y, b[q][1]);
                            b[q][2] = __dp4a(u1[c], d.z, b[q][2]);
                            b[q][3] = __dp4a(u1[c], d.w, b[q][3]);
                        }
                    }
                }
                const int4 bias = __ldg(wk);
                *reinterpret_cast<int4 *>(mid + r0 * midPitch + 4 * g) =
                    make_int4(clip8(recompose(bias.x, a[0][0], a[1][0], a[2][0])),
                              clip8(recompose(bias.y, a[0][1], a[1][1], a[2][1])),
                              clip8(recompose(bias.z, a[0][2], a[1][2], a[2][2])),
                              clip8(recompose(bias.w, a[0][3], a[1][3], a[2][3])));
                if (r1 < rows) {
                    *reinterpret_cast<int4 *>(mid + r1 * midPitch + 4 * g) =
                        make_int4(clip8(recompose(bias.x, b[0][0], b[1][0], b[2][0])),
                                  clip8(recompose(bias.y, b[0][1], b[1][1], b[2][1])),
                                  clip8(recompose(bias.z, b[0][2], b[1][2], b[2][2])),
                                  clip8(recompose(bias.w, b[0][3], b[1][3], b[2][3])));
                }
            }
        }
        __syncthreads();

        // Vertical pass, this band's share: res[yy][xx] += sum over its rows y of mid[y][xx] * wv.
        const int y1 = y0 + rows;
        for (int p = tid; p < outs; p += blockDim.x) {
            const int yy = p / outW;
            const int xx = p - yy * outW;
            const int f = __ldg(vFirst + yy);
            const int lo = max(y0, f);
            const int hi = min(y1, f + __ldg(vCount + yy));
            const int *wv = vWeights + yy * vKsize;   // wv[y - f]: weight of input row y
            int acc = 0;
            for (int y = lo; y < hi; ++y) {
                acc += mid[(y - y0) * midPitch + xx] * __ldg(wv + (y - f));
            }
            res[p] += acc;
        }
    }
    __syncthreads();
    for (int p = tid; p < outs; p += blockDim.x) {
        res[p] = clip8(res[p]);
    }
    __syncthreads();

    const int n2 = hashSize * hashSize;
    const int words = n2 / 64;
    const int big = 4 * hashSize;
    double *cols = reinterpret_cast<double *>(smem);   // pHash: hashSize x big, over the band
    double *block = cols + hashSize * big;             // pHash: hashSize x hashSize
    __shared__ double threshold;   // aHash: the mean; pHash: the median
    __shared__ double middle[2];
    if (kind == kAHash) {
        // ImageHash.ahash: mean = (double) sum / n, bit where px > mean.
        if (tid == 0) {
            int sum = 0;
            for (int i = 0; i < n2; ++i) {
                sum += res[i];
            }
            threshold = __ddiv_rn((double) sum, (double) n2);
        }
    } else if (kind == kPHash) {
        // ImageHash.phash: cols = DCT down the columns (first hashSize frequencies), then block = DCT
        // of those rows, each a sequential sum s += px * cos in double, then 2 * s.
        for (int p = tid; p < hashSize * big; p += blockDim.x) {
            const int k = p / big;
            const int x = p - k * big;
            const double *c = cosines + k * big;
            double s = 0.0;
            for (int m = 0; m < big; ++m) {
                s = __dadd_rn(s, __dmul_rn((double) res[m * big + x], __ldg(c + m)));
            }
            cols[p] = __dmul_rn(2.0, s);
        }
        __syncthreads();
        for (int p = tid; p < n2; p += blockDim.x) {
            const int k = p / hashSize;
            const int j = p - k * hashSize;
            const double *row = cols + k * big;
            const double *c = cosines + j * big;
            double s = 0.0;
            for (int x = 0; x < big; ++x) {
                s = __dadd_rn(s, __dmul_rn(row[x], __ldg(c + x)));
            }
            block[p] = __dmul_rn(2.0, s);
        }
        __syncthreads();
        // numpy's median of the n2 (even) values: mean of sorted[n2/2 - 1] and sorted[n2/2]. The value
        // at sorted rank r is the v with (#values < v) <= r < (#values <= v); among equal values only
        // the first writes. No NaN or -0.0 can occur (sums start at +0.0), so < is Java's sort order.
        for (int i = tid; i < n2; i += blockDim.x) {
            const double v = block[i];
            int lt = 0, le = 0, before = 0;
            for (int j = 0; j < n2; ++j) {
                const double u = block[j];
                lt += u < v;
                le += u <= v;
                before += (u == v) & (j < i);
            }
            if (before == 0) {
                for (int r = n2 / 2 - 1; r <= n2 / 2; ++r) {
                    if (lt <= r && r < le) {
                        middle[r - (n2 / 2 - 1)] = v;
                    }
                }
            }
        }
        __syncthreads();
        if (tid == 0) {
            threshold = __ddiv_rn(__dadd_rn(middle[0], middle[1]), 2.0);
        }
    }
    __syncthreads();

    for (int wd = tid; wd < words; wd += blockDim.x) {
        unsigned long long bits = 0;
        for (int b = 0; b < 64; ++b) {
            const int i = wd * 64 + b;
            bool set;
            if (kind == kDHash) {
                const int y = i / hashSize;
                const int x = i - y * hashSize;
                set = res[y * outW + x + 1] > res[y * outW + x];
            } else if (kind == kAHash) {
                set = (double) res[i] > threshold;
            } else {
                set = block[i] > threshold;
            }
            bits |= (unsigned long long) set << (63 - b);
        }
        out[(long long) image * words + wd] = bits;
    }
}

}  // namespace

extern "C" __global__ void perceptual_hash_u8(const uint8_t *images, int count, int w, int h, int vec,
                                              int outW, int outH, int rowFirst, int rowEnd, int pitch,
                                              int midOffset, int resOffset, int groups,
                                              const int *hGroups, const int *hWeights,
                                              const int *vFirst, const int *vCount,
                                              const int *vWeights, int vKsize, int kind,
                                              int hashSize, const double *cosines,
                                              unsigned long long *out) {
    const int image = blockIdx.x;
    const long long base = (long long) image * w * h;
    const uint8_t *src = images + base;
    auto stageBand = [&](int y0, int rows, uint8_t *band, int p) {
        if (vec == 16) {
            stage<uint8_t, 16>(src, w, y0, rows, band, p, nullptr, 0);
        } else if (vec == 4) {
            stage<uint8_t, 4>(src, w, y0, rows, band, p, nullptr, 0);
        } else {
            stage<uint8_t, 1>(src, w, y0, rows, band, p, nullptr, 0);
        }
    };
    fused(stageBand, image, w, outW, outH, rowFirst, rowEnd, pitch, midOffset, resOffset, groups,
          reinterpret_cast<const int4 *>(hGroups), reinterpret_cast<const int4 *>(hWeights), vFirst,
          vCount, vWeights, vKsize, kind, hashSize, cosines, out);
}

extern "C" __global__ void perceptual_hash_i16(const int16_t *pixels, const uint8_t *luts,
                                               const int *lutMin, const int *lutOffset, int count,
                                               int w, int h, int vec, int outW, int outH,
                                               int rowFirst, int rowEnd, int pitch, int midOffset,
                                               int resOffset, int groups, const int *hGroups,
                                               const int *hWeights, const int *vFirst,
                                               const int *vCount, const int *vWeights, int vKsize,
                                               int kind, int hashSize, const double *cosines,
                                               unsigned long long *out) {
    const int image = blockIdx.x;
    const long long base = (long long) image * w * h;
    const int16_t *src = pixels + base;
    const uint8_t *lut = luts + lutOffset[image];
    const int lo = lutMin[image];
    auto stageBand = [&](int y0, int rows, uint8_t *band, int p) {
        if (vec == 8) {
            stage<int16_t, 8>(src, w, y0, rows, band, p, lut, lo);
        } else if (vec == 2) {
            stage<int16_t, 2>(src, w, y0, rows, band, p, lut, lo);
        } else {
            stage<int16_t, 1>(src, w, y0, rows, band, p, lut, lo);
        }
    };
    fused(stageBand, image, w, outW, outH, rowFirst, rowEnd, pitch, midOffset, resOffset, groups,
          reinterpret_cast<const int4 *>(hGroups), reinterpret_cast<const int4 *>(hWeights), vFirst,
          vCount, vWeights, vKsize, kind, hashSize, cosines, out);
}

// ---- simple reference variant ------------------------------------------------------------------

namespace {

// Per-pixel input access: 8-bit images, or int16 through per-image tables.
struct U8Input {
    const uint8_t *images;

    __device__ __forceinline__ int gray(long long imageBase, long long index, int) const {
        return images[imageBase + index];
    }
};

struct I16Input {
    const int16_t *pixels;
    const uint8_t *luts;
    const int *lutMin;
    const int *lutOffset;

    __device__ __forceinline__ int gray(long long imageBase, long long index, int image) const {
        int v = pixels[imageBase + index];
        return luts[(long long) lutOffset[image] + (v - lutMin[image])];
    }
};

template <typename Input>
__device__ void simpleHorizontal(const Input &in, int count, int w, int h, int outW, int rowFirst,
                                 int rowEnd, const int *hFirst, const int *hCount,
                                 const int *hWeights, int hKsize, int *mid) {
    const int rows = rowEnd - rowFirst;
    const long long total = (long long) count * rows * outW;
    for (long long t = blockIdx.x * (long long) blockDim.x + threadIdx.x; t < total;
         t += (long long) gridDim.x * blockDim.x) {
        const int xx = (int) (t % outW);
        const int y = rowFirst + (int) (t / outW % rows);
        const int image = (int) (t / ((long long) outW * rows));
        const long long base = (long long) image * w * h;
        int acc = kRound;
        for (int j = 0; j < hCount[xx]; ++j) {
            acc += in.gray(base, (long long) y * w + hFirst[xx] + j, image) * hWeights[xx * hKsize + j];
        }
        mid[t] = clip8(acc);
    }
}

// Ascending insertion sort of n doubles (no NaN occurs).
__device__ void insertionSort(double *a, int n) {
    for (int i = 1; i < n; ++i) {
        const double v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            --j;
        }
        a[j + 1] = v;
    }
}

}  // namespace

extern "C" __global__ void perceptual_hash_simple_horizontal_u8(const uint8_t *images, int count,
                                                                int w, int h, int outW,
                                                                int rowFirst, int rowEnd,
                                                                const int *hFirst,
                                                                const int *hCount,
                                                                const int *hWeights, int hKsize,
                                                                int *mid) {
    simpleHorizontal(U8Input{images}, count, w, h, outW, rowFirst, rowEnd, hFirst, hCount,
                     hWeights, hKsize, mid);
}

extern "C" __global__ void perceptual_hash_simple_horizontal_i16(
    const int16_t *pixels, const uint8_t *luts, const int *lutMin, const int *lutOffset, int count,
    int w, int h, int outW, int rowFirst, int rowEnd, const int *hFirst, const int *hCount,
    const int *hWeights, int hKsize, int *mid) {
    simpleHorizontal(I16Input{pixels, luts, lutMin, lutOffset}, count, w, h, outW, rowFirst, rowEnd,
                     hFirst, hCount, hWeights, hKsize, mid);
}

extern "C" __global__ void perceptual_hash_simple_vertical(const int *mid, int count, int outW,
                                                           int outH, int rowFirst, int rowEnd,
                                                           const int *vFirst, const int *vCount,
                                                           const int *vWeights, int vKsize,
                                                           int *res) {
    const int rows = rowEnd - rowFirst;
    const long long total = (long long) count * outH * outW;
    for (long long t = blockIdx.x * (long long) blockDim.x + threadIdx.x; t < total;
         t += (long long) gridDim.x * blockDim.x) {
        const int xx = (int) (t % outW);
        const int yy = (int) (t / outW % outH);
        const int image = (int) (t / ((long long) outW * outH));
        int acc = kRound;
        for (int j = 0; j < vCount[yy]; ++j) {
            const long long m = ((long long) image * rows + vFirst[yy] - rowFirst + j) * outW + xx;
            acc += mid[m] * vWeights[yy * vKsize + j];
        }
        res[t] = clip8(acc);
    }
}

extern "C" __global__ void perceptual_hash_simple_bits(const int *res, int count, int kind,
                                                       int hashSize, const double *cosines,
                                                       double *scratch, unsigned long long *out) {
    const int image = blockIdx.x * blockDim.x + threadIdx.x;
    if (image >= count) {
        return;
    }
    const int n = hashSize;
    const int n2 = n * n;
    const int words = n2 / 64;
    unsigned long long *o = out + (long long) image * words;
    for (int wd = 0; wd < words; ++wd) {
        o[wd] = 0;
    }
    if (kind == kDHash) {
        const int *px = res + (long long) image * (n + 1) * n;
        for (int y = 0; y < n; ++y) {
            for (int x = 0; x < n; ++x) {
                if (px[y * (n + 1) + x + 1] > px[y * (n + 1) + x]) {
                    const int i = y * n + x;
                    o[i / 64] |= 1ull << (63 - i % 64);
                }
            }
        }
    } else if (kind == kAHash) {
        const int *px = res + (long long) image * n2;
        long long sum = 0;
        for (int i = 0; i < n2; ++i) {
            sum += px[i];
        }
        const double mean = __ddiv_rn((double) sum, (double) n2);
        for (int i = 0; i < n2; ++i) {
            if ((double) px[i] > mean) {
                o[i / 64] |= 1ull << (63 - i % 64);
            }
        }
    } else {
        const int big = 4 * n;
        const int *px = res + (long long) image * big * big;
        double *cols = scratch + (long long) image * (n * big + 2 * n2);
        double *block = cols + n * big;
        double *sorted = block + n2;
        for (int k = 0; k < n; ++k) {
            for (int x = 0; x < big; ++x) {
                double s = 0.0;
                for (int m = 0; m < big; ++m) {
                    s = __dadd_rn(s, __dmul_rn((double) px[m * big + x], cosines[k * big + m]));
                }
                cols[k * big + x] = __dmul_rn(2.0, s);
            }
        }
        for (int k = 0; k < n; ++k) {
            for (int j = 0; j < n; ++j) {
                double s = 0.0;
                for (int x = 0; x < big; ++x) {
                    s = __dadd_rn(s, __dmul_rn(cols[k * big + x], cosines[j * big + x]));
                }
                block[k * n + j] = __dmul_rn(2.0, s);
                sorted[k * n + j] = block[k * n + j];
            }
        }
        insertionSort(sorted, n2);
        const double median = __ddiv_rn(__dadd_rn(sorted[n2 / 2 - 1], sorted[n2 / 2]), 2.0);
        for (int i = 0; i < n2; ++i) {
            if (block[i] > median) {
                o[i / 64] |= 1ull << (63 - i % 64);
            }
        }
    }
}
