// Hand-written AVX-512 (F, BW, VL) kernels for the hottest pixel work, included by pixels_impl.h
// in its AVX-512 compilation only (SC_AVX512_KERNELS; the includer's target pragma applies).
// Each does exactly the arithmetic of the loop in pixels_impl.h it replaces (same operations, same
// order, no contraction), so integer results are identical and float ones too; layouts other than
// the live pipeline's (YUYV, 2 channels) fall back to those loops.
#include <immintrin.h>

static inline __mmask16 SC_SUFFIX(tail16)(int n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1); }

/// `pattern` (one nibble per dword) limited to the first n dwords of 16.
static inline __mmask64 SC_SUFFIX(dwords64)(int n, uint64_t pattern) {
    return n >= 16 ? (__mmask64)pattern : (__mmask64)(pattern & ((1ull << (4 * n)) - 1));
}

// The live pipeline calls this for every changed chroma row with both rows present: one pass over
// x for all 2 + 2 nc statistics (the loop version makes 1 + nc passes, reloading G), and without
// the loop version's FMA contraction, so identical to the portable table for any values.
static void SC_SUFFIX(ct_accumulate_row_x)(const float *g, const float *c, const float *gs, const float *cs,
                                           long cstride, int nc, int w, float *col) {
    if (!g || !gs) {
        SC_SUFFIX(ct_accumulate_row)(g, c, gs, cs, cstride, nc, w, col);
        return;
    }
    for (int x = 0; x < w; x += 16) {
        const __mmask16 m = SC_SUFFIX(tail16)(w - x);
        const __m512 a = _mm512_maskz_loadu_ps(m, g + x), b = _mm512_maskz_loadu_ps(m, gs + x);
        float *s = col + x;
        _mm512_mask_storeu_ps(s, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, s), _mm512_sub_ps(a, b)));
        __m512 t = _mm512_sub_ps(_mm512_mul_ps(a, a), _mm512_mul_ps(b, b));
        _mm512_mask_storeu_ps(s + w, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, s + w), t));
        for (int k = 0; k < nc; k++) {
            const __m512 ca = _mm512_maskz_loadu_ps(m, c + k * cstride + x);
            const __m512 cb = _mm512_maskz_loadu_ps(m, cs + k * cstride + x);
            float *sc = s + (2 + 2 * k) * w, *sgc = sc + w;
            _mm512_mask_storeu_ps(sc, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, sc), _mm512_sub_ps(ca, cb)));
            t = _mm512_sub_ps(_mm512_mul_ps(a, ca), _mm512_mul_ps(b, cb));
            _mm512_mask_storeu_ps(sgc, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, sgc), t));
        }
    }
}

// Box sums: the interior adds the 2r + 1 samples left to right, as the loop version does.
static void SC_SUFFIX(ct_window_sums_x)(const float *in, int rows, int w, int r, float *out) {
    if (w <= 2 * r + 1) {
        SC_SUFFIX(ct_window_sums)(in, rows, w, r, out);
        return;
    }
    for (int s = 0; s < rows; s++) {
        const float *row = in + (long)s * w;
        float *o = out + (long)s * w;
        const int n = w - 2 * r;
        float *oi = o + r;
        int x = 0;
        if (r == 2) // the live pipeline's radius (YUYV, 4:2:0): unrolled
            for (; x + 16 <= n; x += 16) {
                const float *p = row + x;
                __m512 sum = _mm512_add_ps(_mm512_loadu_ps(p), _mm512_loadu_ps(p + 1));
                sum = _mm512_add_ps(_mm512_add_ps(sum, _mm512_loadu_ps(p + 2)), _mm512_loadu_ps(p + 3));
                _mm512_storeu_ps(oi + x, _mm512_add_ps(sum, _mm512_loadu_ps(p + 4)));
            }
        for (; x < n; x += 16) {
            const __mmask16 m = SC_SUFFIX(tail16)(n - x);
            __m512 sum = _mm512_maskz_loadu_ps(m, row + x);
            for (int t = 1; t <= 2 * r; t++) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(m, row + x + t));
            _mm512_mask_storeu_ps(oi + x, m, sum);
        }
        for (int x = 0; x < r; x++) {
            float left = 0, right = 0;
            for (int t = 0; t <= x + r; t++) left += row[t];
            for (int t = w - 1 - x - r; t < w; t++) right += row[t];
            o[x] = left;
            o[w - 1 - x] = right;
        }
    }
}

// round_u8(c + 128) of 16 floats, as 16 int32 in [0, 255].
static inline __m512i SC_SUFFIX(store_round16)(__m512 c) {
    __m512 v = _mm512_add_ps(c, _mm512_set1_ps(128.0f));
    v = _mm512_max_ps(v, _mm512_setzero_ps()); // NaN -> 0, as `v > 0 ? v : 0`
    v = _mm512_min_ps(v, _mm512_set1_ps(255.0f));
    return _mm512_cvttps_epi32(_mm512_add_ps(v, _mm512_set1_ps(0.5f)));
}

static void SC_SUFFIX(ct_store_row_x)(const float *c, int n, uint8_t *out, int step) {
    if (step == 4) { // YUYV: byte 4x of 64 per 16 samples
        for (int x = 0; x < n; x += 16) {
            const __mmask16 m = SC_SUFFIX(tail16)(n - x);
            const __m512i q = SC_SUFFIX(store_round16)(_mm512_maskz_loadu_ps(m, c + x));
            _mm512_mask_storeu_epi8(out + 4 * x, SC_SUFFIX(dwords64)(n - x, 0x1111111111111111ull), q);
        }
    } else if (step == 2) {
        for (int x = 0; x < n; x += 16) {
            const __mmask16 m = SC_SUFFIX(tail16)(n - x);
            const __m256i q = _mm512_cvtepi32_epi16(SC_SUFFIX(store_round16)(_mm512_maskz_loadu_ps(m, c + x)));
            const int left = n - x;
            _mm256_mask_storeu_epi8(out + 2 * x, left >= 16 ? 0x55555555u : 0x55555555u & ((1u << (2 * left)) - 1), q);
        }
    } else if (step == 1) {
        for (int x = 0; x < n; x += 16) {
            const __mmask16 m = SC_SUFFIX(tail16)(n - x);
            _mm512_mask_cvtepi32_storeu_epi8(out + x, m, SC_SUFFIX(store_round16)(_mm512_maskz_loadu_ps(m, c + x)));
        }
    } else {
        SC_SUFFIX(ct_store_row)(c, n, out, step);
    }
}

// YUYV rows (ystep 2, u and v at step 4): 16 chroma samples per 64 bytes of each row.
static void SC_SUFFIX(ct_gather_yuv_row_x)(const uint8_t *it, const uint8_t *ib, const uint8_t *ot, const uint8_t *ob,
                                           int ystep, int lw, const uint8_t *u, const uint8_t *v, int cstep, int cw,
                                           float *g, float *d, float *cu, float *cv) {
    if (ystep != 2 || cstep != 4) {
        SC_SUFFIX(ct_gather_yuv_row)(it, ib, ot, ob, ystep, lw, u, v, cstep, cw, g, d, cu, cv);
        return;
    }
    const int pairs = lw / 2;
    const __m512i ones = _mm512_set1_epi16(1);
    const __m512 quarter = _mm512_set1_ps(0.25f), c128 = _mm512_set1_ps(128.0f);
    for (int x = 0; x < pairs; x += 16) { // luma: samples 4x and 4x + 2 of each row
        const __mmask16 m = SC_SUFFIX(tail16)(pairs - x);
        const __mmask64 lm = SC_SUFFIX(dwords64)(pairs - x, 0x5555555555555555ull); // bytes 4x, 4x + 2
        const long o = 4L * x;
        __m512i a = _mm512_madd_epi16(_mm512_maskz_loadu_epi8(lm, it + o), ones);
        a = _mm512_add_epi32(a, _mm512_madd_epi16(_mm512_maskz_loadu_epi8(lm, ib + o), ones));
        __m512i b = _mm512_madd_epi16(_mm512_maskz_loadu_epi8(lm, ot + o), ones);
        b = _mm512_add_epi32(b, _mm512_madd_epi16(_mm512_maskz_loadu_epi8(lm, ob + o), ones));
        // (it[4x] + it[4x+2]) + (ib[4x] + ib[4x+2]): integer, so the grouping does not matter
        const __m512 before = _mm512_cvtepi32_ps(a);
        _mm512_mask_storeu_ps(g + x, m, _mm512_sub_ps(_mm512_mul_ps(before, quarter), c128));
        _mm512_mask_storeu_ps(d + x, m, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(b, a)), quarter));
    }
    if (pairs < cw) { // odd width: the last sample covers one column, counted twice
        int l = 2 * pairs * ystep;
        int32_t before = 2 * ((int32_t)it[l] + ib[l]), after = 2 * ((int32_t)ot[l] + ob[l]);
        g[pairs] = (float)before * 0.25f - 128.0f;
        d[pairs] = (float)(after - before) * 0.25f;
    }
    for (int x = 0; x < cw; x += 16) { // chroma bytes u[4x], v[4x]
        const __mmask16 m = SC_SUFFIX(tail16)(cw - x);
        const __mmask64 bm = SC_SUFFIX(dwords64)(cw - x, 0x1111111111111111ull);
        const __m512i uu = _mm512_maskz_loadu_epi8(bm, u + 4L * x), vv = _mm512_maskz_loadu_epi8(bm, v + 4L * x);
        _mm512_mask_storeu_ps(cu + x, m, _mm512_sub_ps(_mm512_cvtepi32_ps(uu), c128));
        _mm512_mask_storeu_ps(cv + x, m, _mm512_sub_ps(_mm512_cvtepi32_ps(vv), c128));
    }
}

// Saturation mask of a YUYV row: 16 pixel pairs (64 bytes) per step; same int32 arithmetic as
// mask_body (chroma terms per pair, then each of the pair's two luma samples).
static inline __mmask16 SC_SUFFIX(saturated16)(__m512i yy, __m512i dr, __m512i dg, __m512i db) {
    const __m512i zero = _mm512_setzero_si512(), top = _mm512_set1_epi32(255);
    const __m512i r = _mm512_min_epi32(_mm512_max_epi32(_mm512_srai_epi32(_mm512_add_epi32(yy, dr), 20), zero), top);
    const __m512i g = _mm512_min_epi32(_mm512_max_epi32(_mm512_srai_epi32(_mm512_add_epi32(yy, dg), 20), zero), top);
    const __m512i b = _mm512_min_epi32(_mm512_max_epi32(_mm512_srai_epi32(_mm512_add_epi32(yy, db), 20), zero), top);
    const __m512i mx = _mm512_max_epi32(_mm512_max_epi32(r, g), b), mn = _mm512_min_epi32(_mm512_min_epi32(r, g), b);
    const __m512i lhs = _mm512_mullo_epi32(_mm512_sub_epi32(mx, mn), _mm512_set1_epi32(510));
    return _mm512_cmpgt_epi32_mask(lhs, _mm512_mullo_epi32(mx, _mm512_set1_epi32(19)));
}

static void SC_SUFFIX(mask_yuv_row_x)(const uint8_t *y, const uint8_t *u, const uint8_t *v, int w, sc_yuv_layout layout,
                                      const sc_yuv_coeffs *k, uint8_t *out) {
    if (layout != SC_LAYOUT_YUYV || u != y + 1 || v != y + 3) {
        SC_SUFFIX(mask_yuv_row)(y, u, v, w, layout, k, out);
        return;
    }
    const __m512i byte = _mm512_set1_epi32(0xFF), c128 = _mm512_set1_epi32(128), half = _mm512_set1_epi32(1 << 19);
    const __m512i cvr = _mm512_set1_epi32(k->cvr), cvg = _mm512_set1_epi32(k->cvg);
    const __m512i cug = _mm512_set1_epi32(k->cug), cub = _mm512_set1_epi32(k->cub);
    const __m512i cy = _mm512_set1_epi32(k->cy), yo = _mm512_set1_epi32(k->y_offset), zero = _mm512_setzero_si512();
    const int pairs = (w + 1) / 2;
    for (int i = 0; i < pairs; i += 16) {
        const __mmask16 m = SC_SUFFIX(tail16)(pairs - i);
        const __m512i px = _mm512_maskz_loadu_epi32(m, y + 4L * i); // whole pairs: the row holds 4 * pairs bytes
        const __m512i cu = _mm512_sub_epi32(_mm512_and_si512(_mm512_srli_epi32(px, 8), byte), c128);
        const __m512i cv = _mm512_sub_epi32(_mm512_srli_epi32(px, 24), c128);
        const __m512i dr = _mm512_add_epi32(_mm512_mullo_epi32(cvr, cv), half);
        const __m512i dg =
            _mm512_add_epi32(_mm512_add_epi32(_mm512_mullo_epi32(cvg, cv), _mm512_mullo_epi32(cug, cu)), half);
        const __m512i db = _mm512_add_epi32(_mm512_mullo_epi32(cub, cu), half);
        __m512i y0 = _mm512_sub_epi32(_mm512_and_si512(px, byte), yo);
        __m512i y1 = _mm512_sub_epi32(_mm512_and_si512(_mm512_srli_epi32(px, 16), byte), yo);
        y0 = _mm512_mullo_epi32(_mm512_max_epi32(y0, zero), cy);
        y1 = _mm512_mullo_epi32(_mm512_max_epi32(y1, zero), cy);
        const __mmask16 s0 = SC_SUFFIX(saturated16)(y0, dr, dg, db), s1 = SC_SUFFIX(saturated16)(y1, dr, dg, db);
        const __m512i res = _mm512_or_si512(_mm512_maskz_mov_epi32(s0, _mm512_set1_epi32(0xFF)),
                                            _mm512_maskz_mov_epi32(s1, _mm512_set1_epi32(0xFF00)));
        const int left = w - 2 * i; // output bytes from 2i
        const __mmask32 om = left >= 32 ? 0xFFFFFFFFu : (__mmask32)((1u << left) - 1);
        _mm256_mask_storeu_epi8(out + 2 * i, om, _mm512_cvtepi32_epi16(res));
    }
}
