// Row kernels for per-pixel image work (maps, blur, ChromaTransfer). One implementation, compiled
// three times (AVX-512 F/BW/VL, AVX2+FMA and portable; the AVX-512 table also has hand-written
// kernels); `sc_pixels()` returns the table chosen for this CPU at start-up.
#ifndef SHARPCAM_SC_PIXELS_H
#define SHARPCAM_SC_PIXELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Chroma sampling of a YUV row for `mask_yuv_row`.
typedef enum {
    SC_LAYOUT_PLANAR = 0, ///< Y step 1, U and V rows step 1 (I420)
    SC_LAYOUT_SEMIPLANAR = 1, ///< Y step 1, interleaved UV (NV12): pass u = uv, v = uv + 1
    SC_LAYOUT_YUYV = 2 ///< packed YUYV: pass y = row, u = row + 1, v = row + 3
} sc_yuv_layout;

/// Fixed-point YUV -> RGB coefficients (20 fractional bits), see YUVToRGBCoefficients.
typedef struct {
    int32_t cy, cvr, cvg, cug, cub, y_offset;
} sc_yuv_coeffs;

typedef struct {
    const char *name;

    /// Two YUYV rows -> two luma rows and one 4:2:0 chroma row (the rounded vertical average);
    /// for the last row of an odd height pass s1 == s0 and y1 == y0. uvstep: 1 (I420: separate
    /// u, v rows) or 2 (NV12: u = uv, v = uv + 1).
    void (*unpack_yuyv_rows)(const uint8_t *s0, const uint8_t *s1, int w, uint8_t *y0, uint8_t *y1, uint8_t *u,
                             uint8_t *v, int uvstep);

    /// A luma row and a chroma row (uvstep as above) -> one YUYV row.
    void (*pack_yuyv_row)(const uint8_t *y, const uint8_t *u, const uint8_t *v, int uvstep, int w, uint8_t *d);

    /// OpenCV RGB2GRAY (15-bit weights 9798/19235/3735) of `n` packed RGB pixels.
    void (*grey_from_rgb24)(const uint8_t *rgb, int n, uint8_t *grey);

    /// Sobel 3x3 gradient magnitude of row `b` (rows `a` above and `c` below, already
    /// border-resolved by the caller; columns use BORDER_REFLECT_101). `scratch` holds
    /// 2 * (w + 2) int16. Writes sqrt(gx^2 + gy^2) to `mag` and returns the row maximum.
    float (*sobel_magnitude_row)(const uint8_t *a, const uint8_t *b, const uint8_t *c, int w, int16_t *scratch,
                                 float *mag);

    /// out[i] = (uint8) min(mag[i] * scale, 255), truncated.
    void (*scale_to_u8)(const float *mag, int n, float scale, uint8_t *out);

    /// HSV-saturation mask (OpenCV S >= 10 <=> 510 (max - min) > 19 max) of a YUV row.
    void (*mask_yuv_row)(const uint8_t *y, const uint8_t *u, const uint8_t *v, int w, sc_yuv_layout layout,
                         const sc_yuv_coeffs *k, uint8_t *out);

    /// YUV row -> packed RGB with the same arithmetic (the one `Frame.convert` uses).
    void (*yuv_to_rgb_row)(const uint8_t *y, const uint8_t *u, const uint8_t *v, int w, sc_yuv_layout layout,
                           const sc_yuv_coeffs *k, uint8_t *out);

    /// The same mask for `n` packed RGB pixels.
    void (*mask_rgb_row)(const uint8_t *rgb, int n, uint8_t *out);

    /// out[x] = sum_j taps[j] * in[x + j] for x in [0, w), j in [0, ntaps).
    void (*convolve_row)(const float *in, int w, const float *taps, int ntaps, float *out);

    /// acc[x] += t * in[x] for x in [0, n).
    void (*axpy)(float t, const float *in, int n, float *acc);

    /// out[x * step] = clamp(round(l[x] + gain * (l[x] - blur[x]))) for x in [0, w).
    void (*unsharp_luma_row)(const float *l, const float *blur, float gain, int w, uint8_t *out, int step);

    /// rgb[3x + c] = clamp(round(rgb[3x + c] + gain * (l[x] - blur[x]))) for x in [0, w).
    void (*unsharp_rgb_row)(const float *l, const float *blur, float gain, int w, uint8_t *rgb);

    /// Luma as float: from a YUV row (step 1 or 2) or from RGB with weights kr, kg, kb.
    void (*luma_to_float)(const uint8_t *y, int step, int w, float *out);
    void (*rgb_luma_to_float)(const uint8_t *rgb, int w, float kr, float kg, float kb, float *out);

    // ChromaTransfer (a guided filter's slope of chroma against luma). Planes are float rows of
    // `w` samples on the chroma grid; channel k of a row is at `+ k * cstride`.

    /// One chroma row of a YUV frame: g = mean of the input luma samples it covers − 128,
    /// d = mean luma change (output − input), cu, cv = chroma − 128. Luma rows `it`/`ib` (input)
    /// and `ot`/`ob` (output) are the top and bottom rows covered (the same row for 4:2:2), with
    /// sample step `ystep` (1 or 2) and `lw` samples; u, v have step `cstep`; `cw` = (lw + 1) / 2.
    void (*ct_gather_yuv_row)(const uint8_t *it, const uint8_t *ib, const uint8_t *ot, const uint8_t *ob, int ystep,
                              int lw, const uint8_t *u, const uint8_t *v, int cstep, int cw, float *g, float *d,
                              float *cu, float *cv);

    /// col += (G, G², then per channel C_k, G·C_k) of the row at g/c, minus those of the row at
    /// gs/cs (gs == NULL: nothing to subtract; g == NULL: nothing to add); col holds 2 + 2 nc
    /// rows of w.
    void (*ct_accumulate_row)(const float *g, const float *c, const float *gs, const float *cs, long cstride, int nc,
                              int w, float *col);

    /// out[x] = sum of in[x - r ... x + r] clipped to [0, w), for `rows` rows of w.
    void (*ct_window_sums)(const float *in, int rows, int w, int r, float *out);

    /// a_k[x] = (cov(G, C_k) + bias_eps) / (var(G) + eps) from window sums laid out as
    /// `ct_accumulate_row` writes them; the window holds 1 / (colinv[x] * rowinv) samples.
    void (*ct_slopes_row)(const float *win, int nc, int w, const float *colinv, float rowinv, float eps, float bias_eps,
                          float *a, long astride);

    /// c_k[x] += asum_k[x] * colinv[x] * rowinv * d[x] (asum: window sums of the slopes, rows of w).
    void (*ct_apply_row)(const float *asum, int nc, int w, const float *colinv, float rowinv, const float *d, float *c,
                         long cstride);

    /// out[x * step] = clamp(round(c[x] + 128)) (round half up).
    void (*ct_store_row)(const float *c, int n, uint8_t *out, int step);
} sc_pixel_kernels;

/// The kernel table for this CPU: AVX-512 (F, BW, VL) when available, then AVX2+FMA, then
/// portable. SHARPCAM_ISA=avx2 or avxvnni limits it to AVX2; SHARPCAM_ISA=portable or
/// SHARPCAM_NO_AVX2=1 forces the portable table (the environment is read once).
const sc_pixel_kernels *sc_pixels(void);

/// Makes `sc_pixels()` return the portable table (portable != 0) or the best one available
/// (as at start-up), for benchmarks that compare them.
void sc_pixels_force(int portable);

/// Makes `sc_pixels()` return `table` (one of the tables below; NULL: the best one available).
void sc_pixels_use(const sc_pixel_kernels *table);

/// Each table, for tests and benchmarks that compare them (NULL where this CPU, this build or
/// the environment rules it out, as for `sc_pixels()`).
const sc_pixel_kernels *sc_pixels_portable(void);
const sc_pixel_kernels *sc_pixels_avx2(void);
const sc_pixel_kernels *sc_pixels_avx512(void);

#ifdef __cplusplus
}
#endif
#endif
