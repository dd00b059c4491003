// The VNNI int8 row kernels of the fused student engine (x86-64, clang 14+): vpdpbusd adds four
// u8·s8 products to an int32 lane with no int16 intermediate, so weights use the full signed
// 8-bit range (SC_INT8_WEIGHTS_8BIT, |q| <= 127). Wide layers (SC_INT8_WEIGHTS_8BIT_WIDE, 15
// bits) run the block's sums twice, high parts then low parts, into the same accumulators,
// shifted by S in between: twice the layer's vpdpbusd (measured on the shipped student at
// 720p, 1 and 2 threads: wide layer 0 adds 23-34 % to the frame, wide layers 0 and 1 37-48 %).
// Both sets run SC_INT8_WEIGHTS_8BIT_WIDE (layer 0 wide) by default, so every VNNI CPU gets
// the same int8 output (AVX-VNNI: +0.04 dB at p256, +0.06 at p720 for 1.22× its network time).
// fp32 and fp16 use the AVX2 kernels. Layouts: student_kernels.h.
//
//   avxvnni (VEX, ymm, 16 registers): the standard int8 layout; a block of 3 pixels × 3 output
//     groups of 8 (2 groups: 5 pixels, 1 group: 8) keeps its accumulators in registers (4 × 3
//     spilled one); per 4-byte input chunk one vpbroadcastd per pixel (a load) and one weight
//     load per group feed P·G vpdpbusd.
//   avx512vnni (EVEX, zmm, 32 registers): each 64-byte weight row holds 8 outputs × 2 chunks
//     (lane 2j + p: output j, chunk 2·pr + p), fed by one vpbroadcastq of 8 input bytes per
//     pixel; a block of 8 pixels × up to 3 output groups keeps 24 accumulators; the even and
//     odd chunk lanes are added once per pixel (two vpermt2d and a vpaddd per 16 outputs).
//     Zen 5 (this project's development machine) runs 2 zmm vpdpbusd per cycle, twice the ymm
//     rate: on the shipped student at 720p, 1 thread, this kernel's frame takes 4.0 ms, the
//     same blocking on ymm (EVEX, 8 pixels × 3 groups) 8.3 ms, the avxvnni kernel 7.8 ms.
//     (On Zen 4 or Intel cores with one 512-bit unit, zmm and ymm rates are equal and zmm
//     still halves the instructions.)
#include "student_kernels.h"

#ifdef SC_HAVE_STUDENT_VNNI
#include <immintrin.h>

#define SC_ALWAYS_INLINE inline __attribute__((always_inline))

/// Output groups per register block: groups split into chunks of at most 3 (24 channels, the
/// shipped width, in one), as even as possible (4 -> 2 + 2, 5 -> 3 + 2).
static inline int chunk_size(int groups, int g0) {
    const int chunks = (groups + 2) / 3, base = groups / chunks, extra = groups % chunks;
    for (int c = 0, start = 0; c < chunks; start += base + (c < extra), c++) // chunk c: base + (c < extra)
        if (start == g0) return base + (c < extra);
    return groups - g0;
}

// MARK: AVX-VNNI (ymm)

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avxvnni"))), apply_to = function)

static inline void store8_avxvnni(__m256i acc, __m256 m, __m256 a, __m128i qlimit, uint8_t *outq, float *outf) {
    const __m256 y = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc), m, a);
    if (outq) {
        const __m256i q = _mm256_cvtps_epi32(y); // round to nearest even
        const __m256i h = _mm256_packs_epi32(q, q);
        const __m256i bq = _mm256_packus_epi16(h, h); // clamps to 0..255
        const __m128i lo = _mm256_castsi256_si128(bq), hi = _mm256_extracti128_si256(bq, 1);
        _mm_storel_epi64((__m128i *)outq, _mm_min_epu8(_mm_unpacklo_epi32(lo, hi), qlimit));
    } else {
        _mm256_storeu_ps(outf, y);
    }
}

/// Pixels x .. x + P − 1, output groups g0 .. g0 + G − 1 (wk: group g0's weights).
static SC_ALWAYS_INLINE void block_avxvnni(const uint8_t *const rows[3], int x, int cin, int kc4, const int8_t *wk,
                                           size_t gstride, int wide, const float *mul, const float *add, __m128i qlimit,
                                           int cout8, int g0, uint8_t *outq, float *outf, const int G, const int P) {
    __m256i acc[3][8];
    for (int g = 0; g < G; g++)
        for (int p = 0; p < P; p++) acc[g][p] = _mm256_setzero_si256();
    const size_t gstep = wide ? 2 * gstride : gstride;
    for (int part = 0; part <= (wide != 0); part++) { // wide: acc = 2^S·(high part) + low part
        if (part)
            for (int g = 0; g < G; g++)
                for (int p = 0; p < P; p++) acc[g][p] = _mm256_sll_epi32(acc[g][p], _mm_cvtsi32_si128(wide));
        for (int dy = 0; dy < 3; dy++) {
            const uint8_t *in = rows[dy] + (size_t)x * cin;
            const int8_t *wd = wk + part * gstride + (size_t)dy * kc4 * 32;
            for (int kc = 0; kc < kc4; kc++) {
                __m256i wv[3];
                for (int g = 0; g < G; g++) wv[g] = _mm256_loadu_si256((const __m256i *)(wd + g * gstep + kc * 32));
                for (int p = 0; p < P; p++) {
                    int32_t d;
                    memcpy(&d, in + p * cin + kc * 4, 4);
                    const __m256i v = _mm256_set1_epi32(d);
                    for (int g = 0; g < G; g++) acc[g][p] = _mm256_dpbusd_avx_epi32(acc[g][p], v, wv[g]);
                }
            }
        }
    }
    for (int g = 0; g < G; g++) {
        const int o = (g0 + g) * 8;
        const __m256 m = _mm256_loadu_ps(mul + o), a = _mm256_loadu_ps(add + o);
        for (int p = 0; p < P; p++) {
            const size_t at = (size_t)(x + p) * cout8 + o;
            store8_avxvnni(acc[g][p], m, a, qlimit, outq ? outq + at : NULL, outf ? outf + at : NULL);
        }
    }
}

void sc_conv3x3_s8_avxvnni(const uint8_t *const rows[3], int w, int cin, int cout8, const int8_t *wp, const float *mul,
                           const float *add, int qmax, int wide, uint8_t *outq, float *outf) {
    const int kc4 = (3 * cin) / 4, groups = cout8 / 8;
    const size_t gstride = (size_t)3 * kc4 * 32;
    const __m128i qlimit = _mm_set1_epi8((char)qmax);
    for (int g0 = 0; g0 < groups;) {
        const int G = chunk_size(groups, g0);
        const int8_t *wk = wp + (size_t)g0 * (wide ? 2 : 1) * gstride;
        int x = 0;
#define SC_BLOCK(GC, PC)                                                                                               \
    block_avxvnni(rows, x, cin, kc4, wk, gstride, wide, mul, add, qlimit, cout8, g0, outq, outf, GC, PC)
        if (G == 3) {
            for (; x + 3 <= w; x += 3) SC_BLOCK(3, 3);
            for (; x < w; x++) SC_BLOCK(3, 1);
        } else if (G == 2) {
            for (; x + 5 <= w; x += 5) SC_BLOCK(2, 5);
            for (; x < w; x++) SC_BLOCK(2, 1);
        } else {
            for (; x + 8 <= w; x += 8) SC_BLOCK(1, 8);
            for (; x < w; x++) SC_BLOCK(1, 1);
        }
#undef SC_BLOCK
        g0 += G;
    }
}

#pragma clang attribute pop

// MARK: AVX-512 VNNI (zmm)

/// Bytes of the pair-interleaved layout for `groups` weight groups of `cin` inputs.
static size_t packed_size_pairs(int cin, int groups) {
    const int kc4 = (3 * cin) / 4, npair = (kc4 + 1) / 2;
    return (size_t)groups * 3 * npair * 64;
}

/// Standard layout -> pair-interleaved layout (zero weights for the missing odd chunk).
static void repack_pairs(const int8_t *std, int cin, int groups, int8_t *dst) {
    const int kc4 = (3 * cin) / 4, npair = (kc4 + 1) / 2;
    for (int gd = 0; gd < groups * 3; gd++) // (group, dy)
        for (int pr = 0; pr < npair; pr++)
            for (int j = 0; j < 8; j++)
                for (int p = 0; p < 2; p++)
                    for (int b = 0; b < 4; b++) {
                        const int kc = 2 * pr + p;
                        dst[(((size_t)gd * npair + pr) * 8 + j) * 8 + p * 4 + b] =
                            kc < kc4 ? std[(((size_t)gd * kc4 + kc) * 8 + j) * 4 + b] : 0;
                    }
}

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"))),            \
                             apply_to = function)

/// 16 sums: lanes 0-7 the even + odd chunk lanes of a (outputs 0-7), lanes 8-15 those of b.
static inline __m512i pair_sums(__m512i a, __m512i b) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    return _mm512_add_epi32(_mm512_permutex2var_epi32(a, even, b), _mm512_permutex2var_epi32(a, odd, b));
}

/// Requantises 16 int32 sums: hidden layers to clamp(round(y), 0, qmax) bytes, else floats.
static inline __m512 requant16(__m512i s, __m512 m, __m512 a) { return _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), m, a); }

static inline __m128i bytes16(__m512 y, __m512i qmaxv) {
    const __m512i q = _mm512_cvtps_epi32(y); // round to nearest even
    return _mm512_cvtepi32_epi8(_mm512_min_epi32(_mm512_max_epi32(q, _mm512_setzero_si512()), qmaxv));
}

/// Pixels x .. x + P − 1, output groups g0 .. g0 + G − 1 (wk: group g0's weights).
static SC_ALWAYS_INLINE void block_avx512vnni(const uint8_t *const rows[3], int x, int cin, int kc4, const int8_t *wk,
                                              size_t gstride, int wide, const float *mul, const float *add,
                                              __m512i qmaxv, int cout8, int g0, uint8_t *outq, float *outf, const int G,
                                              const int P) {
    const int npair = (kc4 + 1) / 2, full = kc4 / 2;
    __m512i acc[3][8];
    for (int g = 0; g < G; g++)
        for (int p = 0; p < P; p++) acc[g][p] = _mm512_setzero_si512();
    const size_t gstep = wide ? 2 * gstride : gstride;
    for (int part = 0; part <= (wide != 0); part++) { // wide: acc = 2^S·(high part) + low part
        if (part) // (the lanes are partial sums, so the shift distributes over their final pair sums)
            for (int g = 0; g < G; g++)
                for (int p = 0; p < P; p++) acc[g][p] = _mm512_sll_epi32(acc[g][p], _mm_cvtsi32_si128(wide));
        for (int dy = 0; dy < 3; dy++) {
            const uint8_t *in = rows[dy] + (size_t)x * cin;
            const int8_t *wd = wk + part * gstride + (size_t)dy * npair * 64;
            for (int pr = 0; pr < full; pr++) {
                __m512i wv[3];
                for (int g = 0; g < G; g++) wv[g] = _mm512_loadu_si512((const void *)(wd + g * gstep + pr * 64));
                for (int p = 0; p < P; p++) {
                    int64_t q;
                    memcpy(&q, in + p * cin + pr * 8, 8);
                    const __m512i v = _mm512_set1_epi64(q);
                    for (int g = 0; g < G; g++) acc[g][p] = _mm512_dpbusd_epi32(acc[g][p], v, wv[g]);
                }
            }
            if (full < npair) { // an odd last chunk: its odd lanes have zero weights
                __m512i wv[3];
                for (int g = 0; g < G; g++) wv[g] = _mm512_loadu_si512((const void *)(wd + g * gstep + full * 64));
                for (int p = 0; p < P; p++) {
                    int32_t d;
                    memcpy(&d, in + p * cin + full * 8, 4);
                    const __m512i v = _mm512_set1_epi32(d);
                    for (int g = 0; g < G; g++) acc[g][p] = _mm512_dpbusd_epi32(acc[g][p], v, wv[g]);
                }
            }
        }
    }
    // Two output groups of one pixel per register, then (odd G) the last group of two pixels.
    for (int g = 0; g + 1 < G; g += 2) {
        const int o = (g0 + g) * 8;
        const __m512 m = _mm512_loadu_ps(mul + o), a = _mm512_loadu_ps(add + o);
        for (int p = 0; p < P; p++) {
            const __m512 y = requant16(pair_sums(acc[g][p], acc[g + 1][p]), m, a);
            const size_t at = (size_t)(x + p) * cout8 + o;
            if (outq)
                _mm_storeu_si128((__m128i *)(outq + at), bytes16(y, qmaxv));
            else
                _mm512_storeu_ps(outf + at, y);
        }
    }
    if (G & 1) {
        const int g = G - 1, o = (g0 + g) * 8;
        const __m512 m = _mm512_castpd_ps(_mm512_broadcast_f64x4(_mm256_castps_pd(_mm256_loadu_ps(mul + o))));
        const __m512 a = _mm512_castpd_ps(_mm512_broadcast_f64x4(_mm256_castps_pd(_mm256_loadu_ps(add + o))));
        for (int p = 0; p < P; p += 2) {
            const int two = p + 1 < P;
            const __m512 y = requant16(pair_sums(acc[g][p], two ? acc[g][p + 1] : _mm512_setzero_si512()), m, a);
            const size_t at = (size_t)(x + p) * cout8 + o, next = at + (size_t)cout8;
            if (outq) {
                const __m128i r = bytes16(y, qmaxv);
                _mm_storel_epi64((__m128i *)(outq + at), r);
                if (two) _mm_storel_epi64((__m128i *)(outq + next), _mm_unpackhi_epi64(r, r));
            } else {
                _mm256_storeu_ps(outf + at, _mm512_castps512_ps256(y));
                if (two)
                    _mm256_storeu_ps(outf + next, _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(y), 1)));
            }
        }
    }
}

void sc_conv3x3_s8_avx512vnni(const uint8_t *const rows[3], int w, int cin, int cout8, const int8_t *wp,
                              const float *mul, const float *add, int qmax, int wide, uint8_t *outq, float *outf) {
    const int kc4 = (3 * cin) / 4, groups = cout8 / 8;
    const size_t gstride = packed_size_pairs(cin, 1);
    const __m512i qmaxv = _mm512_set1_epi32(qmax);
    for (int g0 = 0; g0 < groups;) {
        const int G = chunk_size(groups, g0);
        const int8_t *wk = wp + (size_t)g0 * (wide ? 2 : 1) * gstride;
        int x = 0;
#define SC_BLOCK(GC, PC)                                                                                               \
    block_avx512vnni(rows, x, cin, kc4, wk, gstride, wide, mul, add, qmaxv, cout8, g0, outq, outf, GC, PC)
        if (G == 3) {
            for (; x + 8 <= w; x += 8) SC_BLOCK(3, 8);
            for (; x + 4 <= w; x += 4) SC_BLOCK(3, 4);
            for (; x < w; x++) SC_BLOCK(3, 1);
        } else if (G == 2) {
            for (; x + 8 <= w; x += 8) SC_BLOCK(2, 8);
            for (; x + 4 <= w; x += 4) SC_BLOCK(2, 4);
            for (; x < w; x++) SC_BLOCK(2, 1);
        } else {
            for (; x + 8 <= w; x += 8) SC_BLOCK(1, 8);
            for (; x + 4 <= w; x += 4) SC_BLOCK(1, 4);
            for (; x < w; x++) SC_BLOCK(1, 1);
        }
#undef SC_BLOCK
        g0 += G;
    }
}

#pragma clang attribute pop

const sc_student_kernel_table sc_student_table_avxvnni = {
    .name = "avxvnni",
    .isa = SC_ISA_AVXVNNI,
    .native = SC_INT8_WEIGHTS_8BIT_WIDE,
    .supports_6bit_wide = 0,
    .supports_8bit = 1,
    .supports_8bit_wide = 1,
    .conv_f32 = sc_conv3x3_f32_avx2,
    .conv_f32w16 = sc_conv3x3_f32w16_avx2,
    .conv_s8 = sc_conv3x3_s8_avxvnni,
    .halves_to_floats = sc_halves_to_floats_avx2,
    .floats_to_halves = sc_floats_to_halves_avx2,
    .residual_row = sc_residual_row_avx2,
    .delta_row = sc_delta_row_avx2,
    .s2d4_maps_s8 = sc_s2d4_maps_s8_avx2,
};

const sc_student_kernel_table sc_student_table_avx512vnni = {
    .name = "avx512vnni",
    .isa = SC_ISA_AVX512VNNI,
    .native = SC_INT8_WEIGHTS_8BIT_WIDE,
    .supports_6bit_wide = 0,
    .supports_8bit = 1,
    .supports_8bit_wide = 1,
    .conv_f32 = sc_conv3x3_f32_avx2,
    .conv_f32w16 = sc_conv3x3_f32w16_avx2,
    .conv_s8 = sc_conv3x3_s8_avx512vnni,
    .s8_packed_size = packed_size_pairs,
    .s8_repack = repack_pairs,
    .halves_to_floats = sc_halves_to_floats_avx2,
    .floats_to_halves = sc_floats_to_halves_avx2,
    .residual_row = sc_residual_row_avx2,
    .delta_row = sc_delta_row_avx2,
    .s2d4_maps_s8 = sc_s2d4_maps_s8_avx2,
};

#endif
