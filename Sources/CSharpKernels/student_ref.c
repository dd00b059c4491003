// The reference row kernels of the fused student engine: plain C, one output pixel at a time.
// They are the portable kernel set (aarch64's only one) and the oracle the optimised sets are
// tested against (bit for bit in int8). Layouts: student_kernels.h.
#include "student_kernels.h"
#include <math.h>

/// fp32 conv row: out[x·cout8 + o] = bias[o] + Σ_dy Σ_k in_dy[x·cin + k] · W, then ReLU if set.
void sc_conv3x3_f32_ref(const float *const rows[3], int w, int cin, int cout8, const float *wp, const float *bias,
                        int relu, float *out) {
    const int k3 = 3 * cin, groups = cout8 / 8;
    for (int x = 0; x < w; x++) {
        for (int og = 0; og < groups; og++) {
            float acc[8];
            for (int j = 0; j < 8; j++) acc[j] = bias[og * 8 + j];
            for (int dy = 0; dy < 3; dy++) {
                const float *in = rows[dy] + (size_t)x * cin;
                const float *wk = wp + (size_t)((og * 3 + dy) * k3) * 8;
                for (int k = 0; k < k3; k++) {
                    const float v = in[k];
                    for (int j = 0; j < 8; j++) acc[j] += v * wk[k * 8 + j];
                }
            }
            for (int j = 0; j < 8; j++) out[(size_t)x * cout8 + og * 8 + j] = relu && acc[j] < 0 ? 0 : acc[j];
        }
    }
}

/// The same with half-precision weights (converted on load).
void sc_conv3x3_f32w16_ref(const float *const rows[3], int w, int cin, int cout8, const uint16_t *wp, const float *bias,
                           int relu, float *out) {
    const int k3 = 3 * cin, groups = cout8 / 8;
    for (int x = 0; x < w; x++) {
        for (int og = 0; og < groups; og++) {
            float acc[8];
            for (int j = 0; j < 8; j++) acc[j] = bias[og * 8 + j];
            for (int dy = 0; dy < 3; dy++) {
                const float *in = rows[dy] + (size_t)x * cin;
                const uint16_t *wk = wp + (size_t)((og * 3 + dy) * k3) * 8;
                for (int k = 0; k < k3; k++) {
                    const float v = in[k];
                    for (int j = 0; j < 8; j++) acc[j] += v * sc_half_to_float(wk[k * 8 + j]);
                }
            }
            for (int j = 0; j < 8; j++) out[(size_t)x * cout8 + og * 8 + j] = relu && acc[j] < 0 ? 0 : acc[j];
        }
    }
}

/// int8 conv row (standard layout): exact int32 sums of u8 · s8 products (wide: 2^S·high sums +
/// low sums, wrapping as the vector kernels' int32 lanes do), one rounding.
void sc_conv3x3_s8_ref(const uint8_t *const rows[3], int w, int cin, int cout8, const int8_t *wp, const float *mul,
                       const float *add, int qmax, int wide, uint8_t *outq, float *outf) {
    const int kc4 = (3 * cin) / 4, groups = cout8 / 8;
    for (int x = 0; x < w; x++) {
        for (int og = 0; og < groups; og++) {
            // uint32: the kernels' wrapping int32 arithmetic (2^S·high may wrap; the sum does not)
            uint32_t acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (int part = 0; part < (wide ? 2 : 1); part++) {
                const int wg = wide ? 2 * og + part : og;
                if (part == 1)
                    for (int o = 0; o < 8; o++) acc[o] <<= wide;
                for (int dy = 0; dy < 3; dy++) {
                    const uint8_t *in = rows[dy] + (size_t)x * cin;
                    const int8_t *wk = wp + (size_t)((wg * 3 + dy) * kc4) * 32;
                    for (int kc = 0; kc < kc4; kc++)
                        for (int o = 0; o < 8; o++)
                            for (int b = 0; b < 4; b++)
                                acc[o] += (uint32_t)((int32_t)in[kc * 4 + b] * (int32_t)wk[(kc * 8 + o) * 4 + b]);
                }
            }
            for (int o = 0; o < 8; o++) {
                const float y = fmaf((float)(int32_t)acc[o], mul[og * 8 + o], add[og * 8 + o]); // as the vector FMA
                if (outq) {
                    float r = nearbyintf(y); // round to nearest even, as cvtps2dq
                    r = r < 0 ? 0 : (r > (float)qmax ? (float)qmax : r);
                    outq[(size_t)x * cout8 + og * 8 + o] = (uint8_t)r;
                } else {
                    outf[(size_t)x * cout8 + og * 8 + o] = y;
                }
            }
        }
    }
}

void sc_halves_to_floats_ref(const uint16_t *src, int n, float *dst) {
    for (int i = 0; i < n; i++) dst[i] = sc_half_to_float(src[i]);
}

void sc_floats_to_halves_ref(const float *src, int n, uint16_t *dst) {
    for (int i = 0; i < n; i++) dst[i] = sc_float_to_half(src[i]);
}

void sc_residual_row_ref(const float *rr, int rs, int block, const uint8_t *in, int is, uint8_t *out, int os, int width,
                         float gain) {
    const int shift = block == 4 ? 2 : 1, bm = block - 1;
    for (int x = 0; x < width; x++) {
        float v = (float)in[(size_t)x * is] + gain * rr[(size_t)(x >> shift) * rs + (x & bm)];
        v = v < 0 ? 0 : (v > 255 ? 255 : v);
        out[(size_t)x * os] = (uint8_t)(v + 0.5f);
    }
}

void sc_delta_row_ref(const float *rr, int rs, int block, int16_t *d, int width, float gain) {
    const int shift = block == 4 ? 2 : 1, bm = block - 1;
    for (int x = 0; x < width; x++) {
        const float v = nearbyintf(gain * rr[(size_t)(x >> shift) * rs + (x & bm)]);
        d[x] = (int16_t)(v < -32767 ? -32767 : (v > 32767 ? 32767 : v));
    }
}

void sc_s2d4_maps_s8_ref(const uint8_t *const y[4], int ystep, const uint8_t *const e[4], const uint8_t *const m[4],
                         int n, uint8_t *dst) {
    for (int x = 0; x < n; x++)
        for (int dy = 0; dy < 4; dy++)
            for (int dx = 0; dx < 4; dx++) {
                uint8_t *q = dst + (size_t)x * 48 + (dy * 4 + dx) * 3;
                const size_t c = (size_t)4 * x + dx;
                q[0] = y[dy][c * ystep];
                q[1] = e[dy][c];
                q[2] = m[dy][c];
            }
}

const sc_student_kernel_table sc_student_table_ref = {
    .name = "portable",
    .isa = SC_ISA_PORTABLE,
    .native = SC_INT8_WEIGHTS_6BIT_WIDE,
    .supports_6bit_wide = 1,
    .supports_8bit = 1,
    .supports_8bit_wide = 1,
    .conv_f32 = sc_conv3x3_f32_ref,
    .conv_f32w16 = sc_conv3x3_f32w16_ref,
    .conv_s8 = sc_conv3x3_s8_ref,
    .halves_to_floats = sc_halves_to_floats_ref,
    .floats_to_halves = sc_floats_to_halves_ref,
    .residual_row = sc_residual_row_ref,
    .delta_row = sc_delta_row_ref,
    .s2d4_maps_s8 = sc_s2d4_maps_s8_ref,
};
