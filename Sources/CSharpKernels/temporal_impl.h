// The temporal filter's per-frame loops (sc_temporal.h), written so that the vectoriser can
// take them (no tables, no branches in the pixel loops); included once per instruction set by
// temporal.c with SC_T_SUFFIX naming the copy. Every copy computes the same integers.

// |in - round(acc_in / 16)| for one row.
static void SC_T_SUFFIX(diff_row)(const uint8_t *restrict i, ptrdiff_t in_step, const int16_t *restrict ai,
                                  uint8_t *restrict d, int w) {
    if (in_step == 2) {
        for (int x = 0; x < w; x++) {
            int v = i[2 * x], q = (ai[x] + 8) >> 4, e = v - q;
            d[x] = (uint8_t)(e < 0 ? -e : e);
        }
    } else {
        for (int x = 0; x < w; x++) {
            int v = i[x], q = (ai[x] + 8) >> 4, e = v - q;
            d[x] = (uint8_t)(e < 0 ? -e : e);
        }
    }
}

// acc moves towards target by a/256 of the way (truncated) and by at least one step; a = 256
// lands on target. Every operation is truncated to 16 bits (|d| <= 8160, a <= 256: the high
// half of a 16x16-bit product), so that the vectoriser uses 16-bit lanes.
static inline int16_t SC_T_SUFFIX(approach)(int16_t acc, int16_t target, uint16_t a32) {
    int16_t d = (int16_t)(target - acc);
    uint16_t ad = (uint16_t)(d < 0 ? (int16_t)-d : d);
    uint16_t s = (uint16_t)(((uint32_t)(uint16_t)(ad << 3) * (uint32_t)a32) >> 16);
    s = (uint16_t)((s == 0 && ad != 0) ? 1 : s);
    return (int16_t)(d < 0 ? (int16_t)(acc - (int16_t)s) : (int16_t)(acc + (int16_t)s));
}

// One row: weights from the 3x3 motion sums, the averages, the output (planar luma).
#define SC_T_ROW(NAME, STEP)                                                                                           \
    static void NAME(const uint8_t *restrict i, uint8_t *restrict o, const uint16_t *restrict cs,                      \
                     int16_t *restrict ai, int16_t *restrict ac, uint8_t *restrict fresh, int w, int low9, int range9, \
                     int slope16, int lo, int hi) {                                                                    \
        const int16_t low = (int16_t)low9, range = (int16_t)range9, slope = (int16_t)slope16;                          \
        for (int x = 0; x < w; x++) {                                                                                  \
            /* cs has a repeated column at each end: cs[x .. x + 2] is pixel x's 3x3 window. */                        \
            int16_t m = (int16_t)((uint16_t)(cs[x] + cs[x + 1] + cs[x + 2]) - (uint16_t)low);                          \
            m = m < 0 ? 0 : m > range ? range : m;                                                                     \
            uint16_t a = (uint16_t)(SC_T_ALPHA_MIN + (uint16_t)((uint16_t)(m * slope) >> 4));                          \
            a = m >= range ? (uint16_t)256 : a;                                                                        \
            a = (fresh[x] && a < 128) ? (uint16_t)128 : a; /* after a pixel followed: a mean of two */                 \
            uint16_t a32 = (uint16_t)(a << 5);                                                                         \
            int16_t v = (int16_t)i[x * STEP], c = (int16_t)((int16_t)o[x * STEP] - v);                                 \
            int16_t fi = SC_T_SUFFIX(approach)(ai[x], (int16_t)(v << 4), a32);                                         \
            int16_t fc = SC_T_SUFFIX(approach)(ac[x], (int16_t)(c * 16), a32);                                         \
            ai[x] = fi;                                                                                                \
            ac[x] = fc;                                                                                                \
            fresh[x] = (uint8_t)(a == 256);                                                                            \
            int16_t r = (int16_t)((int16_t)(fi + fc + 8) >> 4);                                                        \
            o[x * STEP] = (uint8_t)(r < lo ? lo : r > hi ? hi : r);                                                    \
        }                                                                                                              \
    }
SC_T_ROW(SC_T_SUFFIX(row1_scalar), 1)
SC_T_ROW(SC_T_SUFFIX(row2_scalar), 2)

#ifdef SC_T_AVX2_ROW
// The same row with AVX2 intrinsics, 16 pixels at a time in 16-bit lanes (the vectoriser
// widens the products to 32 bits); the last w % 16 pixels by the scalar loop. Bit-identical.
// step 2 (YUYV): 32 bytes hold 16 pixels, luma in the low byte of each 16-bit lane; chroma is
// kept by merging the high bytes back.
static inline void SC_T_SUFFIX(row_avx2)(const uint8_t *restrict i, uint8_t *restrict o, const uint16_t *restrict cs,
                                         int16_t *restrict ai, int16_t *restrict ac, uint8_t *restrict fresh, int w,
                                         int low9, int range9, int slope16, int lo, int hi, const int step) {
    const __m256i low = _mm256_set1_epi16((short)low9), range = _mm256_set1_epi16((short)range9);
    const __m256i slope = _mm256_set1_epi16((short)slope16), zero = _mm256_setzero_si256();
    const __m256i amin = _mm256_set1_epi16(SC_T_ALPHA_MIN), a256 = _mm256_set1_epi16(256);
    const __m256i a128 = _mm256_set1_epi16(128), one = _mm256_set1_epi16(1), eight = _mm256_set1_epi16(8);
    const __m256i vlo = _mm256_set1_epi16((short)lo), vhi = _mm256_set1_epi16((short)hi);
    int x = 0;
    for (; x + 16 <= w; x += 16) {
        __m256i m = _mm256_add_epi16(_mm256_loadu_si256((const __m256i *)(cs + x)),
                                     _mm256_loadu_si256((const __m256i *)(cs + x + 1)));
        m = _mm256_add_epi16(m, _mm256_loadu_si256((const __m256i *)(cs + x + 2)));
        m = _mm256_sub_epi16(m, low);
        m = _mm256_min_epi16(_mm256_max_epi16(m, zero), range);
        __m256i a = _mm256_add_epi16(amin, _mm256_srli_epi16(_mm256_mullo_epi16(m, slope), 4));
        __m256i follow = _mm256_cmpeq_epi16(m, range); // m >= range (m was clamped to range)
        a = _mm256_blendv_epi8(a, a256, follow);
        __m256i fr = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(fresh + x)));
        __m256i warm = _mm256_andnot_si256(_mm256_cmpeq_epi16(fr, zero), _mm256_cmpgt_epi16(a128, a));
        a = _mm256_blendv_epi8(a, a128, warm);
        __m256i a32 = _mm256_slli_epi16(a, 5);
        const __m256i lumaMask = _mm256_set1_epi16(0x00FF);
        __m256i v, ov, ofull = zero;
        if (step == 2) {
            v = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(i + 2 * x)), lumaMask);
            ofull = _mm256_loadu_si256((const __m256i *)(o + 2 * x));
            ov = _mm256_and_si256(ofull, lumaMask);
        } else {
            v = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(i + x)));
            ov = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(o + x)));
        }
        __m256i c = _mm256_sub_epi16(ov, v);
        __m256i acc[2] = {_mm256_loadu_si256((const __m256i *)(ai + x)), _mm256_loadu_si256((const __m256i *)(ac + x))};
        __m256i target[2] = {_mm256_slli_epi16(v, 4), _mm256_slli_epi16(c, 4)};
        for (int k = 0; k < 2; k++) {
            __m256i d = _mm256_sub_epi16(target[k], acc[k]);
            __m256i ad = _mm256_abs_epi16(d);
            __m256i st = _mm256_mulhi_epu16(_mm256_slli_epi16(ad, 3), a32);
            __m256i tiny = _mm256_andnot_si256(_mm256_cmpeq_epi16(ad, zero), _mm256_cmpeq_epi16(st, zero));
            st = _mm256_blendv_epi8(st, one, tiny);
            acc[k] = _mm256_add_epi16(acc[k], _mm256_sign_epi16(st, d));
        }
        _mm256_storeu_si256((__m256i *)(ai + x), acc[0]);
        _mm256_storeu_si256((__m256i *)(ac + x), acc[1]);
        __m256i followed = _mm256_cmpeq_epi16(a, a256);
        __m256i f8 = _mm256_and_si256(followed, one);
        __m128i fpack = _mm_packus_epi16(_mm256_castsi256_si128(f8), _mm256_extracti128_si256(f8, 1));
        _mm_storeu_si128((__m128i *)(fresh + x), fpack);
        __m256i r = _mm256_srai_epi16(_mm256_add_epi16(_mm256_add_epi16(acc[0], acc[1]), eight), 4);
        r = _mm256_min_epi16(_mm256_max_epi16(r, vlo), vhi);
        if (step == 2) {
            __m256i merged = _mm256_or_si256(_mm256_andnot_si256(lumaMask, ofull), r);
            _mm256_storeu_si256((__m256i *)(o + 2 * x), merged);
        } else {
            __m128i rp = _mm_packus_epi16(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
            _mm_storeu_si128((__m128i *)(o + x), rp);
        }
    }
    // The last w % 16 pixels.
    const int n = w - x;
    if (step == 2) {
        SC_T_SUFFIX(row2_scalar)
        (i + 2 * x, o + 2 * x, cs + x, ai + x, ac + x, fresh + x, n, low9, range9, slope16, lo, hi);
    } else {
        SC_T_SUFFIX(row1_scalar)(i + x, o + x, cs + x, ai + x, ac + x, fresh + x, n, low9, range9, slope16, lo, hi);
    }
}
static void SC_T_SUFFIX(row1)(const uint8_t *restrict i, uint8_t *restrict o, const uint16_t *restrict cs,
                              int16_t *restrict ai, int16_t *restrict ac, uint8_t *restrict fresh, int w, int low9,
                              int range9, int slope16, int lo, int hi) {
    SC_T_SUFFIX(row_avx2)(i, o, cs, ai, ac, fresh, w, low9, range9, slope16, lo, hi, 1);
}
static void SC_T_SUFFIX(row2)(const uint8_t *restrict i, uint8_t *restrict o, const uint16_t *restrict cs,
                              int16_t *restrict ai, int16_t *restrict ac, uint8_t *restrict fresh, int w, int low9,
                              int range9, int slope16, int lo, int hi) {
    SC_T_SUFFIX(row_avx2)(i, o, cs, ai, ac, fresh, w, low9, range9, slope16, lo, hi, 2);
}
#define SC_T_HAVE_ROW2 1
#else
static void SC_T_SUFFIX(row1)(const uint8_t *restrict i, uint8_t *restrict o, const uint16_t *restrict cs,
                              int16_t *restrict ai, int16_t *restrict ac, uint8_t *restrict fresh, int w, int low9,
                              int range9, int slope16, int lo, int hi) {
    SC_T_SUFFIX(row1_scalar)(i, o, cs, ai, ac, fresh, w, low9, range9, slope16, lo, hi);
}
#endif
#undef SC_T_ROW

// in_step and out_step are equal (input and output frames have one layout): 1 or 2.
static void SC_T_SUFFIX(frame)(sc_temporal *t, const uint8_t *in, ptrdiff_t in_step, ptrdiff_t in_stride, uint8_t *out,
                               ptrdiff_t out_step, ptrdiff_t out_stride, int lo, int hi) {
    (void)out_step;
    const int w = t->width, h = t->height;
    // The motion rows y-1, y, y+1 in a ring of three, each computed just before it is first
    // needed (from the averaged input of the previous frame: rows are updated after).
    uint8_t *ring[3] = {t->diff, t->diff + w, t->diff + 2 * (size_t)w};
    SC_T_SUFFIX(diff_row)(in, in_step, t->acc_in, ring[0], w);
    memset(t->hist, 0, sizeof(t->hist));
    t->samples = 0;
    for (int y = 0; y < h; y++) {
        if (y + 1 < h) {
            const int next = y + 1;
            SC_T_SUFFIX(diff_row)(in + next * in_stride, in_step, t->acc_in + (size_t)next * w, ring[next % 3], w);
        }
        // Column sums over rows y-1..y+1 (edges repeated), one padding column at each end.
        const uint8_t *restrict d0 = ring[(y > 0 ? y - 1 : 0) % 3];
        const uint8_t *restrict d1 = ring[y % 3];
        const uint8_t *restrict d2 = ring[(y + 1 < h ? y + 1 : h - 1) % 3];
        uint16_t *restrict cs = t->colsum;
        for (int x = 0; x < w; x++) cs[x + 1] = (uint16_t)(d0[x] + d1[x] + d2[x]);
        cs[0] = cs[1];
        cs[w + 1] = cs[w];
        // The noise floor's sample: every 4th pixel of every 4th row (inner pixels).
        if (y % 4 == 1 && y + 1 < h) {
            for (int x = 1; x + 1 < w; x += 4) {
                t->hist[cs[x] + cs[x + 1] + cs[x + 2]]++;
                t->samples++;
            }
        }
        const uint8_t *i = in + y * in_stride;
        uint8_t *o = out + y * out_stride;
#ifdef SC_T_HAVE_ROW2
        if (in_step == 2) {
            SC_T_SUFFIX(row2)
            (i, o, cs, t->acc_in + (size_t)y * w, t->acc_c + (size_t)y * w, t->fresh + (size_t)y * w, w, t->low9,
             t->range9, t->slope16, lo, hi);
            continue;
        }
#endif
        if (in_step == 2) {
            // YUYV: the row's luma into planar scratch and back (the strided loop is twice as slow).
            uint8_t *restrict li = t->row_in, *restrict lo8 = t->row_out;
            for (int x = 0; x < w; x++) li[x] = i[2 * x];
            for (int x = 0; x < w; x++) lo8[x] = o[2 * x];
            SC_T_SUFFIX(row1)
            (li, lo8, cs, t->acc_in + (size_t)y * w, t->acc_c + (size_t)y * w, t->fresh + (size_t)y * w, w, t->low9,
             t->range9, t->slope16, lo, hi);
            for (int x = 0; x < w; x++) o[2 * x] = lo8[x];
        } else {
            SC_T_SUFFIX(row1)
            (i, o, cs, t->acc_in + (size_t)y * w, t->acc_c + (size_t)y * w, t->fresh + (size_t)y * w, w, t->low9,
             t->range9, t->slope16, lo, hi);
        }
    }
}
