// The AVX2+FMA+F16C row kernels of the fused student engine (x86-64, clang). Layouts:
// student_kernels.h. int8 uses vpmaddubsw, whose u8·s8 pair sums saturate at int16: weights are
// 6-bit (SC_INT8_WEIGHTS_6BIT_WIDE, |q| <= 32), optionally wide (two parts) per layer.
#include "student_kernels.h"

#ifdef SC_HAVE_STUDENT_AVX2
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

/// fp32 conv row (see sc_conv3x3_f32_ref): 4 pixels × 8 outputs per register block.
void sc_conv3x3_f32_avx2(const float *const rows[3], int w, int cin, int cout8, const float *wp, const float *bias,
                         int relu, float *out) {
    const int k3 = 3 * cin, groups = cout8 / 8;
    const __m256 zero = _mm256_setzero_ps();
    for (int og = 0; og < groups; og++) {
        const __m256 b = _mm256_loadu_ps(bias + og * 8);
        int x = 0;
        for (; x + 4 <= w; x += 4) {
            __m256 a0 = b, a1 = b, a2 = b, a3 = b;
            for (int dy = 0; dy < 3; dy++) {
                const float *in = rows[dy] + x * cin;
                const float *wk = wp + ((og * 3 + dy) * k3) * 8;
                for (int k = 0; k < k3; k++) {
                    const __m256 wv = _mm256_loadu_ps(wk + k * 8);
                    a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(in + k), wv, a0);
                    a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(in + cin + k), wv, a1);
                    a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(in + 2 * cin + k), wv, a2);
                    a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(in + 3 * cin + k), wv, a3);
                }
            }
            if (relu) {
                a0 = _mm256_max_ps(a0, zero);
                a1 = _mm256_max_ps(a1, zero);
                a2 = _mm256_max_ps(a2, zero);
                a3 = _mm256_max_ps(a3, zero);
            }
            _mm256_storeu_ps(out + (x + 0) * cout8 + og * 8, a0);
            _mm256_storeu_ps(out + (x + 1) * cout8 + og * 8, a1);
            _mm256_storeu_ps(out + (x + 2) * cout8 + og * 8, a2);
            _mm256_storeu_ps(out + (x + 3) * cout8 + og * 8, a3);
        }
        for (; x < w; x++) {
            __m256 a = b;
            for (int dy = 0; dy < 3; dy++) {
                const float *in = rows[dy] + x * cin;
                const float *wk = wp + ((og * 3 + dy) * k3) * 8;
                for (int k = 0; k < k3; k++)
                    a = _mm256_fmadd_ps(_mm256_broadcast_ss(in + k), _mm256_loadu_ps(wk + k * 8), a);
            }
            if (relu) a = _mm256_max_ps(a, zero);
            _mm256_storeu_ps(out + x * cout8 + og * 8, a);
        }
    }
}

/// The same with half-precision weights (converted on load).
void sc_conv3x3_f32w16_avx2(const float *const rows[3], int w, int cin, int cout8, const uint16_t *wp,
                            const float *bias, int relu, float *out) {
    const int k3 = 3 * cin, groups = cout8 / 8;
    const __m256 zero = _mm256_setzero_ps();
    for (int og = 0; og < groups; og++) {
        const __m256 b = _mm256_loadu_ps(bias + og * 8);
        int x = 0;
        for (; x + 4 <= w; x += 4) {
            __m256 a0 = b, a1 = b, a2 = b, a3 = b;
            for (int dy = 0; dy < 3; dy++) {
                const float *in = rows[dy] + x * cin;
                const uint16_t *wk = wp + ((og * 3 + dy) * k3) * 8;
                for (int k = 0; k < k3; k++) {
                    const __m256 wv = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(wk + k * 8)));
                    a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(in + k), wv, a0);
                    a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(in + cin + k), wv, a1);
                    a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(in + 2 * cin + k), wv, a2);
                    a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(in + 3 * cin + k), wv, a3);
                }
            }
            if (relu) {
                a0 = _mm256_max_ps(a0, zero);
                a1 = _mm256_max_ps(a1, zero);
                a2 = _mm256_max_ps(a2, zero);
                a3 = _mm256_max_ps(a3, zero);
            }
            _mm256_storeu_ps(out + (x + 0) * cout8 + og * 8, a0);
            _mm256_storeu_ps(out + (x + 1) * cout8 + og * 8, a1);
            _mm256_storeu_ps(out + (x + 2) * cout8 + og * 8, a2);
            _mm256_storeu_ps(out + (x + 3) * cout8 + og * 8, a3);
        }
        for (; x < w; x++) {
            __m256 a = b;
            for (int dy = 0; dy < 3; dy++) {
                const float *in = rows[dy] + x * cin;
                const uint16_t *wk = wp + ((og * 3 + dy) * k3) * 8;
                for (int k = 0; k < k3; k++) {
                    const __m256 wv = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(wk + k * 8)));
                    a = _mm256_fmadd_ps(_mm256_broadcast_ss(in + k), wv, a);
                }
            }
            if (relu) a = _mm256_max_ps(a, zero);
            _mm256_storeu_ps(out + x * cout8 + og * 8, a);
        }
    }
}

void sc_halves_to_floats_avx2(const uint16_t *src, int n, float *dst) {
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
    for (; i < n; i++) dst[i] = sc_half_to_float(src[i]);
}

/// Round to nearest even.
void sc_floats_to_halves_avx2(const float *src, int n, uint16_t *dst) {
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) dst[i] = sc_float_to_half(src[i]);
}

/// Requantises one pixel's eight channels and stores them.
static inline void store8(__m256i acc, __m256 m, __m256 a, __m128i qlimit, uint8_t *outq, float *outf) {
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

static inline __m256i bcast(const uint8_t *p) {
    int32_t d;
    memcpy(&d, p, 4);
    return _mm256_set1_epi32(d);
}

/// u8 · s8 dot products of one 4-byte chunk with 8 outputs (pairs in int16, then int32).
#define SC_DOT1(V, W) _mm256_madd_epi16(_mm256_maddubs_epi16(V, W), ones)
/// Two chunks: their two int16 pair sums add in int16 (|sum| <= 4·255·32 < 32768).
#define SC_DOT2(V0, W0, V1, W1)                                                                                        \
    _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(V0, W0), _mm256_maddubs_epi16(V1, W1)), ones)

/// int8 conv row: 4 pixels × 2 weight groups (output groups og, og + 1, or the high and low
/// parts of a wide output group) per register block; the last w mod 4 pixels by the reference.
void sc_conv3x3_s8_avx2(const uint8_t *const rows[3], int w, int cin, int cout8, const int8_t *wp, const float *mul,
                        const float *add, int qmax, int wide, uint8_t *outq, float *outf) {
    const int kc4 = (3 * cin) / 4;
    const int groups = cout8 / 8; // output groups
    const __m256i ones = _mm256_set1_epi16(1);
    const __m128i qlimit = _mm_set1_epi8((char)qmax);
    const int full = w / 4 * 4;
    if (outf && cout8 == 8 && !wide) {
        // The output layer has 4 real channels: two pixels share one register (channels 0-3
        // of pixel p in the low half, of pixel p + 1 in the high half); 4 pixels per block.
        const __m256 m = _mm256_broadcast_ps((const __m128 *)mul), a = _mm256_broadcast_ps((const __m128 *)add);
        for (int x = 0; x < full; x += 4) {
            __m256i c0 = _mm256_setzero_si256(), c1 = c0;
            for (int dy = 0; dy < 3; dy++) {
                const uint8_t *in = rows[dy] + x * cin;
                const int8_t *w0 = wp + dy * kc4 * 32;
                int kc = 0;
#define SC_PAIRV(P, K)                                                                                                 \
    _mm256_inserti128_si256(_mm256_castsi128_si256(_mm256_castsi256_si128(bcast(in + (P)*cin + (K)*4))),               \
                            _mm256_castsi256_si128(bcast(in + ((P) + 1) * cin + (K)*4)), 1)
                for (; kc + 2 <= kc4; kc += 2) {
                    const __m256i a0 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(w0 + kc * 32)));
                    const __m256i a1 =
                        _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(w0 + kc * 32 + 32)));
                    c0 = _mm256_add_epi32(c0, SC_DOT2(SC_PAIRV(0, kc), a0, SC_PAIRV(0, kc + 1), a1));
                    c1 = _mm256_add_epi32(c1, SC_DOT2(SC_PAIRV(2, kc), a0, SC_PAIRV(2, kc + 1), a1));
                }
                if (kc < kc4) {
                    const __m256i a0 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(w0 + kc * 32)));
                    c0 = _mm256_add_epi32(c0, SC_DOT1(SC_PAIRV(0, kc), a0));
                    c1 = _mm256_add_epi32(c1, SC_DOT1(SC_PAIRV(2, kc), a0));
                }
#undef SC_PAIRV
            }
            const __m256 y0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(c0), m, a);
            const __m256 y1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(c1), m, a);
            _mm_storeu_ps(outf + (x + 0) * 8, _mm256_castps256_ps128(y0));
            _mm_storeu_ps(outf + (x + 1) * 8, _mm256_extractf128_ps(y0, 1));
            _mm_storeu_ps(outf + (x + 2) * 8, _mm256_castps256_ps128(y1));
            _mm_storeu_ps(outf + (x + 3) * 8, _mm256_extractf128_ps(y1, 1));
        }
        sc_conv3x3_s8_ref_from(full, rows, w, cin, cout8, wp, mul, add, qmax, wide, outq, outf);
        return;
    }
    // Two weight groups at a time: output groups og and og + 1, or (wide) the high and low
    // parts of output group og / 2.
    const int wgroups = wide ? 2 * groups : groups;
    for (int wg = 0; wg < wgroups; wg += 2) {
        const int pair = wg + 1 < wgroups, og = wide ? wg / 2 : wg;
        const int8_t *wa = wp + (wg * 3 * kc4) * 32, *wb = wp + ((wg + pair) * 3 * kc4) * 32;
        const __m256 ma = _mm256_loadu_ps(mul + og * 8), aa = _mm256_loadu_ps(add + og * 8);
        const int ogb = wide ? og : og + pair;
        const __m256 mb = _mm256_loadu_ps(mul + ogb * 8), ab = _mm256_loadu_ps(add + ogb * 8);
        for (int x = 0; x < full; x += 4) {
            __m256i c0 = _mm256_setzero_si256(), c1 = c0, c2 = c0, c3 = c0, d0 = c0, d1 = c0, d2 = c0, d3 = c0;
            for (int dy = 0; dy < 3; dy++) {
                const uint8_t *in = rows[dy] + x * cin;
                const int8_t *w0 = wa + dy * kc4 * 32, *w1 = wb + dy * kc4 * 32;
                int kc = 0;
                for (; kc + 2 <= kc4; kc += 2) {
                    const __m256i a0 = _mm256_loadu_si256((const __m256i *)(w0 + kc * 32));
                    const __m256i a1 = _mm256_loadu_si256((const __m256i *)(w0 + kc * 32 + 32));
                    const __m256i b0 = _mm256_loadu_si256((const __m256i *)(w1 + kc * 32));
                    const __m256i b1 = _mm256_loadu_si256((const __m256i *)(w1 + kc * 32 + 32));
#define SC_STEP(P, CA, CB)                                                                                             \
    {                                                                                                                  \
        const __m256i v0 = bcast(in + (P)*cin + kc * 4), v1 = bcast(in + (P)*cin + kc * 4 + 4);                        \
        CA = _mm256_add_epi32(CA, SC_DOT2(v0, a0, v1, a1));                                                            \
        if (pair) CB = _mm256_add_epi32(CB, SC_DOT2(v0, b0, v1, b1));                                                  \
    }
                    SC_STEP(0, c0, d0) SC_STEP(1, c1, d1) SC_STEP(2, c2, d2) SC_STEP(3, c3, d3)
#undef SC_STEP
                }
                if (kc < kc4) { // an odd last chunk of this kernel row
                    const __m256i a0 = _mm256_loadu_si256((const __m256i *)(w0 + kc * 32));
                    const __m256i b0 = _mm256_loadu_si256((const __m256i *)(w1 + kc * 32));
#define SC_STEP1(P, CA, CB)                                                                                            \
    {                                                                                                                  \
        const __m256i v0 = bcast(in + (P)*cin + kc * 4);                                                               \
        CA = _mm256_add_epi32(CA, SC_DOT1(v0, a0));                                                                    \
        if (pair) CB = _mm256_add_epi32(CB, SC_DOT1(v0, b0));                                                          \
    }
                    SC_STEP1(0, c0, d0) SC_STEP1(1, c1, d1) SC_STEP1(2, c2, d2) SC_STEP1(3, c3, d3)
#undef SC_STEP1
                }
            }
            if (wide) {
                c0 = _mm256_add_epi32(_mm256_slli_epi32(c0, SC_STUDENT_WIDE_SHIFT), d0);
                c1 = _mm256_add_epi32(_mm256_slli_epi32(c1, SC_STUDENT_WIDE_SHIFT), d1);
                c2 = _mm256_add_epi32(_mm256_slli_epi32(c2, SC_STUDENT_WIDE_SHIFT), d2);
                c3 = _mm256_add_epi32(_mm256_slli_epi32(c3, SC_STUDENT_WIDE_SHIFT), d3);
            }
#define SC_STORE(C, P, M, A, O)                                                                                        \
    store8(C, M, A, qlimit, outq ? outq + (x + (P)) * cout8 + (O) : NULL, outf ? outf + (x + (P)) * cout8 + (O) : NULL)
            SC_STORE(c0, 0, ma, aa, og * 8);
            SC_STORE(c1, 1, ma, aa, og * 8);
            SC_STORE(c2, 2, ma, aa, og * 8);
            SC_STORE(c3, 3, ma, aa, og * 8);
            if (pair && !wide) {
                const int ob = (og + 1) * 8;
                SC_STORE(d0, 0, mb, ab, ob);
                SC_STORE(d1, 1, mb, ab, ob);
                SC_STORE(d2, 2, mb, ab, ob);
                SC_STORE(d3, 3, mb, ab, ob);
            }
#undef SC_STORE
        }
    }
    sc_conv3x3_s8_ref_from(full, rows, w, cin, cout8, wp, mul, add, qmax, wide, outq, outf);
}

#undef SC_DOT1
#undef SC_DOT2

// MARK: Row glue (input space-to-depth, output depth-to-space and residual)

/// The residuals of output pixels x .. x + 7 (x a multiple of 8) of a B = 2 or 4 row.
static inline __m256 residual8(const float *rr, int rs, int block, int x) {
    if (block == 4) {
        const float *p = rr + (size_t)(x >> 2) * rs;
        return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(p)), _mm_loadu_ps(p + rs), 1);
    }
    const float *p = rr + (size_t)(x >> 1) * rs;
    const __m128d a = _mm_loadh_pd(_mm_load_sd((const double *)p), (const double *)(p + rs));
    const __m128d b = _mm_loadh_pd(_mm_load_sd((const double *)(p + 2 * rs)), (const double *)(p + 3 * rs));
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_castpd_ps(a)), _mm_castpd_ps(b), 1);
}

/// Eight int32 (0..255) to eight bytes.
static inline __m128i bytes8(__m256i q) {
    const __m256i h = _mm256_packs_epi32(q, q);
    const __m256i b = _mm256_packus_epi16(h, h);
    return _mm_unpacklo_epi32(_mm256_castsi256_si128(b), _mm256_extracti128_si256(b, 1));
}

void sc_residual_row_avx2(const float *rr, int rs, int block, const uint8_t *in, int is, uint8_t *out, int os,
                          int width, float gain) {
    int x = 0;
    if (block == 2 || block == 4) {
        const __m256 g = _mm256_set1_ps(gain), lo = _mm256_setzero_ps(), hi = _mm256_set1_ps(255.0f);
        const __m256 half = _mm256_set1_ps(0.5f);
        for (; x + 8 <= width; x += 8) {
            __m128i v8;
            if (is == 1) {
                v8 = _mm_loadl_epi64((const __m128i *)(in + x));
            } else {
                const uint8_t *p = in + (size_t)x * is;
                v8 = _mm_setr_epi8((char)p[0], (char)p[is], (char)p[2 * is], (char)p[3 * is], (char)p[4 * is],
                                   (char)p[5 * is], (char)p[6 * is], (char)p[7 * is], 0, 0, 0, 0, 0, 0, 0, 0);
            }
            // Separate multiply and add (no FMA): the same rounding as the reference.
            __m256 v = _mm256_add_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(v8)),
                                     _mm256_mul_ps(g, residual8(rr, rs, block, x)));
            v = _mm256_add_ps(_mm256_min_ps(_mm256_max_ps(v, lo), hi), half);
            const __m128i b = bytes8(_mm256_cvttps_epi32(v));
            if (os == 1) {
                _mm_storel_epi64((__m128i *)(out + x), b);
            } else {
                uint8_t t[16];
                _mm_storeu_si128((__m128i *)t, b);
                for (int i = 0; i < 8; i++) out[(size_t)(x + i) * os] = t[i];
            }
        }
    }
    if (x < width)
        sc_residual_row_ref(rr + (size_t)(x / block) * rs, rs, block, in + (size_t)x * is, is, out + (size_t)x * os, os,
                            width - x, gain);
}

void sc_delta_row_avx2(const float *rr, int rs, int block, int16_t *d, int width, float gain) {
    int x = 0;
    if (block == 2 || block == 4) {
        const __m256 g = _mm256_set1_ps(gain), lo = _mm256_set1_ps(-32767.0f), hi = _mm256_set1_ps(32767.0f);
        for (; x + 8 <= width; x += 8) {
            __m256 v = _mm256_round_ps(_mm256_mul_ps(g, residual8(rr, rs, block, x)),
                                       _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            const __m256i q = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(v, lo), hi));
            const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
            _mm_storeu_si128((__m128i *)(d + x), w);
        }
    }
    if (x < width) sc_delta_row_ref(rr + (size_t)(x / block) * rs, rs, block, d + x, width - x, gain);
}

/// 16 samples p[0], p[step], ... (step 1 or 2 by shuffles, else one by one).
static inline __m128i load16(const uint8_t *p, int step) {
    if (step == 1) return _mm_loadu_si128((const __m128i *)p);
    if (step == 2) {
        const __m128i even = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, -1, -1, -1, -1, -1, -1, -1, -1);
        const __m128i a = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), even);
        const __m128i b = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), even);
        return _mm_unpacklo_epi64(a, b);
    }
    uint8_t t[16];
    for (int i = 0; i < 16; i++) t[i] = p[(size_t)i * step];
    return _mm_loadu_si128((const __m128i *)t);
}

void sc_s2d4_maps_s8_avx2(const uint8_t *const y[4], int ystep, const uint8_t *const e[4], const uint8_t *const m[4],
                          int n, uint8_t *dst) {
    // Network pixel j of a 16-column group: bytes 3i, 3i + 1, 3i + 2 (i = 0..3) of its 12-byte
    // run of row dy from column 4j + i of y, e and m.
    __m128i sy[4], se[4], sm[4];
    for (int j = 0; j < 4; j++) {
        int8_t a[16], b[16], c[16];
        for (int t = 0; t < 16; t++) a[t] = b[t] = c[t] = -1;
        for (int i = 0; i < 4; i++) {
            a[3 * i] = (int8_t)(4 * j + i);
            b[3 * i + 1] = (int8_t)(4 * j + i);
            c[3 * i + 2] = (int8_t)(4 * j + i);
        }
        sy[j] = _mm_loadu_si128((const __m128i *)a);
        se[j] = _mm_loadu_si128((const __m128i *)b);
        sm[j] = _mm_loadu_si128((const __m128i *)c);
    }
    int x = 0;
    for (; x + 4 <= n; x += 4) {
        uint8_t *o = dst + (size_t)x * 48;
        for (int dy = 0; dy < 4; dy++) {
            const __m128i vy = load16(y[dy] + (size_t)4 * x * ystep, ystep);
            const __m128i ve = _mm_loadu_si128((const __m128i *)(e[dy] + 4 * x));
            const __m128i vm = _mm_loadu_si128((const __m128i *)(m[dy] + 4 * x));
            for (int j = 0; j < 4; j++) {
                const __m128i r = _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(vy, sy[j]), _mm_shuffle_epi8(ve, se[j])),
                                               _mm_shuffle_epi8(vm, sm[j]));
                uint8_t *q = o + j * 48 + dy * 12;
                if (dy < 3) {
                    _mm_storeu_si128((__m128i *)q, r); // bytes 12-15 are the next row's, written next
                } else {
                    _mm_storel_epi64((__m128i *)q, r);
                    const int32_t last = _mm_extract_epi32(r, 2);
                    memcpy(q + 8, &last, 4);
                }
            }
        }
    }
    if (x < n) {
        const uint8_t *yy[4], *ee[4], *mm[4];
        for (int dy = 0; dy < 4; dy++) {
            yy[dy] = y[dy] + (size_t)4 * x * ystep;
            ee[dy] = e[dy] + 4 * x;
            mm[dy] = m[dy] + 4 * x;
        }
        sc_s2d4_maps_s8_ref(yy, ystep, ee, mm, n - x, dst + (size_t)x * 48);
    }
}

#pragma clang attribute pop

const sc_student_kernel_table sc_student_table_avx2 = {
    .name = "avx2",
    .isa = SC_ISA_AVX2,
    .native = SC_INT8_WEIGHTS_6BIT_WIDE,
    .supports_6bit_wide = 1,
    .supports_8bit = 0,
    .conv_f32 = sc_conv3x3_f32_avx2,
    .conv_f32w16 = sc_conv3x3_f32w16_avx2,
    .conv_s8 = sc_conv3x3_s8_avx2,
    .halves_to_floats = sc_halves_to_floats_avx2,
    .floats_to_halves = sc_floats_to_halves_avx2,
    .residual_row = sc_residual_row_avx2,
    .delta_row = sc_delta_row_avx2,
    .s2d4_maps_s8 = sc_s2d4_maps_s8_avx2,
};

#endif
