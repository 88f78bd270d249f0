// Every pairwise_similarity kernel, run on the CPU emulation (cuda_shim.h), against an fp32
// fma-chain brute force: sizes 1, 2, 130, 300 (non-multiples of the 128 tile), volumes, exact
// cosines with ties, near duplicates (bf16 candidate lists overflow), edge buffers too small.
// Each check group prints one PASS / FAIL line. Run through run.sh, which translates the .cu first.
#include "pairwise_similarity_emul.cpp"  // written by run.sh from cuda-kernels/pairwise_similarity.cu
#include <cstdio>
#include <random>
#include <map>
#include <set>
#include <tuple>

static int pad32(int d) { return std::max(32, (d + 31) / 32 * 32); }
static int tri(int n) { long t = (n + 127) / 128; return (int)(t * (t + 1) / 2); }
using emu::launch;
static int fails = 0, failsBefore = 0;  // failed checks, in all and before the current group
#define CHECK(c, ...) do { if (!(c)) { fails++; if (fails < 30) { printf("  check failed at line %d: ", __LINE__); printf(__VA_ARGS__); printf("\n"); } } } while (0)
// Ends a group of checks: one PASS / FAIL line.
#define GROUP(...) do { emu::report(fails == failsBefore, "pairwise_similarity", __VA_ARGS__); failsBefore = fails; } while (0)

struct Data { int n, d, ld; std::vector<float> x; std::vector<int> vol; bool hasVol; };

static float chain(const Data &D, int i, int j) {
    float acc = 0; for (int k = 0; k < D.ld; k++) acc = std::fma(D.x[i * D.ld + k], D.x[j * D.ld + k], acc); return acc;
}
static bool same(const Data &D, int i, int j) { return !D.hasVol || D.vol[i] == D.vol[j]; }
static const int *volp(const Data &D) { return D.hasVol ? D.vol.data() : nullptr; }

static Data make(int n, int d, bool vol, unsigned seed, bool exact) {
    Data D{n, d, pad32(d), std::vector<float>((size_t)n * pad32(d), 0.f), std::vector<int>(n), vol};
    std::mt19937 r(seed + emu::seed()); std::normal_distribution<double> g;
    for (int i = 0; i < n; i++) {
        if (exact) {
            int placed = 0;
            while (placed < 4) { int k = r() % std::min(d, 12); if (D.x[i * D.ld + k] == 0) { D.x[i * D.ld + k] = (r() & 1) ? 0.5f : -0.5f; placed++; } }
        } else {
            bool copy = i > 0 && (seed == 999 || r() % 3 == 0); int src = copy ? (seed == 999 ? 0 : r() % i) : 0;
            double norm = 0; std::vector<double> v(d);
            for (int k = 0; k < d; k++) { v[k] = copy ? D.x[src * D.ld + k] + (seed == 999 ? 0.001 : 0.02) * g(r) : g(r); norm += v[k] * v[k]; }
            for (int k = 0; k < d; k++) D.x[i * D.ld + k] = (float)(v[k] / std::sqrt(norm));
        }
        D.vol[i] = (i / 37) % 3;  // runs of 37 rows, ids 0,1,2 repeating (not sorted)
    }
    return D;
}

static double margin(int ld) { double u = 1.0 / 256, n2 = 1.001 * 1.001; double in = 2 * u + u * u;
    return n2 * (in + ld * std::ldexp(1.0, -24) + ld * std::ldexp(1.0, -22) * (1 + in)) + std::ldexp(1.0, -20); }

static void checkMax(const Data &D, const std::vector<float> &mx, const std::vector<int> &am, const char *what) {
    for (int i = 0; i < D.n; i++) {
        float best = -INFINITY; int at = -1;
        for (int j = 0; j < i; j++) if (same(D, i, j)) { float v = chain(D, i, j); if (at < 0 || v > best) { best = v; at = j; } }
        CHECK(am[i] == at && (at < 0 ? std::isinf(mx[i]) && mx[i] < 0 : mx[i] == best), "%s row %d: got %d %.9g want %d %.9g", what, i, am[i], mx[i], at, best);
    }
}
static void decode(const std::vector<unsigned long long> &keys, std::vector<float> &mx, std::vector<int> &am, int n) {
    launch((n + 255) / 256, 1, 256, [&] { pairwise_similarity_keys_decode(keys.data(), n, mx.data(), am.data()); });
}
static void maxEarlierAll(const Data &D, int cap) {
    int n = D.n, ld = D.ld;
    std::vector<unsigned long long> keys(n, 0); std::vector<float> mx(n); std::vector<int> am(n);
    launch(n, 1, 256, [&] { pairwise_similarity_max_earlier_simple(D.x.data(), n, ld, volp(D), keys.data()); });
    decode(keys, mx, am, n); checkMax(D, mx, am, "max simple");
    std::fill(keys.begin(), keys.end(), 0ull);
    launch(tri(n), 1, 256, [&] { pairwise_similarity_max_earlier_f32(D.x.data(), n, ld, volp(D), keys.data(), nullptr, 0); });
    decode(keys, mx, am, n); checkMax(D, mx, am, "max f32");
    std::vector<unsigned short> xb((size_t)n * ld); std::vector<unsigned> est(n); std::vector<int> cnt(n), cand((size_t)n * cap);
    long long el = (long long)n * ld;
    launch((int)((el / 2 + 255) / 256), 1, 256, [&] { pairwise_similarity_to_bf16(D.x.data(), el, xb.data()); });
    float m = (float)margin(ld);
    launch((n + 255) / 256, 1, 256, [&] { pairwise_similarity_max_earlier_bf16_init(D.x.data(), n, ld, volp(D), m, est.data(), cnt.data()); });
    launch(tri(n), 1, 256, [&] { pairwise_similarity_max_earlier_bf16(xb.data(), n, ld, volp(D), 2 * m, est.data(), cnt.data(), cand.data(), cap); });
    int over = 0; long listed = 0; for (int i = 0; i < n; i++) { over += cnt[i] > cap; listed += cnt[i]; }
    std::fill(keys.begin(), keys.end(), 0ull);
    launch(tri(n), 1, 256, [&] { pairwise_similarity_max_earlier_f32(D.x.data(), n, ld, volp(D), keys.data(), cnt.data(), cap); });
    for (int i = 0; i < n; i++) CHECK(cnt[i] > cap || keys[i] == 0, "restricted f32 pass wrote row %d that did not overflow", i);
    launch(n, 1, 128, [&] { pairwise_similarity_max_earlier_recheck(D.x.data(), n, ld, cnt.data(), cand.data(), cap, keys.data(), mx.data(), am.data()); });
    checkMax(D, mx, am, "max bf16");
    GROUP("maxEarlier simple/f32/bf16 n=%d d=%d vol=%d cap %d: bf16 lists %ld entries, %d rows overflowed", n, D.d, D.hasVol, cap, listed, over);
}
typedef std::set<std::tuple<int, int, float>> EdgeSet;
static EdgeSet collect(unsigned long long count, const std::vector<int> &r, const std::vector<int> &c, const std::vector<float> &s) {
    EdgeSet e; for (unsigned long long q = 0; q < count; q++) e.insert({r[q], c[q], s[q]}); return e;
}
static void edgesAll(const Data &D, float tau, int cap) {
    int n = D.n, ld = D.ld;
    EdgeSet want;
    for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) if (same(D, i, j)) { float v = chain(D, i, j); if (v >= tau) want.insert({i, j, v}); }
    std::vector<int> r(cap), c(cap); std::vector<float> s(cap); unsigned long long count = 0;
    launch(n, (n + 255) / 256, 256, [&] { pairwise_similarity_edges_simple(D.x.data(), n, ld, volp(D), tau, &count, r.data(), c.data(), s.data(), cap); });
    CHECK(count == want.size(), "edges simple count %llu want %zu", count, want.size());
    if (count <= (unsigned long long)cap) CHECK(collect(count, r, c, s) == want, "edges simple set");
    count = 0;
    launch(tri(n), 1, 256, [&] { pairwise_similarity_edges_f32(D.x.data(), n, ld, volp(D), tau, &count, r.data(), c.data(), s.data(), cap); });
    CHECK(count == want.size(), "edges f32 count %llu want %zu", count, want.size());
    if (count <= (unsigned long long)cap) CHECK(collect(count, r, c, s) == want, "edges f32 set");
    std::vector<unsigned short> xb((size_t)n * ld); long long el = (long long)n * ld;
    launch((int)((el / 2 + 255) / 256), 1, 256, [&] { pairwise_similarity_to_bf16(D.x.data(), el, xb.data()); });
    std::vector<int> cr(cap), cc(cap); unsigned long long cand = 0; count = 0;
    float lower = (float)(tau - margin(ld));
    launch(tri(n), 1, 256, [&] { pairwise_similarity_edges_bf16(xb.data(), n, ld, volp(D), lower, &cand, cr.data(), cc.data(), cap); });
    if (cand <= (unsigned long long)cap) {
        launch((int)((cand + 255) / 256), 1, 256, [&] { pairwise_similarity_edges_recheck(D.x.data(), ld, cr.data(), cc.data(), (int)cand, tau, &count, r.data(), c.data(), s.data(), cap); });
        CHECK(count == want.size(), "edges bf16 count %llu want %zu", count, want.size());
        CHECK(collect(count, r, c, s) == want, "edges bf16 set");
    }
    GROUP("edges simple/f32/bf16 n=%d d=%d vol=%d tau=%g cap %d: %zu edges, %d bf16 candidates", n, D.d, D.hasVol, tau, cap, want.size(), cand);
}
static void topkAll(const Data &D, int k) {
    int n = D.n, ld = D.ld;
    std::vector<int> idx((size_t)n * k); std::vector<float> sc((size_t)n * k);
    launch((n + 3) / 4, 1, 128, [&] { pairwise_similarity_topk(D.x.data(), n, ld, volp(D), k, idx.data(), sc.data()); });
    for (int i = 0; i < n; i++) {
        std::vector<std::pair<float, int>> v;
        for (int j = 0; j < n; j++) if (j != i && same(D, i, j)) v.push_back({chain(D, i, j), j});
        std::sort(v.begin(), v.end(), [](auto a, auto b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
        for (int q = 0; q < k; q++) {
            int wj = q < (int)v.size() ? v[q].second : -1; float ws = q < (int)v.size() ? v[q].first : -INFINITY;
            CHECK(idx[i * k + q] == wj && sc[i * k + q] == ws, "topk row %d rank %d got %d %g want %d %g", i, q, idx[i * k + q], sc[i * k + q], wj, ws);
        }
    }
    GROUP("topk n=%d d=%d vol=%d k=%d", n, D.d, D.hasVol, k);
}
static void hammingAll(int n, int words, bool vol, int t, unsigned seed) {
    std::mt19937_64 r(seed + emu::seed());
    std::vector<unsigned long long> h((size_t)n * words); std::vector<int> v(n);
    for (int i = 0; i < n; i++) { v[i] = (i / 37) % 3; for (int w = 0; w < words; w++) h[i * words + w] = (i > 0 && r() % 3 == 0) ? h[(r() % i) * words + w] ^ (1ull << (r() % 64)) : r(); }
    EdgeSet want;
    for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) if (!vol || v[i] == v[j]) {
        int dd = 0; for (int w = 0; w < words; w++) dd += __builtin_popcountll(h[i * words + w] ^ h[j * words + w]);
        if (dd <= t) want.insert({i, j, (float)dd}); }
    int cap = 1 << 16; std::vector<int> rr(cap), cc(cap); std::vector<float> ss(cap); unsigned long long count = 0;
    const int *vp = vol ? v.data() : nullptr;
    launch(n, (n + 255) / 256, 256, [&] { pairwise_similarity_hamming_simple(h.data(), n, words, vp, t, &count, rr.data(), cc.data(), ss.data(), cap); });
    CHECK(collect(count, rr, cc, ss) == want, "hamming simple words %d t %d", words, t);
    count = 0;
    launch(tri(n), 1, 256, [&] { pairwise_similarity_hamming_tiled(h.data(), n, words, vp, t, &count, rr.data(), cc.data(), ss.data(), cap); });
    CHECK(collect(count, rr, cc, ss) == want, "hamming tiled words %d t %d: %llu vs %zu", words, t, count, want.size());
    GROUP("hamming simple/tiled n=%d words=%d vol=%d t=%d: %zu pairs", n, words, vol, t, want.size());
}
int main(int argc, char **argv) {
    {
        // near duplicates
        Data D = make(200, 48, false, 999, false);
        maxEarlierAll(D, 32);
        edgesAll(D, 0.99f, 1 << 16);
        Data R = make(300, 40, true, 5, false);
        maxEarlierAll(R, 2);  // short lists: some rows overflow, some do not
    }
    struct Case { int n, d; bool vol, exact; } cases[] = {{1, 16, false, false}, {2, 7, false, false}, {130, 100, false, false},
        {300, 40, false, false}, {300, 40, true, false}, {260, 32, false, true}, {260, 32, true, true}};
    if (argc > 1) return emu::summary("pairwise_similarity");  // quick
    for (auto cs : cases) {
        Data D = make(cs.n, cs.d, cs.vol, cs.n * 7 + cs.d, cs.exact);
        maxEarlierAll(D, 32);
        float tau = cs.exact ? 0.5f : 0.3f;
        edgesAll(D, tau, 1 << 16);
        edgesAll(D, tau, 5);  // overflow: counts must still be complete
        topkAll(D, 5);
        if (cs.n == 300) topkAll(D, 32);
    }
    for (int words = 1; words <= 4; words++) { hammingAll(300, words, false, 3 * words, words); hammingAll(300, words, true, 20 * words, words); }
    return emu::summary("pairwise_similarity");
}
