// CPU stand-ins for the two PTX instructions of nt_xent.cu's tensor-core kernels (used when
// NT_XENT_EMULATE is defined, see run.sh): cvt.rna.tf32.f32 and mma.sync m16n8k8 TF32, the latter
// gathering the warp's fragments and applying the layout of the PTX ISA ("Matrix Fragments for
// mma.m16n8k8", .tf32): A a0 (g, t), a1 (g + 8, t), a2 (g, t + 4), a3 (g + 8, t + 4); B b0 (t, g),
// b1 (t + 4, g); C c0 (g, 2t), c1 (g, 2t + 1), c2 (g + 8, 2t), c3 (g + 8, 2t + 1); g = lane / 4,
// t = lane % 4.
#pragma once

// Round to nearest, ties away from zero, keeping 10 mantissa bits (the low 13 bits cleared).
static inline unsigned nt_xent_tf32(float x) {
    unsigned u;
    std::memcpy(&u, &x, 4);
    return (u + 0x1000u) & 0xffffe000u;
}

static inline void nt_xent_mma(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) {
    int t = threadIdx.x;
    float *x = emu::mmaExchange + (t & ~31) * 8;  // the warp's lanes: 4 A values, 2 B values each
    int lane = t & 31;
    for (int i = 0; i < 4; i++) {
        x[lane * 8 + i] = __uint_as_float(a[i]);
    }
    x[lane * 8 + 4] = __uint_as_float(b[0]);
    x[lane * 8 + 5] = __uint_as_float(b[1]);
    emu::warpSync();
    auto A = [&](int row, int k) { return x[((row & 7) * 4 + (k & 3)) * 8 + (row >> 3) + 2 * (k >> 2)]; };
    auto B = [&](int k, int n) { return x[(n * 4 + (k & 3)) * 8 + 4 + (k >> 2)]; };
    float r[4];
    for (int c = 0; c < 4; c++) {
        int row = (lane >> 2) + (c >> 1) * 8;
        int col = (lane & 3) * 2 + (c & 1);
        double sum = d[c];
        for (int k = 0; k < 8; k++) {
            sum += (double)A(row, k) * B(k, col);
        }
        r[c] = (float)sum;
    }
    emu::warpSync();
    for (int c = 0; c < 4; c++) {
        d[c] = r[c];
    }
}
