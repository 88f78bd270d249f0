// Runs the kernels of cuda-kernels/nt_xent.cu on the CPU emulation (cuda_shim.h) in the launch
// sequence of CudaNtXent, for the three variants (simple, tiled, tc = 3xTF32 mma), and compares loss
// and dz with an fp64 reference (the formulas of lessismore.kernels.NtXent) at 1e-5 relative. Cases:
// tiny N and D, N and D not multiples of the tiles, several split counts, a row below the norm's eps
// (clamped), duplicated rows (tied logits). Every output buffer starts NaN-filled. Run through run.sh.
#include "nt_xent_emul.cpp"  // written by run.sh from cuda-kernels/nt_xent.cu
#include <random>

static std::vector<float> nans(size_t n) { return std::vector<float>(n, std::nanf("")); }

// Loss and dz in fp64 from fp32 z (N, D).
static double reference(const std::vector<float> &z, int n, int d, float tau, std::vector<double> &dz) {
    std::vector<double> zh((size_t)n * d), nrm(n);
    std::vector<bool> clamped(n);
    for (int i = 0; i < n; i++) {
        double sq = 0;
        for (int k = 0; k < d; k++) {
            sq += (double)z[i * d + k] * z[i * d + k];
        }
        double r = std::sqrt(sq);
        clamped[i] = r < 1e-12;
        nrm[i] = std::max(r, 1e-12);
        for (int k = 0; k < d; k++) {
            zh[i * d + k] = z[i * d + k] / nrm[i];
        }
    }
    std::vector<double> s((size_t)n * n);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            double dot = 0;
            for (int k = 0; k < d; k++) {
                dot += zh[i * d + k] * zh[j * d + k];
            }
            s[(size_t)i * n + j] = dot / tau;
        }
    }
    int half = n / 2;
    std::vector<double> lse(n);
    double total = 0;
    for (int i = 0; i < n; i++) {
        double m = -1e300;
        for (int j = 0; j < n; j++) {
            if (j != i) {
                m = std::max(m, s[(size_t)i * n + j]);
            }
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            if (j != i) {
                sum += std::exp(s[(size_t)i * n + j] - m);
            }
        }
        lse[i] = m + std::log(sum);
        total += lse[i] - s[(size_t)i * n + (i + half) % n];
    }
    dz.assign((size_t)n * d, 0);
    for (int i = 0; i < n; i++) {
        std::vector<double> g(d, 0);
        for (int j = 0; j < n; j++) {
            if (j == i) {
                continue;
            }
            double sij = s[(size_t)i * n + j];
            double gij = std::exp(sij - lse[i]) + std::exp(sij - lse[j]) - (j == (i + half) % n ? 2 : 0);
            for (int k = 0; k < d; k++) {
                g[k] += gij * zh[j * d + k];
            }
        }
        double dot = 0;
        for (int k = 0; k < d; k++) {
            g[k] /= (double)n * tau;
            dot += g[k] * zh[i * d + k];
        }
        for (int k = 0; k < d; k++) {
            dz[(size_t)i * d + k] = (clamped[i] ? g[k] : g[k] - zh[i * d + k] * dot) / nrm[i];
        }
    }
    return total / n;
}

static int ceilDiv(int a, int b) { return (a + b - 1) / b; }

enum Variant { SIMPLE, TILED, TC };
static const char *NAMES[] = {"simple", "tiled", "tc"};

// One case; the split sizes are given (CudaNtXent derives them from the SM count).
static bool run(int n, int d, float tau, Variant v, int perSplitLse, int perSplitGrad, int tinyRow, int dup) {
    std::mt19937 rng(n * 131 + d + emu::seed());
    std::normal_distribution<float> normal;
    std::vector<float> z((size_t)n * d);
    for (auto &x : z) {
        x = normal(rng);
    }
    for (int i = dup; dup > 0 && i < n; i++) {  // rows repeat every `dup` rows: tied logits
        std::copy(z.begin() + (size_t)(i % dup) * d, z.begin() + (size_t)(i % dup + 1) * d, z.begin() + (size_t)i * d);
    }
    if (tinyRow >= 0) {
        for (int k = 0; k < d; k++) {
            z[tinyRow * d + k] *= 1e-14f;
        }
    }
    int np = ceilDiv(n, NT_XENT_TILE_ROWS) * NT_XENT_TILE_ROWS;
    int dp = ceilDiv(d, NT_XENT_DIM_ALIGN) * NT_XENT_DIM_ALIGN;
    auto zhat = nans((size_t)np * dp), norm = nans(n), spos = nans(n), lse = nans(n), loss = nans(1),
         dz = nans((size_t)n * d);
    float invTau = 1.0f / tau, scale = 1.0f / (n * tau);
    emu::launch(dim3{(unsigned)(np / NT_XENT_ROWS_PER_BLOCK), (unsigned)(1), (unsigned)(1)}, NT_XENT_THREADS, 0,
           [&] { nt_xent_normalize(z.data(), n, d, dp, zhat.data(), norm.data()); });
    int splitsLse = 1, splitsGrad = 1;
    std::vector<float> pm, pl, part;
    if (v == SIMPLE) {
        pm = nans(n);
        pl = nans(n);
        emu::launch(dim3{(unsigned)(n), (unsigned)(1), (unsigned)(1)}, NT_XENT_THREADS, NT_XENT_LSE_SIMPLE_SMEM,
               [&] { nt_xent_lse_simple(zhat.data(), n, dp, invTau, pm.data(), pl.data(), spos.data()); });
    } else {
        int tiles = np / NT_XENT_TILE_ROWS;
        splitsLse = ceilDiv(tiles, perSplitLse);
        pm = nans((size_t)splitsLse * n);
        pl = nans((size_t)splitsLse * n);
        if (v == TILED) {
            emu::launch(dim3{(unsigned)(tiles), (unsigned)(splitsLse), (unsigned)(1)}, NT_XENT_THREADS, NT_XENT_LSE_TILED_SMEM, [&] {
                nt_xent_lse_tiled(zhat.data(), n, dp, invTau, perSplitLse, pm.data(), pl.data(), spos.data());
            });
        } else {
            emu::launch(dim3{(unsigned)(tiles), (unsigned)(splitsLse), (unsigned)(1)}, NT_XENT_THREADS, NT_XENT_LSE_TC_SMEM, [&] {
                nt_xent_lse_tc(zhat.data(), n, dp, invTau, perSplitLse, pm.data(), pl.data(), spos.data());
            });
        }
    }
    emu::launch(dim3{(unsigned)(1), (unsigned)(1), (unsigned)(1)}, NT_XENT_FINISH_THREADS, NT_XENT_FINISH_SMEM, [&] {
        nt_xent_loss_finish(pm.data(), pl.data(), spos.data(), n, splitsLse, lse.data(), loss.data());
    });
    if (v == SIMPLE) {
        part = nans((size_t)n * d);
        emu::launch(dim3{(unsigned)(n), (unsigned)(1), (unsigned)(1)}, NT_XENT_THREADS, (dp + NT_XENT_THREADS) * 4, [&] {
            nt_xent_grad_simple(zhat.data(), lse.data(), n, d, dp, invTau, scale, part.data());
        });
    } else {
        int tiles = ceilDiv(n, NT_XENT_GRAD_COLS);
        splitsGrad = ceilDiv(tiles, perSplitGrad);
        part = nans((size_t)splitsGrad * n * d);
        int gx = np / NT_XENT_TILE_ROWS, gz = ceilDiv(d, NT_XENT_GRAD_DCHUNK);
        if (v == TILED) {
            emu::launch(dim3{(unsigned)(gx), (unsigned)(splitsGrad), (unsigned)(gz)}, NT_XENT_THREADS, NT_XENT_GRAD_TILED_SMEM, [&] {
                nt_xent_grad_tiled(zhat.data(), lse.data(), n, d, dp, invTau, scale, perSplitGrad, part.data());
            });
        } else {
            emu::launch(dim3{(unsigned)(gx), (unsigned)(splitsGrad), (unsigned)(gz)}, NT_XENT_THREADS, NT_XENT_GRAD_TC_SMEM, [&] {
                nt_xent_grad_tc(zhat.data(), lse.data(), n, d, dp, invTau, scale, perSplitGrad, part.data());
            });
        }
    }
    emu::launch(dim3{(unsigned)ceilDiv(n, NT_XENT_ROWS_PER_BLOCK), 1, 1}, NT_XENT_THREADS, 0, [&] {
        nt_xent_grad_finish(part.data(), zhat.data(), norm.data(), n, d, dp, splitsGrad, dz.data());
    });

    std::vector<double> want;
    double wantLoss = reference(z, n, d, tau, want);
    double maxAbs = 0, maxErr = 0;
    for (size_t e = 0; e < want.size(); e++) {
        maxAbs = std::max(maxAbs, std::fabs(want[e]));
        double err = std::fabs(want[e] - dz[e]);
        maxErr = std::isnan(err) ? INFINITY : std::max(maxErr, err);
    }
    double lossErr = std::fabs(loss[0] - wantLoss);
    bool ok = !std::isnan(loss[0]) && lossErr <= 1e-5 * std::fabs(wantLoss) && maxErr <= 1e-5 * maxAbs;
    emu::report(ok, "nt_xent", "%-6s N=%-4d D=%-4d tau=%-4g splits %d/%d%s%s: loss %.7f (fp64 %.7f, rel %.1e), max|ddz|/max|dz| %.1e",
                NAMES[v], n, d, tau, splitsLse, splitsGrad, tinyRow >= 0 ? " tiny row" : "", dup > 0 ? " repeated rows" : "",
                loss[0], wantLoss, lossErr / std::max(std::fabs(wantLoss), 1e-300), maxErr / std::max(maxAbs, 1e-300));
    return ok;
}

int main() {
    struct Case {
        int n, d;
        float tau;
        int perSplitLse, perSplitGrad, tinyRow, dup;
    } cases[] = {{2, 3, 0.5f, 1, 1, -1, 0},      {6, 5, 0.1f, 1, 1, -1, 0},     {8, 8, 0.5f, 1, 1, 2, 0},
                 {130, 67, 0.5f, 1, 1, -1, 0},   {260, 33, 1.0f, 1, 2, -1, 0},  {300, 136, 0.2f, 2, 3, -1, 0},
                 {258, 260, 0.07f, 1, 1, -1, 0}, {384, 128, 0.5f, 3, 6, -1, 0}, {100, 20, 0.1f, 1, 1, 5, 4}};
    for (const Case &c : cases) {
        for (Variant v : {SIMPLE, TILED, TC}) {
            run(c.n, c.d, c.tau, v, c.perSplitLse, c.perSplitGrad, c.tinyRow, c.dup);
        }
    }
    return emu::summary("nt_xent");
}
