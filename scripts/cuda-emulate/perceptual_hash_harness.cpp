// Every perceptual_hash kernel (fused u8 / i16 at every load width the input allows, and the three
// simple launches), run on the CPU emulation (cuda_shim.h), against a plain CPU reference: Pillow's
// LANCZOS resize (horizontal pass, clip8, vertical pass, clip8, an unchanged axis skipped) and
// imagehash's dHash / aHash / pHash, bit for bit. The host plan (resize tables, packed dp4a digits,
// shared-memory layout, launch geometry) is a port of lessismore.kernels.PerceptualHashPlan. Inputs:
// random images with flat rectangles, noise, a flat image (ties everywhere), a gradient; int16 CT-like
// values over the whole int16 range with per-image lookup tables. Sizes include non-multiples of 16
// and 4, images narrower than a group and wider than a band. Run through run.sh.
#include "perceptual_hash_emul.cpp"  // written by run.sh from cuda-kernels/perceptual_hash.cu
#include <random>
#include <string>

namespace harness {  // named: the kernels' anonymous namespace has kBand, clip8, ...
constexpr int kPrecision = 22;
constexpr int kBand = PERCEPTUAL_HASH_BAND_ROWS, kGroup = PERCEPTUAL_HASH_GROUP_WIDTH;
const char *kKinds[] = {"dHash", "aHash", "pHash"};

struct Coefficients {
    int ksize;
    std::vector<int> first, count, weights;
};

// PilLanczos.coefficients: Pillow's 3-lobe Lanczos weights in 22-bit fixed point.
double sinc(double x) { return x == 0.0 ? 1.0 : std::sin(x * M_PI) / (x * M_PI); }
double lanczos(double x) { return (-3.0 <= x && x < 3.0) ? sinc(x) * sinc(x / 3) : 0.0; }
Coefficients lanczosTable(int inSize, int outSize) {
    double scale = (double)inSize / outSize, filterScale = std::max(scale, 1.0), support = 3.0 * filterScale;
    int ksize = (int)std::ceil(support) * 2 + 1;
    Coefficients c{ksize, std::vector<int>(outSize), std::vector<int>(outSize), std::vector<int>((size_t)outSize * ksize)};
    std::vector<double> w(ksize);
    for (int xx = 0; xx < outSize; xx++) {
        double center = (xx + 0.5) * scale, ss = 1.0 / filterScale;
        int xmin = std::max(0, (int)(center - support + 0.5));
        int xmax = std::min(inSize, (int)(center + support + 0.5)) - xmin;
        double ww = 0.0;
        for (int x = 0; x < xmax; x++) ww += w[x] = lanczos(((x + xmin) - center + 0.5) * ss);
        for (int x = 0; x < xmax; x++) {
            double k = ww != 0.0 ? w[x] / ww : w[x], fixed = k * (1 << kPrecision);
            c.weights[xx * ksize + x] = (int)(k < 0 ? -0.5 + fixed : 0.5 + fixed);
        }
        c.first[xx] = xmin;
        c.count[xx] = xmax;
    }
    return c;
}
Coefficients identity(int n) {
    Coefficients c{1, std::vector<int>(n), std::vector<int>(n, 1), std::vector<int>(n, 1 << kPrecision)};
    for (int i = 0; i < n; i++) c.first[i] = i;
    return c;
}
int ceil16(int x) { return (x + 15) & ~15; }
int ceil4(int x) { return (x + 3) & ~3; }

// PerceptualHashPlan: tables and geometry (layouts in native/perceptual_hash.h).
struct Plan {
    int kind, hs, w, h, outW, outH, rowFirst, rowEnd, groups, pitch, midOffset, resOffset, smemBytes, threads;
    Coefficients hor, ver;
    int *tables = nullptr;  // 16-byte aligned (int4 reads)
    int hGroupsAt, hWeightsAt, vFirstAt, vCountAt, vWeightsAt, hFirstAt, hCountAt, hRawAt;
    std::vector<double> cosines;

    Plan(int kind, int hs, int w, int h) : kind(kind), hs(hs), w(w), h(h) {
        outW = kind == 0 ? hs + 1 : kind == 1 ? hs : 4 * hs;
        outH = kind == 2 ? 4 * hs : hs;
        hor = outW != w ? lanczosTable(w, outW) : identity(w);
        ver = outH != h ? lanczosTable(h, outH) : identity(h);
        rowFirst = ver.first[0];
        rowEnd = ver.first[outH - 1] + ver.count[outH - 1];
        groups = (outW + kGroup - 1) / kGroup;
        // hGroups and hWeights, built from their description in native/perceptual_hash.h
        auto weightAt = [&](int xx, int k) {  // output xx's weight at input column k, 0 outside its window
            int j = k - (xx < outW ? hor.first[xx] : 0);
            return xx < outW && j >= 0 && j < hor.count[xx] ? hor.weights[xx * hor.ksize + j] : 0;
        };
        auto digit = [](int weight, int q) {  // balanced base-256 digit q, in [-128, 127]
            for (int i = 0; i < q; i++) weight = (weight - (int8_t)weight) / 256;
            return (int8_t)weight;
        };
        std::vector<int> groupTable, packed;
        for (int g = 0; g < groups; g++) {
            int lo = w, hi = 0;
            for (int xx = kGroup * g; xx < kGroup * (g + 1) && xx < outW; xx++) {
                lo = std::min(lo, hor.first[xx]);
                hi = std::max(hi, hor.first[xx] + hor.count[xx]);
            }
            int kStart = lo / 16 * 16, kLen = ceil16(hi) - kStart;
            groupTable.insert(groupTable.end(), {kStart, kLen, (int)packed.size() / 4, 0});
            for (int o = 0; o < kGroup; o++) {
                unsigned total = 0;
                for (int k = kStart; k < kStart + kLen; k++) total += weightAt(kGroup * g + o, k);
                packed.push_back((int)((1u << (kPrecision - 1)) + 128u * total));
            }
            for (int k4 = kStart; k4 < kStart + kLen; k4 += 4)
                for (int q = 0; q < 3; q++)
                    for (int o = 0; o < kGroup; o++) {
                        unsigned v = 0;
                        for (int i = 0; i < 4; i++) v |= (unsigned)(uint8_t)digit(weightAt(kGroup * g + o, k4 + i), q) << (8 * i);
                        packed.push_back((int)v);
                    }
        }
        int b = ceil16(w);
        pitch = b > 128 ? 128 * ((b - 16 + 127) / 128) + 16 : b;
        int epilogue = kind == 2 ? (hs * 4 * hs + hs * hs) * 8 : 0;
        midOffset = ceil16(std::max(kBand * pitch, epilogue));
        resOffset = midOffset + kBand * kGroup * groups * 4;
        smemBytes = resOffset + ceil16(outW * outH * 4);
        threads = 32 * std::clamp(groups, 2, 8);
        int at = 0;
        hGroupsAt = at; at += (int)groupTable.size();
        hWeightsAt = at; at = ceil4(at + (int)packed.size());
        vFirstAt = at; at = ceil4(at + outH);
        vCountAt = at; at = ceil4(at + outH);
        vWeightsAt = at; at = ceil4(at + (int)ver.weights.size());
        hFirstAt = at; at = ceil4(at + outW);
        hCountAt = at; at = ceil4(at + outW);
        hRawAt = at; at = ceil4(at + (int)hor.weights.size());
        tables = static_cast<int *>(std::aligned_alloc(16, at * 4));
        std::fill(tables, tables + at, 0);
        std::copy(groupTable.begin(), groupTable.end(), tables + hGroupsAt);
        std::copy(packed.begin(), packed.end(), tables + hWeightsAt);
        std::copy(ver.first.begin(), ver.first.end(), tables + vFirstAt);
        std::copy(ver.count.begin(), ver.count.end(), tables + vCountAt);
        std::copy(ver.weights.begin(), ver.weights.end(), tables + vWeightsAt);
        std::copy(hor.first.begin(), hor.first.end(), tables + hFirstAt);
        std::copy(hor.count.begin(), hor.count.end(), tables + hCountAt);
        std::copy(hor.weights.begin(), hor.weights.end(), tables + hRawAt);
        if (kind == 2) {  // ImageHash.dctCosines(4 hs), its first hs rows
            int N = 4 * hs;
            for (int k = 0; k < hs; k++)
                for (int m = 0; m < N; m++) cosines.push_back(std::cos(M_PI * k * (2 * m + 1) / (2.0 * N)));
        }
    }
    ~Plan() { std::free(tables); }
    int scratchDoubles() const { return kind == 2 ? hs * 4 * hs + 2 * hs * hs : 0; }
};

int clip8(int acc) { return std::clamp(acc >> kPrecision, 0, 255); }

// The reference: Pillow's resize of one 8-bit image (gray(x, y)), then imagehash's bits.
template <class Gray> std::vector<unsigned long long> reference(const Plan &p, Gray gray) {
    int w = p.w, h = p.h;
    std::vector<int> img((size_t)w * h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) img[(size_t)y * w + x] = gray(x, y);
    auto pass = [](const std::vector<int> &in, int len, int lines, int inStride, int inStep, const Coefficients &c, int outLen) {
        // out[line][o] from in[line * inStride + i * inStep], i < len
        std::vector<int> out((size_t)lines * outLen);
        for (int l = 0; l < lines; l++)
            for (int o = 0; o < outLen; o++) {
                int acc = 1 << (kPrecision - 1);
                for (int j = 0; j < c.count[o]; j++) acc += in[(size_t)l * inStride + (size_t)(c.first[o] + j) * inStep] * c.weights[o * c.ksize + j];
                out[(size_t)l * outLen + o] = clip8(acc);
            }
        (void)len;
        return out;
    };
    std::vector<int> mid = p.outW != w ? pass(img, w, h, w, 1, p.hor, p.outW) : img;  // h x outW
    std::vector<int> res;                                                              // outH x outW
    if (p.outH != h) {
        std::vector<int> t = pass(mid, h, p.outW, 1, p.outW, p.ver, p.outH);          // outW x outH
        res.resize((size_t)p.outH * p.outW);
        for (int x = 0; x < p.outW; x++)
            for (int y = 0; y < p.outH; y++) res[(size_t)y * p.outW + x] = t[(size_t)x * p.outH + y];
    } else {
        res = mid;
    }
    int n = p.hs, n2 = n * n;
    std::vector<unsigned long long> out(n2 / 64, 0);
    auto set = [&](int i) { out[i / 64] |= 1ull << (63 - i % 64); };
    if (p.kind == 0) {
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
                if (res[y * (n + 1) + x + 1] > res[y * (n + 1) + x]) set(y * n + x);
    } else if (p.kind == 1) {
        long long sum = 0;
        for (int v : res) sum += v;
        double mean = (double)sum / n2;
        for (int i = 0; i < n2; i++)
            if (res[i] > mean) set(i);
    } else {
        int N = 4 * n;
        std::vector<double> cols((size_t)n * N), block(n2);
        for (int k = 0; k < n; k++)
            for (int x = 0; x < N; x++) {
                double s = 0.0;
                for (int m = 0; m < N; m++) s += (double)res[m * N + x] * p.cosines[k * N + m];
                cols[k * N + x] = 2.0 * s;
            }
        for (int k = 0; k < n; k++)
            for (int j = 0; j < n; j++) {
                double s = 0.0;
                for (int x = 0; x < N; x++) s += cols[k * N + x] * p.cosines[j * N + x];
                block[k * n + j] = 2.0 * s;
            }
        std::vector<double> sorted = block;
        std::sort(sorted.begin(), sorted.end());
        double median = (sorted[n2 / 2 - 1] + sorted[n2 / 2]) / 2.0;
        for (int i = 0; i < n2; i++)
            if (block[i] > median) set(i);
    }
    return out;
}

std::string hex(const std::vector<unsigned long long> &v, size_t from, size_t words) {
    std::string s;
    char b[20];
    for (size_t i = from; i < from + words; i++) { std::snprintf(b, sizeof b, "%016llx", v[i]); s += b; }
    return s;
}

// One batch of `count` images of w x h, u8 or int16, through every variant, for every kind and size.
void runBatch(int w, int h, std::mt19937 &rng) {
    const int count = 4;
    const size_t n = (size_t)w * h;
    // 16 spare bytes after each buffer (the widest load reads whole 16-byte vectors of a row)
    uint8_t *u8 = static_cast<uint8_t *>(std::aligned_alloc(16, ceil16((int)(count * n)) + 16));
    int16_t *i16 = static_cast<int16_t *>(std::aligned_alloc(16, ceil16((int)(2 * count * n)) + 16));
    for (int i = 0; i < count; i++) {
        uint8_t *g = u8 + i * n;
        if (i == 0) {  // noise with flat rectangles
            for (size_t k = 0; k < n; k++) g[k] = rng();
            for (int r = 0; r < 3; r++) {
                int x0 = rng() % w, y0 = rng() % h, x1 = std::min(w, x0 + 1 + (int)(rng() % w)), y1 = std::min(h, y0 + 1 + (int)(rng() % h));
                uint8_t v = rng();
                for (int y = y0; y < y1; y++) std::fill(g + (size_t)y * w + x0, g + (size_t)y * w + x1, v);
            }
        } else if (i == 1) {
            for (size_t k = 0; k < n; k++) g[k] = rng();
        } else if (i == 2) {
            std::fill(g, g + n, 200);  // flat: every comparison a tie
        } else {
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) g[(size_t)y * w + x] = (uint8_t)((x * 255) / std::max(1, w - 1) ^ (y & 1));
        }
    }
    // int16: an "air" background, a bright ring, tissue, a few extremes; one table per image
    std::vector<int> lutMin(count), lutOffset(count);
    std::vector<uint8_t> luts;
    std::normal_distribution<double> normal;
    for (int i = 0; i < count; i++) {
        int16_t *px = i16 + i * n;
        double cx = w / 2.0, cy = h / 2.0, rx = w * 0.37, ry = h * 0.32;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                double d = std::hypot((x - cx) / rx, (y - cy) / ry), v;
                if (d > 1) v = -1000 + normal(rng) * 5;
                else if (d > 0.92) v = 700 + normal(rng) * 60;
                else v = 40 + 30 * std::sin(x * 0.07) * std::cos(y * 0.05) + normal(rng) * 15;
                px[(size_t)y * w + x] = (int16_t)std::lround(v);
            }
        if (i == 1) px[0] = INT16_MIN, px[n - 1] = INT16_MAX;  // the whole int16 range in one table
        if (i == 2) std::fill(px, px + n, (int16_t)-7);       // flat
        int lo = *std::min_element(px, px + n), hi = *std::max_element(px, px + n);
        lutMin[i] = lo;
        lutOffset[i] = (int)luts.size();
        for (int v = lo; v <= hi; v++) luts.push_back((uint8_t)std::clamp((v + 160) * 255 / 400, 0, 255) ^ (uint8_t)(rng() % 2));
    }
    for (int kind = 0; kind < 3; kind++)
        for (int hs : {8, 16}) {
            Plan p(kind, hs, w, h);
            const int words = hs * hs / 64;
            const double *cos = p.cosines.empty() ? nullptr : p.cosines.data();
            for (int type = 0; type < 2; type++) {
                std::vector<unsigned long long> want;
                for (int i = 0; i < count; i++) {
                    std::vector<unsigned long long> r = type == 0
                        ? reference(p, [&](int x, int y) { return (int)u8[i * n + (size_t)y * w + x]; })
                        : reference(p, [&](int x, int y) { return (int)luts[lutOffset[i] + i16[i * n + (size_t)y * w + x] - lutMin[i]]; });
                    want.insert(want.end(), r.begin(), r.end());
                }
                auto check = [&](const char *variant, const std::vector<unsigned long long> &got) {
                    int bad = -1;
                    for (int i = 0; i < count && bad < 0; i++)
                        for (int k = 0; k < words; k++)
                            if (got[i * words + k] != want[i * words + k]) { bad = i; break; }
                    if (bad < 0) {
                        emu::report(true, "perceptual_hash", "%s%d %s %dx%d %s", kKinds[kind], hs, type ? "i16" : "u8", w, h, variant);
                    } else {
                        emu::report(false, "perceptual_hash", "%s%d %s %dx%d %s: image %d got %s want %s", kKinds[kind], hs, type ? "i16" : "u8", w, h,
                                    variant, bad, hex(got, bad * words, words).c_str(), hex(want, bad * words, words).c_str());
                    }
                };
                std::vector<int> vecs;
                if (type == 0) { if (w % 16 == 0) vecs.push_back(16); if (w % 4 == 0) vecs.push_back(4); }
                else { if (w % 8 == 0) vecs.push_back(8); if (w % 2 == 0) vecs.push_back(2); }
                vecs.push_back(1);
                for (int vec : vecs) {
                    std::vector<unsigned long long> got(count * words, 0xDEADull);
                    const int *t = p.tables;
                    emu::launch(dim3{(unsigned)count, 1, 1}, p.threads, p.smemBytes, [&] {
                        if (type == 0)
                            perceptual_hash_u8(u8, count, w, h, vec, p.outW, p.outH, p.rowFirst, p.rowEnd, p.pitch, p.midOffset, p.resOffset, p.groups,
                                               t + p.hGroupsAt, t + p.hWeightsAt, t + p.vFirstAt, t + p.vCountAt, t + p.vWeightsAt, p.ver.ksize, kind, hs, cos, got.data());
                        else
                            perceptual_hash_i16(i16, luts.data(), lutMin.data(), lutOffset.data(), count, w, h, vec, p.outW, p.outH, p.rowFirst, p.rowEnd, p.pitch,
                                                p.midOffset, p.resOffset, p.groups, t + p.hGroupsAt, t + p.hWeightsAt, t + p.vFirstAt, t + p.vCountAt, t + p.vWeightsAt,
                                                p.ver.ksize, kind, hs, cos, got.data());
                    });
                    check(("fused vec " + std::to_string(vec)).c_str(), got);
                }
                {
                    int rows = p.rowEnd - p.rowFirst;
                    std::vector<int> mid((size_t)count * rows * p.outW, -1), res((size_t)count * p.outH * p.outW, -1);
                    std::vector<double> scratch((size_t)count * p.scratchDoubles() + 1, NAN);
                    std::vector<unsigned long long> got(count * words, 0xDEADull);
                    const int *t = p.tables;
                    emu::launch(3, 1, 64, [&] {
                        if (type == 0)
                            perceptual_hash_simple_horizontal_u8(u8, count, w, h, p.outW, p.rowFirst, p.rowEnd, t + p.hFirstAt, t + p.hCountAt, t + p.hRawAt, p.hor.ksize, mid.data());
                        else
                            perceptual_hash_simple_horizontal_i16(i16, luts.data(), lutMin.data(), lutOffset.data(), count, w, h, p.outW, p.rowFirst, p.rowEnd,
                                                                  t + p.hFirstAt, t + p.hCountAt, t + p.hRawAt, p.hor.ksize, mid.data());
                    });
                    emu::launch(2, 1, 64, [&] {
                        perceptual_hash_simple_vertical(mid.data(), count, p.outW, p.outH, p.rowFirst, p.rowEnd, t + p.vFirstAt, t + p.vCountAt, t + p.vWeightsAt,
                                                        p.ver.ksize, res.data());
                    });
                    emu::launch(1, 1, 64, [&] {
                        perceptual_hash_simple_bits(res.data(), count, kind, hs, cos, p.scratchDoubles() ? scratch.data() : nullptr, got.data());
                    });
                    check("simple", got);
                }
            }
        }
    std::free(u8);
    std::free(i16);
}
}  // namespace harness

int main() {
    std::mt19937 rng(20261126 + emu::seed());
    // (w, h): a full band and more, odd sizes, wide, a hash-sized image (an axis unchanged), tiny
    int sizes[][2] = {{512, 300}, {511, 509}, {1000, 130}, {260, 132}, {64, 64}, {9, 8}, {40, 7}, {130, 66}, {17, 16}, {33, 32}};
    for (auto &s : sizes) harness::runBatch(s[0], s[1], rng);
    return emu::summary("perceptual_hash");
}
