// Body of the per-pixel kernels. Included twice by pixels.c: once under an AVX2+FMA target
// pragma (suffix _avx2) and once portable (suffix _portable). Plain loops written so the
// vectoriser handles them: contiguous accesses, integer reductions, no calls.
// Requires SC_SUFFIX(name) to be defined by the includer. A third compilation, for AVX-512
// (SC_AVX512_KERNELS), also includes the hand-written kernels of pixels_avx512.h and puts them in
// its table in place of the loops they replace (which they fall back to outside their layouts).

static void SC_SUFFIX(grey_from_rgb24)(const uint8_t *restrict rgb, int n, uint8_t *restrict grey) {
    for (int x = 0; x < n; x++) {
        int32_t v = 9798 * rgb[3 * x] + 19235 * rgb[3 * x + 1] + 3735 * rgb[3 * x + 2];
        grey[x] = (uint8_t)((v + 16384) >> 15);
    }
}

static float SC_SUFFIX(sobel_magnitude_row)(const uint8_t *restrict a, const uint8_t *restrict b,
                                            const uint8_t *restrict c, int w, int16_t *restrict scratch,
                                            float *restrict mag) {
    int16_t *restrict vs = scratch + 1;
    int16_t *restrict vd = scratch + (w + 2) + 1;
    for (int x = 0; x < w; x++) {
        vs[x] = (int16_t)(a[x] + 2 * b[x] + c[x]);
        vd[x] = (int16_t)(c[x] - a[x]);
    }
    int l = w > 1 ? 1 : 0, r = w > 1 ? w - 2 : 0;
    vs[-1] = vs[l];
    vd[-1] = vd[l];
    vs[w] = vs[r];
    vd[w] = vd[r];
    int32_t m2max = 0;
    for (int x = 0; x < w; x++) {
        int32_t gx = vs[x + 1] - vs[x - 1];
        int32_t gy = vd[x - 1] + 2 * vd[x] + vd[x + 1];
        int32_t m2 = gx * gx + gy * gy;
        m2max = m2 > m2max ? m2 : m2max;
        mag[x] = sqrtf((float)m2);
    }
    return sqrtf((float)m2max);
}

static void SC_SUFFIX(scale_to_u8)(const float *restrict mag, int n, float scale, uint8_t *restrict out) {
    for (int x = 0; x < n; x++) {
        float v = mag[x] * scale;
        v = v < 255.0f ? v : 255.0f;
        out[x] = (uint8_t)(int32_t)v;
    }
}

static inline uint8_t SC_SUFFIX(saturated)(int32_t r, int32_t g, int32_t b) {
    int32_t mx = r > g ? r : g;
    mx = mx > b ? mx : b;
    int32_t mn = r < g ? r : g;
    mn = mn < b ? mn : b;
    return 510 * (mx - mn) > 19 * mx ? 255 : 0;
}

static inline int32_t SC_SUFFIX(clamp255)(int32_t v) { return v < 0 ? 0 : (v > 255 ? 255 : v); }

// Chroma terms of a YUV row, one entry per pixel (each pair's terms written twice), so the
// per-pixel passes below are contiguous: dr = cvr*cv + 2^19, dg = cvg*cv + cug*cu + 2^19,
// db = cub*cu + 2^19, in scratch[0..w], [w+1..2w+1], [2w+2..3w+2].
static inline void SC_SUFFIX(expand_chroma)(const uint8_t *restrict u, const uint8_t *restrict v, int uvstep, int w,
                                            const sc_yuv_coeffs *k, int32_t *restrict scratch) {
    int32_t *restrict dr = scratch, *restrict dg = scratch + (w + 1), *restrict db = scratch + 2 * (w + 1);
    const int32_t half = 1 << 19;
    const int32_t cvr = k->cvr, cvg = k->cvg, cug = k->cug, cub = k->cub;
    int pairs = (w + 1) / 2;
    for (int i = 0; i < pairs; i++) {
        int32_t cu = (int32_t)u[i * uvstep] - 128, cv = (int32_t)v[i * uvstep] - 128;
        int32_t r = cvr * cv + half, g = cvg * cv + cug * cu + half, bb = cub * cu + half;
        dr[2 * i] = r;
        dr[2 * i + 1] = r;
        dg[2 * i] = g;
        dg[2 * i + 1] = g;
        db[2 * i] = bb;
        db[2 * i + 1] = bb;
    }
}

static inline void SC_SUFFIX(mask_body)(const uint8_t *restrict y, int ystep, const uint8_t *restrict u,
                                        const uint8_t *restrict v, int uvstep, int w, const sc_yuv_coeffs *k,
                                        int32_t *restrict scratch, uint8_t *restrict out) {
    SC_SUFFIX(expand_chroma)(u, v, uvstep, w, k, scratch);
    const int32_t *restrict dr = scratch, *restrict dg = scratch + (w + 1), *restrict db = scratch + 2 * (w + 1);
    const int32_t cy = k->cy, yo = k->y_offset;
    for (int x = 0; x < w; x++) {
        int32_t yy = (int32_t)y[x * ystep] - yo;
        yy = (yy > 0 ? yy : 0) * cy;
        int32_t r = SC_SUFFIX(clamp255)((yy + dr[x]) >> 20);
        int32_t g = SC_SUFFIX(clamp255)((yy + dg[x]) >> 20);
        int32_t b = SC_SUFFIX(clamp255)((yy + db[x]) >> 20);
        out[x] = SC_SUFFIX(saturated)(r, g, b);
    }
}

static inline void SC_SUFFIX(rgb_body)(const uint8_t *restrict y, int ystep, const uint8_t *restrict u,
                                       const uint8_t *restrict v, int uvstep, int w, const sc_yuv_coeffs *k,
                                       int32_t *restrict scratch, uint8_t *restrict out) {
    SC_SUFFIX(expand_chroma)(u, v, uvstep, w, k, scratch);
    const int32_t *restrict dr = scratch, *restrict dg = scratch + (w + 1), *restrict db = scratch + 2 * (w + 1);
    const int32_t cy = k->cy, yo = k->y_offset;
    for (int x = 0; x < w; x++) {
        int32_t yy = (int32_t)y[x * ystep] - yo;
        yy = (yy > 0 ? yy : 0) * cy;
        out[3 * x] = (uint8_t)SC_SUFFIX(clamp255)((yy + dr[x]) >> 20);
        out[3 * x + 1] = (uint8_t)SC_SUFFIX(clamp255)((yy + dg[x]) >> 20);
        out[3 * x + 2] = (uint8_t)SC_SUFFIX(clamp255)((yy + db[x]) >> 20);
    }
}

static void SC_SUFFIX(yuv_to_rgb_row)(const uint8_t *y, const uint8_t *u, const uint8_t *v, int w, sc_yuv_layout layout,
                                      const sc_yuv_coeffs *k, uint8_t *out) {
    int32_t scratch[3 * (SC_CHUNK + 1)];
    for (int x0 = 0; x0 < w; x0 += SC_CHUNK) { /* SC_CHUNK is even: chroma pairs never straddle */
        int n = w - x0 < SC_CHUNK ? w - x0 : SC_CHUNK;
        int c = x0 / 2;
        switch (layout) {
        case SC_LAYOUT_PLANAR:
            SC_SUFFIX(rgb_body)(y + x0, 1, u + c, v + c, 1, n, k, scratch, out + 3 * x0);
            break;
        case SC_LAYOUT_SEMIPLANAR:
            SC_SUFFIX(rgb_body)(y + x0, 1, u + 2 * c, v + 2 * c, 2, n, k, scratch, out + 3 * x0);
            break;
        case SC_LAYOUT_YUYV:
            SC_SUFFIX(rgb_body)(y + 2 * x0, 2, u + 4 * c, v + 4 * c, 4, n, k, scratch, out + 3 * x0);
            break;
        }
    }
}

static void SC_SUFFIX(mask_yuv_row)(const uint8_t *y, const uint8_t *u, const uint8_t *v, int w, sc_yuv_layout layout,
                                    const sc_yuv_coeffs *k, uint8_t *out) {
    int32_t scratch[3 * (SC_CHUNK + 1)];
    for (int x0 = 0; x0 < w; x0 += SC_CHUNK) { /* SC_CHUNK is even: chroma pairs never straddle */
        int n = w - x0 < SC_CHUNK ? w - x0 : SC_CHUNK;
        int c = x0 / 2;
        switch (layout) {
        case SC_LAYOUT_PLANAR:
            SC_SUFFIX(mask_body)(y + x0, 1, u + c, v + c, 1, n, k, scratch, out + x0);
            break;
        case SC_LAYOUT_SEMIPLANAR:
            SC_SUFFIX(mask_body)(y + x0, 1, u + 2 * c, v + 2 * c, 2, n, k, scratch, out + x0);
            break;
        case SC_LAYOUT_YUYV:
            SC_SUFFIX(mask_body)(y + 2 * x0, 2, u + 4 * c, v + 4 * c, 4, n, k, scratch, out + x0);
            break;
        }
    }
}

static void SC_SUFFIX(mask_rgb_row)(const uint8_t *restrict rgb, int n, uint8_t *restrict out) {
    for (int x = 0; x < n; x++) out[x] = SC_SUFFIX(saturated)(rgb[3 * x], rgb[3 * x + 1], rgb[3 * x + 2]);
}

static void SC_SUFFIX(convolve_row)(const float *restrict in, int w, const float *restrict taps, int ntaps,
                                    float *restrict out) {
    for (int x = 0; x < w; x++) out[x] = taps[0] * in[x];
    for (int j = 1; j < ntaps; j++) {
        const float t = taps[j];
        const float *restrict p = in + j;
        for (int x = 0; x < w; x++) out[x] += t * p[x];
    }
}

static void SC_SUFFIX(axpy)(float t, const float *restrict in, int n, float *restrict acc) {
    for (int x = 0; x < n; x++) acc[x] += t * in[x];
}

static inline uint8_t SC_SUFFIX(round_u8)(float v) {
    v = v > 0.0f ? v : 0.0f;
    v = v < 255.0f ? v : 255.0f;
    return (uint8_t)(int32_t)(v + 0.5f);
}

static void SC_SUFFIX(unsharp_luma_row)(const float *restrict l, const float *restrict blur, float gain, int w,
                                        uint8_t *restrict out, int step) {
    if (step == 1) {
        for (int x = 0; x < w; x++) out[x] = SC_SUFFIX(round_u8)(l[x] + gain * (l[x] - blur[x]));
    } else {
        for (int x = 0; x < w; x++) out[x * 2] = SC_SUFFIX(round_u8)(l[x] + gain * (l[x] - blur[x]));
    }
}

static void SC_SUFFIX(unsharp_rgb_row)(const float *restrict l, const float *restrict blur, float gain, int w,
                                       uint8_t *restrict rgb) {
    for (int x = 0; x < w; x++) {
        float d = gain * (l[x] - blur[x]);
        rgb[3 * x] = SC_SUFFIX(round_u8)((float)rgb[3 * x] + d);
        rgb[3 * x + 1] = SC_SUFFIX(round_u8)((float)rgb[3 * x + 1] + d);
        rgb[3 * x + 2] = SC_SUFFIX(round_u8)((float)rgb[3 * x + 2] + d);
    }
}

static void SC_SUFFIX(luma_to_float)(const uint8_t *restrict y, int step, int w, float *restrict out) {
    if (step == 1) {
        for (int x = 0; x < w; x++) out[x] = (float)y[x];
    } else {
        for (int x = 0; x < w; x++) out[x] = (float)y[2 * x];
    }
}

static void SC_SUFFIX(rgb_luma_to_float)(const uint8_t *restrict rgb, int w, float kr, float kg, float kb,
                                         float *restrict out) {
    for (int x = 0; x < w; x++) out[x] = kr * rgb[3 * x] + kg * rgb[3 * x + 1] + kb * rgb[3 * x + 2];
}

// Two YUYV rows -> two luma rows and one 4:2:0 chroma row (vertical average, rounded half
// up); y1 may equal y0 (then s1 must equal s0). uvstep 1 (I420) or 2 (NV12). `pairs` = w / 2;
// an odd width's last sample is handled by the caller.
static inline void SC_SUFFIX(unpack_yuyv_body)(const uint8_t *restrict s0, const uint8_t *restrict s1, int pairs,
                                               uint8_t *y0, uint8_t *y1, uint8_t *restrict u, uint8_t *restrict v,
                                               int uvstep) {
    for (int i = 0; i < pairs; i++) {
        y0[2 * i] = s0[4 * i];
        y0[2 * i + 1] = s0[4 * i + 2];
        y1[2 * i] = s1[4 * i];
        y1[2 * i + 1] = s1[4 * i + 2];
        u[i * uvstep] = (uint8_t)((s0[4 * i + 1] + s1[4 * i + 1] + 1) >> 1);
        v[i * uvstep] = (uint8_t)((s0[4 * i + 3] + s1[4 * i + 3] + 1) >> 1);
    }
}

static void SC_SUFFIX(unpack_yuyv_rows)(const uint8_t *s0, const uint8_t *s1, int w, uint8_t *y0, uint8_t *y1,
                                        uint8_t *u, uint8_t *v, int uvstep) {
    int pairs = w / 2;
    if (uvstep == 1)
        SC_SUFFIX(unpack_yuyv_body)(s0, s1, pairs, y0, y1, u, v, 1);
    else
        SC_SUFFIX(unpack_yuyv_body)(s0, s1, pairs, y0, y1, u, v, 2);
    if (w & 1) {
        int i = pairs;
        y0[2 * i] = s0[4 * i];
        y1[2 * i] = s1[4 * i];
        u[i * uvstep] = (uint8_t)((s0[4 * i + 1] + s1[4 * i + 1] + 1) >> 1);
        v[i * uvstep] = (uint8_t)((s0[4 * i + 3] + s1[4 * i + 3] + 1) >> 1);
    }
}

static inline void SC_SUFFIX(pack_yuyv_body)(const uint8_t *restrict y, const uint8_t *restrict u,
                                             const uint8_t *restrict v, int uvstep, int pairs, uint8_t *restrict d) {
    for (int i = 0; i < pairs; i++) {
        d[4 * i] = y[2 * i];
        d[4 * i + 1] = u[i * uvstep];
        d[4 * i + 2] = y[2 * i + 1];
        d[4 * i + 3] = v[i * uvstep];
    }
}

// One luma row and one chroma row -> one YUYV row; an odd width's padding luma repeats the
// last sample.
static void SC_SUFFIX(pack_yuyv_row)(const uint8_t *y, const uint8_t *u, const uint8_t *v, int uvstep, int w,
                                     uint8_t *d) {
    int pairs = w / 2;
    if (uvstep == 1)
        SC_SUFFIX(pack_yuyv_body)(y, u, v, 1, pairs, d);
    else
        SC_SUFFIX(pack_yuyv_body)(y, u, v, 2, pairs, d);
    if (w & 1) {
        int i = pairs;
        d[4 * i] = y[2 * i];
        d[4 * i + 1] = u[i * uvstep];
        d[4 * i + 2] = y[2 * i];
        d[4 * i + 3] = v[i * uvstep];
    }
}

static void SC_SUFFIX(ct_gather_yuv_row)(const uint8_t *restrict it, const uint8_t *restrict ib,
                                         const uint8_t *restrict ot, const uint8_t *restrict ob, int ystep, int lw,
                                         const uint8_t *restrict u, const uint8_t *restrict v, int cstep, int cw,
                                         float *restrict g, float *restrict d, float *restrict cu, float *restrict cv) {
    int pairs = lw / 2;
    if (ystep == 1) {
        for (int x = 0; x < pairs; x++) {
            int32_t before = (int32_t)it[2 * x] + it[2 * x + 1] + ib[2 * x] + ib[2 * x + 1];
            int32_t after = (int32_t)ot[2 * x] + ot[2 * x + 1] + ob[2 * x] + ob[2 * x + 1];
            g[x] = (float)before * 0.25f - 128.0f;
            d[x] = (float)(after - before) * 0.25f;
        }
    } else {
        for (int x = 0; x < pairs; x++) {
            int32_t before = (int32_t)it[4 * x] + it[4 * x + 2] + ib[4 * x] + ib[4 * x + 2];
            int32_t after = (int32_t)ot[4 * x] + ot[4 * x + 2] + ob[4 * x] + ob[4 * x + 2];
            g[x] = (float)before * 0.25f - 128.0f;
            d[x] = (float)(after - before) * 0.25f;
        }
    }
    if (pairs < cw) { // odd width: the last sample covers one column, counted twice
        int l = 2 * pairs * ystep;
        int32_t before = 2 * ((int32_t)it[l] + ib[l]), after = 2 * ((int32_t)ot[l] + ob[l]);
        g[pairs] = (float)before * 0.25f - 128.0f;
        d[pairs] = (float)(after - before) * 0.25f;
    }
    if (cstep == 1) {
        for (int x = 0; x < cw; x++) {
            cu[x] = (float)u[x] - 128.0f;
            cv[x] = (float)v[x] - 128.0f;
        }
    } else if (cstep == 2) {
        for (int x = 0; x < cw; x++) {
            cu[x] = (float)u[2 * x] - 128.0f;
            cv[x] = (float)v[2 * x] - 128.0f;
        }
    } else {
        for (int x = 0; x < cw; x++) {
            cu[x] = (float)u[x * cstep] - 128.0f;
            cv[x] = (float)v[x * cstep] - 128.0f;
        }
    }
}

static void SC_SUFFIX(ct_accumulate_one)(const float *restrict g, const float *restrict c, long cstride, int nc, int w,
                                         float sign, float *restrict col) {
    float *s0 = col, *s1 = col + w;
    for (int x = 0; x < w; x++) {
        float v = g[x];
        s0[x] += sign * v;
        s1[x] += sign * (v * v);
    }
    for (int k = 0; k < nc; k++) {
        const float *cr = c + k * cstride;
        float *sc = col + (2 + 2 * k) * w, *sgc = sc + w;
        for (int x = 0; x < w; x++) {
            sc[x] += sign * cr[x];
            sgc[x] += sign * (g[x] * cr[x]);
        }
    }
}

static void SC_SUFFIX(ct_accumulate_row)(const float *g, const float *c, const float *gs, const float *cs, long cstride,
                                         int nc, int w, float *col) {
    if (!g || !gs) { // one row only (the first rows of a band, or the frame's ends)
        if (g) SC_SUFFIX(ct_accumulate_one)(g, c, cstride, nc, w, 1.0f, col);
        if (gs) SC_SUFFIX(ct_accumulate_one)(gs, cs, cstride, nc, w, -1.0f, col);
        return;
    }
    // Both in one pass over the sums: (new − old) for each statistic. Exact like two passes on
    // SharpCam's centred dyadic values (each difference and sum is representable).
    float *restrict s0 = col, *restrict s1 = col + w;
    const float *restrict ga = g, *restrict gb = gs;
    for (int x = 0; x < w; x++) {
        float a = ga[x], b = gb[x];
        s0[x] += a - b;
        s1[x] += a * a - b * b;
    }
    for (int k = 0; k < nc; k++) {
        const float *restrict ca = c + k * cstride, *restrict cb = cs + k * cstride;
        float *restrict sc = col + (2 + 2 * k) * w, *restrict sgc = sc + w;
        for (int x = 0; x < w; x++) {
            sc[x] += ca[x] - cb[x];
            sgc[x] += ga[x] * ca[x] - gb[x] * cb[x];
        }
    }
}

static void SC_SUFFIX(ct_window_sums)(const float *restrict in, int rows, int w, int r, float *restrict out) {
    for (int s = 0; s < rows; s++) {
        const float *row = in + (long)s * w;
        float *o = out + (long)s * w;
        if (w <= 2 * r + 1) {
            for (int x = 0; x < w; x++) {
                float sum = 0;
                int lo = x - r < 0 ? 0 : x - r, hi = x + r > w - 1 ? w - 1 : x + r;
                for (int t = lo; t <= hi; t++) sum += row[t];
                o[x] = sum;
            }
            continue;
        }
        int n = w - 2 * r;
        float *oi = o + r;
        for (int x = 0; x < n; x++) oi[x] = row[x];
        for (int t = 1; t <= 2 * r; t++) {
            const float *rt = row + t;
            for (int x = 0; x < n; x++) oi[x] += rt[x];
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

static void SC_SUFFIX(ct_slopes_row)(const float *restrict win, int nc, int w, const float *restrict colinv,
                                     float rowinv, float eps, float bias_eps, float *restrict a, long astride) {
    const float *s0 = win, *s1 = win + w;
    for (int k = 0; k < nc; k++) {
        const float *sc = win + (2 + 2 * k) * w, *sgc = sc + w;
        float *ar = a + k * astride;
        for (int x = 0; x < w; x++) {
            float n = colinv[x] * rowinv, mg = s0[x] * n;
            float var = s1[x] * n - mg * mg, cov = sgc[x] * n - mg * (sc[x] * n);
            ar[x] = (cov + bias_eps) / (var + eps);
        }
    }
}

static void SC_SUFFIX(ct_apply_row)(const float *restrict asum, int nc, int w, const float *restrict colinv,
                                    float rowinv, const float *restrict d, float *restrict c, long cstride) {
    for (int k = 0; k < nc; k++) {
        const float *sk = asum + k * w;
        float *cr = c + k * cstride;
        for (int x = 0; x < w; x++) cr[x] += sk[x] * ((colinv[x] * rowinv) * d[x]);
    }
}

static void SC_SUFFIX(ct_store_row)(const float *restrict c, int n, uint8_t *restrict out, int step) {
    if (step == 1) {
        for (int x = 0; x < n; x++) out[x] = SC_SUFFIX(round_u8)(c[x] + 128.0f);
    } else if (step == 2) {
        for (int x = 0; x < n; x++) out[2 * x] = SC_SUFFIX(round_u8)(c[x] + 128.0f);
    } else {
        for (int x = 0; x < n; x++) out[x * step] = SC_SUFFIX(round_u8)(c[x] + 128.0f);
    }
}

#ifdef SC_AVX512_KERNELS
#include "pixels_avx512.h"
#define SC_FAST(name) SC_SUFFIX(name##_x)
#else
#define SC_FAST(name) SC_SUFFIX(name)
#endif

static const sc_pixel_kernels SC_SUFFIX(table) = {
    .unpack_yuyv_rows = SC_SUFFIX(unpack_yuyv_rows),
    .pack_yuyv_row = SC_SUFFIX(pack_yuyv_row),
    .name = SC_NAME,
    .grey_from_rgb24 = SC_SUFFIX(grey_from_rgb24),
    .sobel_magnitude_row = SC_SUFFIX(sobel_magnitude_row),
    .scale_to_u8 = SC_SUFFIX(scale_to_u8),
    .mask_yuv_row = SC_FAST(mask_yuv_row),
    .mask_rgb_row = SC_SUFFIX(mask_rgb_row),
    .yuv_to_rgb_row = SC_SUFFIX(yuv_to_rgb_row),
    .convolve_row = SC_SUFFIX(convolve_row),
    .axpy = SC_SUFFIX(axpy),
    .unsharp_luma_row = SC_SUFFIX(unsharp_luma_row),
    .unsharp_rgb_row = SC_SUFFIX(unsharp_rgb_row),
    .luma_to_float = SC_SUFFIX(luma_to_float),
    .rgb_luma_to_float = SC_SUFFIX(rgb_luma_to_float),
    .ct_gather_yuv_row = SC_FAST(ct_gather_yuv_row),
    .ct_accumulate_row = SC_FAST(ct_accumulate_row),
    .ct_window_sums = SC_FAST(ct_window_sums),
    .ct_slopes_row = SC_SUFFIX(ct_slopes_row),
    .ct_apply_row = SC_SUFFIX(ct_apply_row),
    .ct_store_row = SC_FAST(ct_store_row),
};
#undef SC_FAST
