// The motion-gated recursive filter on luma (sc_temporal.h): the loops in temporal_impl.h,
// compiled portable and for AVX2 / AVX-512 (the same integers; the copy is chosen at create).
#include "CSharpKernels.h"
#include <stdlib.h>
#include <string.h>

#define SC_T_ALPHA_MIN 96 // a still pixel's new frame weighs 96/256 (after a mean of two)
#define SC_T_M9_MAX (9 * 255)

struct sc_temporal {
    int width, height;
    int primed;
    uint8_t *diff; // |in - averaged input|: three rows (a ring) of the frame being filtered
    int16_t *acc_in; // the averaged input, x16
    int16_t *acc_c; // the averaged correction, x16
    uint16_t *colsum; // 3-row column sums of diff, with a padding column at each end
    uint8_t *fresh; // 1: the pixel followed the input on the last frame
    uint8_t *row_in, *row_out; // one row of luma, planar (YUYV frames)
    int low9, range9, slope16; // weight = 96 + (m9 - low9) * slope16 / 16 below low9 + range9, else 256
    int floor9; // the last frame's median 3x3 sum (sampled)
    uint32_t hist[SC_T_M9_MAX + 1]; // the sampled 3x3 sums of the frame being filtered
    long samples;
    double static_share;
    void (*frame)(sc_temporal *, const uint8_t *, ptrdiff_t, ptrdiff_t, uint8_t *, ptrdiff_t, ptrdiff_t, int, int);
    const char *isa;
};

#define SC_T_SUFFIX(name) name##_ref
#include "temporal_impl.h"
#undef SC_T_SUFFIX

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#define SC_T_AVX2_ROW 1
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define SC_T_SUFFIX(name) name##_avx2
#include "temporal_impl.h"
#undef SC_T_SUFFIX
#pragma clang attribute pop
// AVX-512 machines: the same AVX2 row (its 256-bit 16-bit-lane code is what bounds it), with
// the vectoriser's 512-bit code for the other passes.
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma"))), apply_to = function)
#define SC_T_SUFFIX(name) name##_avx512
#include "temporal_impl.h"
#undef SC_T_SUFFIX
#pragma clang attribute pop
#undef SC_T_AVX2_ROW
#define SC_T_HAVE_X86 1
#endif

// low = the noise floor (median motion) within 2...4 levels; high = 2 low + 1 (x9: 3x3 sums).
static void set_thresholds(sc_temporal *t, int floor9) {
    int low9 = floor9;
    if (low9 < 2 * 9) low9 = 2 * 9;
    if (low9 > 4 * 9) low9 = 4 * 9;
    int high9 = 2 * low9 + 9;
    t->low9 = low9;
    t->range9 = high9 - low9;
    t->slope16 = (256 - SC_T_ALPHA_MIN) * 16 / (high9 - low9);
}

sc_temporal *sc_temporal_create_isa(int width, int height, sc_temporal_isa isa) {
    if (width < 1 || height < 1) return NULL;
    sc_temporal *t = calloc(1, sizeof(sc_temporal));
    if (!t) return NULL;
    size_t n = (size_t)width * (size_t)height;
    t->width = width;
    t->height = height;
    t->diff = malloc(3 * (size_t)width);
    t->acc_in = malloc(n * sizeof(int16_t));
    t->acc_c = malloc(n * sizeof(int16_t));
    t->colsum = malloc(((size_t)width + 2) * sizeof(uint16_t));
    t->fresh = malloc(n);
    t->row_in = malloc((size_t)width);
    t->row_out = malloc((size_t)width);
    if (!t->diff || !t->acc_in || !t->acc_c || !t->colsum || !t->fresh || !t->row_in || !t->row_out) {
        sc_temporal_destroy(t);
        return NULL;
    }
    set_thresholds(t, 0);
    t->frame = frame_ref;
    t->isa = "portable";
#ifdef SC_T_HAVE_X86
    __builtin_cpu_init();
    int avx512 =
        __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if ((isa == SC_TEMPORAL_AUTO || isa == SC_TEMPORAL_AVX512) && avx512) {
        t->frame = frame_avx512;
        t->isa = "avx512";
    } else if ((isa == SC_TEMPORAL_AUTO || isa == SC_TEMPORAL_AVX2 || isa == SC_TEMPORAL_AVX512) && avx2) {
        t->frame = frame_avx2;
        t->isa = "avx2";
    }
#endif
    if (isa == SC_TEMPORAL_REF) {
        t->frame = frame_ref;
        t->isa = "portable";
    }
    return t;
}

sc_temporal *sc_temporal_create(int width, int height) {
    return sc_temporal_create_isa(width, height, SC_TEMPORAL_AUTO);
}

void sc_temporal_destroy(sc_temporal *t) {
    if (!t) return;
    free(t->diff);
    free(t->acc_in);
    free(t->acc_c);
    free(t->colsum);
    free(t->fresh);
    free(t->row_in);
    free(t->row_out);
    free(t);
}

void sc_temporal_reset(sc_temporal *t) { t->primed = 0; }
const char *sc_temporal_isa_name(const sc_temporal *t) { return t->isa; }
int sc_temporal_noise_floor9(const sc_temporal *t) { return t->floor9; }
double sc_temporal_static_share(const sc_temporal *t) { return t->static_share; }

// The median of the sampled 3x3 motion sums (every 4th pixel of every 4th row): the noise
// floor; and the share of those pixels below the averaging limit (seen as still).
static int sampled_median9(sc_temporal *t) {
    const long n = t->samples;
    long still = 0;
    for (int m = 0; m < t->low9 + t->range9 && m <= SC_T_M9_MAX; m++) still += t->hist[m];
    t->static_share = n ? (double)still / (double)n : 0;
    long seen = 0;
    for (int m = 0; m <= SC_T_M9_MAX; m++) {
        seen += t->hist[m];
        if (seen * 2 > n) return m;
    }
    return 0;
}

void sc_temporal_luma(sc_temporal *t, const uint8_t *in, ptrdiff_t in_step, ptrdiff_t in_stride, uint8_t *out,
                      ptrdiff_t out_step, ptrdiff_t out_stride, int lo, int hi) {
    const int w = t->width, h = t->height;
    if (!t->primed) {
        for (int y = 0; y < h; y++) {
            const uint8_t *i = in + y * in_stride, *o = out + y * out_stride;
            int16_t *ai = t->acc_in + (size_t)y * w;
            int16_t *ac = t->acc_c + (size_t)y * w;
            for (int x = 0; x < w; x++) {
                int v = i[x * in_step];
                ai[x] = (int16_t)(v * 16);
                ac[x] = (int16_t)((o[x * out_step] - v) * 16);
            }
        }
        memset(t->fresh, 1, (size_t)w * h);
        t->primed = 1;
        t->floor9 = 0;
        t->static_share = 0;
        set_thresholds(t, 0);
        return;
    }
    t->frame(t, in, in_step, in_stride, out, out_step, out_stride, lo, hi);
    // The thresholds of the next frame, from this frame's sampled motion.
    t->floor9 = sampled_median9(t);
    set_thresholds(t, t->floor9);
}
