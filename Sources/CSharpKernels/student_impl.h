// Row kernels of the fused student engine. Included twice by student.c: with SC_AVX2 defined
// (AVX2/FMA/F16C intrinsics, under a target pragma) and without (portable loops). Both read
// the same packed weight layouts:
//   fp32/fp16: wp[((og·3 + dy)·K3 + k)·8 + j] = W[og·8 + j][i][dy][dx], k = dx·cin + i, K3 = 3·cin
//   int8:      wp[(((og·3 + dy)·K3/4 + kc)·8 + j)·4 + b] = Wq[og·8 + j] at k = kc·4 + b
// Input rows point at pixel −1 of a padded NHWC row (pixels −1 and w are padding), so the
// K-slice of output pixel x for row dy is the contiguous run starting at (x)·cin.
// Requires SC_SUFFIX(name).

#ifdef SC_AVX2
#include <immintrin.h>
#endif

/// fp32 conv row: out[x·cout8 + o] = bias[o] + Σ_dy Σ_k in_dy[x·cin + k] · W, then ReLU if set.
static void SC_SUFFIX(conv_f32)(const float *const rows[3], int w, int cin, int cout8, const float *wp,
                                const float *bias, int relu, float *out) {
    const int k3 = 3 * cin;
    const int groups = cout8 / 8;
#ifdef SC_AVX2
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
            if (relu) { a0 = _mm256_max_ps(a0, zero); a1 = _mm256_max_ps(a1, zero); a2 = _mm256_max_ps(a2, zero); a3 = _mm256_max_ps(a3, zero); }
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
                for (int k = 0; k < k3; k++) a = _mm256_fmadd_ps(_mm256_broadcast_ss(in + k), _mm256_loadu_ps(wk + k * 8), a);
            }
            if (relu) a = _mm256_max_ps(a, zero);
            _mm256_storeu_ps(out + x * cout8 + og * 8, a);
        }
    }
#else
    for (int x = 0; x < w; x++) {
        for (int og = 0; og < groups; og++) {
            float acc[8];
            for (int j = 0; j < 8; j++) acc[j] = bias[og * 8 + j];
            for (int dy = 0; dy < 3; dy++) {
                const float *in = rows[dy] + x * cin;
                const float *wk = wp + ((og * 3 + dy) * k3) * 8;
                for (int k = 0; k < k3; k++) {
                    const float v = in[k];
                    for (int j = 0; j < 8; j++) acc[j] += v * wk[k * 8 + j];
                }
            }
            for (int j = 0; j < 8; j++) out[x * cout8 + og * 8 + j] = relu && acc[j] < 0 ? 0 : acc[j];
        }
    }
#endif
}

/// The same with half-precision weights (converted on load).
static void SC_SUFFIX(conv_f32w16)(const float *const rows[3], int w, int cin, int cout8, const uint16_t *wp,
                                   const float *bias, int relu, float *out) {
    const int k3 = 3 * cin;
    const int groups = cout8 / 8;
#ifdef SC_AVX2
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
            if (relu) { a0 = _mm256_max_ps(a0, zero); a1 = _mm256_max_ps(a1, zero); a2 = _mm256_max_ps(a2, zero); a3 = _mm256_max_ps(a3, zero); }
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
                for (int k = 0; k < k3; k++)
                    a = _mm256_fmadd_ps(_mm256_broadcast_ss(in + k), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(wk + k * 8))), a);
            }
            if (relu) a = _mm256_max_ps(a, zero);
            _mm256_storeu_ps(out + x * cout8 + og * 8, a);
        }
    }
#else
    for (int x = 0; x < w; x++) {
        for (int og = 0; og < groups; og++) {
            float acc[8];
            for (int j = 0; j < 8; j++) acc[j] = bias[og * 8 + j];
            for (int dy = 0; dy < 3; dy++) {
                const float *in = rows[dy] + x * cin;
                const uint16_t *wk = wp + ((og * 3 + dy) * k3) * 8;
                for (int k = 0; k < k3; k++) {
                    const float v = in[k];
                    for (int j = 0; j < 8; j++) acc[j] += v * sc_half_to_float(wk[k * 8 + j]);
                }
            }
            for (int j = 0; j < 8; j++) out[x * cout8 + og * 8 + j] = relu && acc[j] < 0 ? 0 : acc[j];
        }
    }
#endif
}

/// Halves to floats (n values).
static void SC_SUFFIX(halves_to_floats)(const uint16_t *src, int n, float *dst) {
    int i = 0;
#ifdef SC_AVX2
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
#endif
    for (; i < n; i++) dst[i] = sc_half_to_float(src[i]);
}

/// Floats to halves (round to nearest even), n values.
static void SC_SUFFIX(floats_to_halves)(const float *src, int n, uint16_t *dst) {
    int i = 0;
#ifdef SC_AVX2
    for (; i + 8 <= n; i += 8) _mm_storeu_si128((__m128i *)(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
#endif
    for (; i < n; i++) dst[i] = sc_float_to_half(src[i]);
}

/// int8 conv row: acc = Σ u8 · s8 in exact int32. Weights and activations are bounded so that
/// one vpmaddubsw product pair is at most 16383 (|w| ≤ wmax, q ≤ qmax, 2·qmax·wmax ≤ 16383):
/// two pairs then add in int16 without overflow before one vpmaddwd widens them.
/// Hidden layers store q = clamp(round(acc·mul[o] + add[o]), 0, qmax) (ReLU folded into the
/// clamp), the last layer stores acc·mul[o] + add[o] as floats. `wide` layers have two weight
/// groups per output group (high, low): acc = 2^SC_STUDENT_WIDE_SHIFT · acc_high + acc_low.
#ifdef SC_AVX2
/// Requantises one pixel's eight channels and stores them.
static inline void SC_SUFFIX(store8)(__m256i acc, __m256 m, __m256 a, __m128i qlimit, uint8_t *outq, float *outf) {
    const __m256 y = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc), m, a);
    if (outq) {
        const __m256i q = _mm256_cvtps_epi32(y);  // round to nearest even
        const __m256i h = _mm256_packs_epi32(q, q);
        const __m256i bq = _mm256_packus_epi16(h, h);  // clamps to 0..255
        _mm_storel_epi64((__m128i *)outq, _mm_min_epu8(_mm_unpacklo_epi32(_mm256_castsi256_si128(bq), _mm256_extracti128_si256(bq, 1)), qlimit));
    } else {
        _mm256_storeu_ps(outf, y);
    }
}

static inline __m256i SC_SUFFIX(bcast)(const uint8_t *p) {
    int32_t d;
    memcpy(&d, p, 4);
    return _mm256_set1_epi32(d);
}
#endif

static void SC_SUFFIX(conv_s8)(const uint8_t *const rows[3], int w, int cin, int cout8, const int8_t *wp,
                               const float *mul, const float *add, int qmax, int wide, uint8_t *outq, float *outf) {
    const int kc4 = (3 * cin) / 4;
    const int groups = cout8 / 8;  // output groups
    int x0 = 0;  // first pixel the per-pixel loop below handles
#ifdef SC_AVX2
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
#define SC_PAIRV(P, K) _mm256_inserti128_si256(_mm256_castsi128_si256(_mm256_castsi256_si128(SC_SUFFIX(bcast)(in + (P) * cin + (K) * 4))), \
                                               _mm256_castsi256_si128(SC_SUFFIX(bcast)(in + ((P) + 1) * cin + (K) * 4)), 1)
                for (; kc + 2 <= kc4; kc += 2) {
                    const __m256i a0 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(w0 + kc * 32)));
                    const __m256i a1 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(w0 + kc * 32 + 32)));
                    c0 = _mm256_add_epi32(c0, _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(SC_PAIRV(0, kc), a0), _mm256_maddubs_epi16(SC_PAIRV(0, kc + 1), a1)), ones));
                    c1 = _mm256_add_epi32(c1, _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(SC_PAIRV(2, kc), a0), _mm256_maddubs_epi16(SC_PAIRV(2, kc + 1), a1)), ones));
                }
                if (kc < kc4) {
                    const __m256i a0 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(w0 + kc * 32)));
                    c0 = _mm256_add_epi32(c0, _mm256_madd_epi16(_mm256_maddubs_epi16(SC_PAIRV(0, kc), a0), ones));
                    c1 = _mm256_add_epi32(c1, _mm256_madd_epi16(_mm256_maddubs_epi16(SC_PAIRV(2, kc), a0), ones));
                }
#undef SC_PAIRV
            }
            const __m256 y0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(c0), m, a), y1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(c1), m, a);
            _mm_storeu_ps(outf + (x + 0) * 8, _mm256_castps256_ps128(y0));
            _mm_storeu_ps(outf + (x + 1) * 8, _mm256_extractf128_ps(y0, 1));
            _mm_storeu_ps(outf + (x + 2) * 8, _mm256_castps256_ps128(y1));
            _mm_storeu_ps(outf + (x + 3) * 8, _mm256_extractf128_ps(y1, 1));
        }
        x0 = full;
        goto tail;
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
                    const __m256i a0 = _mm256_loadu_si256((const __m256i *)(w0 + kc * 32)), a1 = _mm256_loadu_si256((const __m256i *)(w0 + kc * 32 + 32));
                    const __m256i b0 = _mm256_loadu_si256((const __m256i *)(w1 + kc * 32)), b1 = _mm256_loadu_si256((const __m256i *)(w1 + kc * 32 + 32));
#define SC_STEP(P, CA, CB)                                                                                         \
    {                                                                                                              \
        const __m256i v0 = SC_SUFFIX(bcast)(in + (P) * cin + kc * 4), v1 = SC_SUFFIX(bcast)(in + (P) * cin + kc * 4 + 4); \
        CA = _mm256_add_epi32(CA, _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(v0, a0), _mm256_maddubs_epi16(v1, a1)), ones)); \
        if (pair) CB = _mm256_add_epi32(CB, _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(v0, b0), _mm256_maddubs_epi16(v1, b1)), ones)); \
    }
                    SC_STEP(0, c0, d0) SC_STEP(1, c1, d1) SC_STEP(2, c2, d2) SC_STEP(3, c3, d3)
#undef SC_STEP
                }
                if (kc < kc4) {  // an odd last chunk of this kernel row
                    const __m256i a0 = _mm256_loadu_si256((const __m256i *)(w0 + kc * 32));
                    const __m256i b0 = _mm256_loadu_si256((const __m256i *)(w1 + kc * 32));
#define SC_STEP1(P, CA, CB)                                                                                        \
    {                                                                                                              \
        const __m256i v0 = SC_SUFFIX(bcast)(in + (P) * cin + kc * 4);                                            \
        CA = _mm256_add_epi32(CA, _mm256_madd_epi16(_mm256_maddubs_epi16(v0, a0), ones));                          \
        if (pair) CB = _mm256_add_epi32(CB, _mm256_madd_epi16(_mm256_maddubs_epi16(v0, b0), ones));                \
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
            SC_SUFFIX(store8)(c0, ma, aa, qlimit, outq ? outq + (x + 0) * cout8 + og * 8 : NULL, outf ? outf + (x + 0) * cout8 + og * 8 : NULL);
            SC_SUFFIX(store8)(c1, ma, aa, qlimit, outq ? outq + (x + 1) * cout8 + og * 8 : NULL, outf ? outf + (x + 1) * cout8 + og * 8 : NULL);
            SC_SUFFIX(store8)(c2, ma, aa, qlimit, outq ? outq + (x + 2) * cout8 + og * 8 : NULL, outf ? outf + (x + 2) * cout8 + og * 8 : NULL);
            SC_SUFFIX(store8)(c3, ma, aa, qlimit, outq ? outq + (x + 3) * cout8 + og * 8 : NULL, outf ? outf + (x + 3) * cout8 + og * 8 : NULL);
            if (pair && !wide) {
                const int ob = (og + 1) * 8;
                SC_SUFFIX(store8)(d0, mb, ab, qlimit, outq ? outq + (x + 0) * cout8 + ob : NULL, outf ? outf + (x + 0) * cout8 + ob : NULL);
                SC_SUFFIX(store8)(d1, mb, ab, qlimit, outq ? outq + (x + 1) * cout8 + ob : NULL, outf ? outf + (x + 1) * cout8 + ob : NULL);
                SC_SUFFIX(store8)(d2, mb, ab, qlimit, outq ? outq + (x + 2) * cout8 + ob : NULL, outf ? outf + (x + 2) * cout8 + ob : NULL);
                SC_SUFFIX(store8)(d3, mb, ab, qlimit, outq ? outq + (x + 3) * cout8 + ob : NULL, outf ? outf + (x + 3) * cout8 + ob : NULL);
            }
        }
    }
    x0 = full;
tail:
#endif
    // Per pixel (the portable path, and the last w mod 4 pixels of the AVX2 path): exact
    // int32 products, identical results.
    for (int x = x0; x < w; x++) {
        for (int og = 0; og < groups; og++) {
            int32_t acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (int part = 0; part < (wide ? 2 : 1); part++) {
                const int wg = wide ? 2 * og + part : og;
                if (part == 1)
                    for (int o = 0; o < 8; o++) acc[o] *= 1 << SC_STUDENT_WIDE_SHIFT;
                for (int dy = 0; dy < 3; dy++) {
                    const uint8_t *in = rows[dy] + x * cin;
                    const int8_t *wk = wp + ((wg * 3 + dy) * kc4) * 32;
                    for (int kc = 0; kc < kc4; kc++)
                        for (int o = 0; o < 8; o++)
                            for (int b = 0; b < 4; b++) acc[o] += (int32_t)in[kc * 4 + b] * (int32_t)wk[(kc * 8 + o) * 4 + b];
                }
            }
            for (int o = 0; o < 8; o++) {
                const float y = fmaf((float)acc[o], mul[og * 8 + o], add[og * 8 + o]);  // as the AVX2 FMA
                if (outq) {
                    float r = nearbyintf(y);  // round to nearest even, as cvtps2dq
                    r = r < 0 ? 0 : (r > (float)qmax ? (float)qmax : r);
                    outq[x * cout8 + og * 8 + o] = (uint8_t)r;
                } else {
                    outf[x * cout8 + og * 8 + o] = y;
                }
            }
        }
    }
}

static const sc_student_kernel_table SC_SUFFIX(student_table) = {
    .name = SC_NAME,
    .conv_f32 = SC_SUFFIX(conv_f32),
    .conv_f32w16 = SC_SUFFIX(conv_f32w16),
    .conv_s8 = SC_SUFFIX(conv_s8),
    .halves_to_floats = SC_SUFFIX(halves_to_floats),
    .floats_to_halves = SC_SUFFIX(floats_to_halves),
};
