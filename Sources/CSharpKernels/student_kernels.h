// Internal to CSharpKernels: the row kernels of the fused student engine (student.c) and their
// dispatch tables. The reference set (student_ref.c) is plain C: the portable path (aarch64's
// only one) and the oracle of the others. The x86-64 sets (student_avx2.c, student_vnni.c) are
// compiled with per-function target attributes and only reached after a run-time CPU check
// (sc_cpu_supports_isa).
//
// Every conv kernel computes one output row of a 3×3 convolution. Input rows point at pixel −1
// of a padded NHWC row (pixels −1 and w are padding), so the K-slice of output pixel x for
// kernel row dy is the contiguous run rows[dy][x·cin ... x·cin + 3·cin − 1] (k = dx·cin + i).
// Packed weight layouts (K3 = 3·cin, kc4 = K3 / 4, o = og·8 + j):
//   fp32/fp16: wp[((og·3 + dy)·K3 + k)·8 + j] = W[o][i][dy][dx]
//   int8 (the standard layout: ref, avx2, avxvnni):
//              wp[(((g·3 + dy)·kc4 + kc)·8 + j)·4 + b] = Wq[o] at k = kc·4 + b
//              with weight group g = og, or for wide layers g = 2·og (high part), 2·og + 1 (low)
//   int8 avx512vnni: pairs of chunks kc = 2·pr + p interleaved per output (sc_repack_s8_pairs):
//              wp[(((g·3 + dy)·npair + pr)·8 + j)·8 + p·4 + b], npair = ceil(kc4 / 2), zero past kc4
// int8 kernels compute acc = Σ u8 · s8 exactly in int32, then y = fmaf((float)acc, mul[o],
// add[o]); hidden layers store clamp(round-to-nearest-even(y), 0, qmax), the last layer stores
// y as floats. The same integers and the same single rounding make every int8 set bit-identical
// to the reference given the same packed weights.
#ifndef SHARPCAM_STUDENT_KERNELS_H
#define SHARPCAM_STUDENT_KERNELS_H

#include "CSharpKernels.h"
#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#define SC_HAVE_STUDENT_AVX2 1
#if __clang_major__ >= 14
#define SC_HAVE_STUDENT_VNNI 1 // avxvnni target and __builtin_cpu_supports("avxvnni")
#endif
#endif

/// int8 weight range of the 6-bit scheme: |q| <= 32, so 8-bit activations make a vpmaddubsw
/// pair at most 16320 and two pairs add in int16. Wide layers: q = 32·high + low (2^5, `wide` 5).
#define SC_STUDENT_WMAX6 32
#define SC_STUDENT_WIDE_SHIFT 5
/// int8 weight range of the 8-bit schemes (VNNI: no int16 intermediate). Wide layers:
/// q = 2^S·high + low with S <= 7 per layer (see student.c).
#define SC_STUDENT_WMAX8 127
#define SC_STUDENT_WIDE_SHIFT8 7

typedef void (*sc_conv_f32_fn)(const float *const rows[3], int w, int cin, int cout8, const float *wp,
                               const float *bias, int relu, float *out);
typedef void (*sc_conv_f32w16_fn)(const float *const rows[3], int w, int cin, int cout8, const uint16_t *wp,
                                  const float *bias, int relu, float *out);
/// `wide` S > 0: the weights hold two groups per output group (high, low), acc = 2^S·acc_high +
/// acc_low in wrapping int32 arithmetic (exact: the engine keeps the sum itself within int32);
/// S = 5 (SC_STUDENT_WIDE_SHIFT, the only one the avx2 kernel takes) or, 8-bit, up to 7.
/// Exactly one of outq (hidden layers) and outf (last layer) is non-NULL.
typedef void (*sc_conv_s8_fn)(const uint8_t *const rows[3], int w, int cin, int cout8, const int8_t *wp,
                              const float *mul, const float *add, int qmax, int wide, uint8_t *outq, float *outf);

/// Depth-to-space (one output channel) and residual add of one output row of `width` pixels:
/// out[x·os] = (uint8_t)(clamp(in[x·is] + gain · r(x), 0, 255) + 0.5), r(x) = rr[(x / B)·rs + x mod B].
typedef void (*sc_residual_row_fn)(const float *rr, int rs, int block, const uint8_t *in, int is, uint8_t *out, int os,
                                   int width, float gain);
/// The same as a luma change: d[x] = clamp(round-to-nearest-even(gain · r(x)), −32767, 32767).
typedef void (*sc_delta_row_fn)(const float *rr, int rs, int block, int16_t *d, int width, float gain);
/// int8 space-to-depth ×4 with maps of n whole network pixels (48 bytes each) from four rows:
/// dst[x·48 + (dy·4 + dx)·3 + {0, 1, 2}] = y[dy][(4x + dx)·ystep], e[dy][4x + dx], m[dy][4x + dx].
typedef void (*sc_s2d4_maps_s8_fn)(const uint8_t *const y[4], int ystep, const uint8_t *const e[4],
                                   const uint8_t *const m[4], int n, uint8_t *dst);

typedef struct {
    const char *name;
    sc_isa isa;
    sc_int8_weights native; // the int8 scheme of SC_INT8_WEIGHTS_AUTO
    int supports_6bit_wide; // can run SC_INT8_WEIGHTS_6BIT_WIDE
    int supports_8bit; // can run SC_INT8_WEIGHTS_8BIT
    int supports_8bit_wide; // can run SC_INT8_WEIGHTS_8BIT_WIDE
    sc_conv_f32_fn conv_f32;
    sc_conv_f32w16_fn conv_f32w16;
    sc_conv_s8_fn conv_s8;
    /// int8 weights in another layout than the standard one: its size in bytes for `groups`
    /// weight groups of `cin` inputs, and the conversion from the standard layout (NULL: standard).
    size_t (*s8_packed_size)(int cin, int groups);
    void (*s8_repack)(const int8_t *standard, int cin, int groups, int8_t *dst);
    void (*halves_to_floats)(const uint16_t *src, int n, float *dst);
    void (*floats_to_halves)(const float *src, int n, uint16_t *dst);
    sc_residual_row_fn residual_row;
    sc_delta_row_fn delta_row;
    sc_s2d4_maps_s8_fn s2d4_maps_s8;
} sc_student_kernel_table;

extern const sc_student_kernel_table sc_student_table_ref;
#ifdef SC_HAVE_STUDENT_AVX2
extern const sc_student_kernel_table sc_student_table_avx2;
#endif
#ifdef SC_HAVE_STUDENT_VNNI
extern const sc_student_kernel_table sc_student_table_avxvnni;
extern const sc_student_kernel_table sc_student_table_avx512vnni;
#endif

// The reference kernels (student_ref.c). Optimised kernels call them for pixels they leave.
void sc_conv3x3_f32_ref(const float *const rows[3], int w, int cin, int cout8, const float *wp, const float *bias,
                        int relu, float *out);
void sc_conv3x3_f32w16_ref(const float *const rows[3], int w, int cin, int cout8, const uint16_t *wp, const float *bias,
                           int relu, float *out);
void sc_conv3x3_s8_ref(const uint8_t *const rows[3], int w, int cin, int cout8, const int8_t *wp, const float *mul,
                       const float *add, int qmax, int wide, uint8_t *outq, float *outf);
void sc_halves_to_floats_ref(const uint16_t *src, int n, float *dst);
void sc_floats_to_halves_ref(const float *src, int n, uint16_t *dst);
void sc_residual_row_ref(const float *rr, int rs, int block, const uint8_t *in, int is, uint8_t *out, int os, int width,
                         float gain);
void sc_delta_row_ref(const float *rr, int rs, int block, int16_t *d, int width, float gain);
void sc_s2d4_maps_s8_ref(const uint8_t *const y[4], int ystep, const uint8_t *const e[4], const uint8_t *const m[4],
                         int n, uint8_t *dst);

#ifdef SC_HAVE_STUDENT_AVX2
// The AVX2 kernels (student_avx2.c), shared by the VNNI tables for fp32 and fp16.
void sc_conv3x3_f32_avx2(const float *const rows[3], int w, int cin, int cout8, const float *wp, const float *bias,
                         int relu, float *out);
void sc_conv3x3_f32w16_avx2(const float *const rows[3], int w, int cin, int cout8, const uint16_t *wp,
                            const float *bias, int relu, float *out);
void sc_conv3x3_s8_avx2(const uint8_t *const rows[3], int w, int cin, int cout8, const int8_t *wp, const float *mul,
                        const float *add, int qmax, int wide, uint8_t *outq, float *outf);
void sc_halves_to_floats_avx2(const uint16_t *src, int n, float *dst);
void sc_floats_to_halves_avx2(const float *src, int n, uint16_t *dst);
void sc_residual_row_avx2(const float *rr, int rs, int block, const uint8_t *in, int is, uint8_t *out, int os,
                          int width, float gain);
void sc_delta_row_avx2(const float *rr, int rs, int block, int16_t *d, int width, float gain);
void sc_s2d4_maps_s8_avx2(const uint8_t *const y[4], int ystep, const uint8_t *const e[4], const uint8_t *const m[4],
                          int n, uint8_t *dst);
#endif

#ifdef SC_HAVE_STUDENT_VNNI
// The VNNI int8 kernels (student_vnni.c): 8-bit weights, wide layers of any shift.
void sc_conv3x3_s8_avxvnni(const uint8_t *const rows[3], int w, int cin, int cout8, const int8_t *wp, const float *mul,
                           const float *add, int qmax, int wide, uint8_t *outq, float *outf);
void sc_conv3x3_s8_avx512vnni(const uint8_t *const rows[3], int w, int cin, int cout8, const int8_t *wp,
                              const float *mul, const float *add, int qmax, int wide, uint8_t *outq, float *outf);
#endif

/// The int8 row kernel's rows shifted to start at pixel x0 (for a kernel's leftover pixels).
static inline void sc_conv3x3_s8_ref_from(int x0, const uint8_t *const rows[3], int w, int cin, int cout8,
                                          const int8_t *wp, const float *mul, const float *add, int qmax, int wide,
                                          uint8_t *outq, float *outf) {
    if (x0 >= w) return;
    const uint8_t *r[3] = {rows[0] + (size_t)x0 * cin, rows[1] + (size_t)x0 * cin, rows[2] + (size_t)x0 * cin};
    sc_conv3x3_s8_ref(r, w - x0, cin, cout8, wp, mul, add, qmax, wide, outq ? outq + (size_t)x0 * cout8 : NULL,
                      outf ? outf + (size_t)x0 * cout8 : NULL);
}

static inline float sc_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1F, man = h & 0x3FF, bits;
    if (exp == 0) {
        if (man == 0)
            bits = sign;
        else { // subnormal
            exp = 127 - 15 + 1;
            while (!(man & 0x400)) {
                man <<= 1;
                exp--;
            }
            bits = sign | (exp << 23) | ((man & 0x3FF) << 13);
        }
    } else if (exp == 31)
        bits = sign | 0x7F800000 | (man << 13);
    else
        bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/// Round to nearest even, as vcvtps2ph.
static inline uint16_t sc_float_to_half(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000, exp = (x >> 23) & 0xFF, man = x & 0x7FFFFF;
    if (exp == 0xFF) return (uint16_t)(sign | 0x7C00 | (man ? 0x200 : 0));
    int e = (int)exp - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7C00);
    if (e <= 0) {
        if (e < -10) return (uint16_t)sign;
        man |= 0x800000;
        uint32_t shift = (uint32_t)(14 - e), half = man >> shift, rem = man & ((1u << shift) - 1);
        uint32_t mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)e << 10) | (man >> 13), rem = man & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) half++;
    return (uint16_t)half;
}

#endif
