// The optimised pixel kernel tables (avx512, and avx2) against the portable one, kernel by kernel,
// on random rows of widths 1..2000 (every odd width, and the even ones of a few ranges), each
// output buffer surrounded by guard bytes that must stay as they were.
//
// Build and run from the repository root (plain C, no Swift build needed):
//   clang -O2 -fno-math-errno -I Sources/CSharpKernels/include Sources/CSharpKernels/*.c \
//       Tests/CKernels/pixels_isa_test.c -lm -lpthread -o /tmp/pixels_isa_test && /tmp/pixels_isa_test
// Add -fsanitize=address to check reads and writes; --quick tests every 8th width only.
// Ends with "N passed, M failed" (one check per table, kernel and width); exits 1 on any failure.
// Tables this CPU lacks are skipped.
//
// Bounds: integer outputs (bytes, and the int16-derived Sobel magnitudes and row maximum) and the
// ChromaTransfer kernels that only add, subtract or convert (gather, accumulate, window sums,
// store) must be bit-identical; accumulate is also run on non-dyadic values, where the avx512
// table (no contraction) must still be identical and avx2 within 4e-3 * max(1, |b|). Float kernels the compiler may
// contract into FMAs (convolve, axpy, rgb_luma_to_float, slopes, apply): |a - b| <= 1e-4 * max(1, |b|). Unsharp rows
// (rounded after an FMA-contracted expression): at most 1 level apart, on at most 1% of the samples.
#include "CSharpKernels.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUARD 80

static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}
static uint8_t rbyte(void) { return (uint8_t)rnd(); }
static float rfloat(float lo, float hi) { return lo + (hi - lo) * (float)(rnd() & 0xFFFFFF) / 16777216.0f; }

static int passed = 0, failed = 0, verbose = 0;

static void check(int ok, const char *table, const char *kernel, int w, const char *what) {
    if (ok) {
        passed++;
        return;
    }
    failed++;
    if (failed <= 40 || verbose) printf("FAIL %s %s w=%d %s\n", table, kernel, w, what);
}

/// A buffer of n bytes of random content with GUARD random bytes either side; `copy` makes a
/// second buffer of the same content.
typedef struct {
    uint8_t *raw;
    size_t n;
} buf;
static buf bnew(size_t n) {
    buf b = {malloc(n + 2 * GUARD), n};
    for (size_t i = 0; i < n + 2 * GUARD; i++) b.raw[i] = rbyte();
    return b;
}
static buf bdup(buf a) {
    buf b = {malloc(a.n + 2 * GUARD), a.n};
    memcpy(b.raw, a.raw, a.n + 2 * GUARD);
    return b;
}
static void *bp(buf b) { return b.raw + GUARD; }
static int bsame(buf a, buf b) { return memcmp(a.raw, b.raw, a.n + 2 * GUARD) == 0; }
static void bfree(buf b) { free(b.raw); }
/// Floats within tol * max(1, |ref|), guards identical.
static int fnear(buf a, buf ref, float tol) {
    if (memcmp(a.raw, ref.raw, GUARD) || memcmp(a.raw + GUARD + a.n, ref.raw + GUARD + a.n, GUARD)) return 0;
    const float *x = bp(a), *y = bp(ref);
    for (size_t i = 0; i < a.n / 4; i++) {
        float m = fabsf(y[i]) > 1 ? fabsf(y[i]) : 1;
        if (!(fabsf(x[i] - y[i]) <= tol * m)) return 0;
    }
    return 1;
}
static buf fnew(size_t n, float lo, float hi, float quantum) {
    buf b = bnew(4 * n);
    float *f = bp(b);
    for (size_t i = 0; i < n; i++) {
        float v = rfloat(lo, hi);
        f[i] = quantum > 0 ? floorf(v / quantum) * quantum : v;
    }
    return b;
}

static void test_width(const sc_pixel_kernels *t, const sc_pixel_kernels *p, int w) {
    const char *tn = t->name;
    const int cw = (w + 1) / 2;
    { // unpack / pack YUYV
        buf s0 = bnew(4 * cw), s1 = bnew(4 * cw);
        for (int uvstep = 1; uvstep <= 2; uvstep++) {
            buf y0 = bnew(w), y1 = bnew(w), u = bnew(cw * uvstep), v = bnew(cw * uvstep);
            buf y0b = bdup(y0), y1b = bdup(y1), ub = bdup(u), vb = bdup(v);
            t->unpack_yuyv_rows(bp(s0), bp(s1), w, bp(y0), bp(y1), bp(u), bp(v), uvstep);
            p->unpack_yuyv_rows(bp(s0), bp(s1), w, bp(y0b), bp(y1b), bp(ub), bp(vb), uvstep);
            check(bsame(y0, y0b) && bsame(y1, y1b) && bsame(u, ub) && bsame(v, vb), tn, "unpack_yuyv_rows", w, "");
            buf d = bnew(4 * cw), db = bdup(d);
            t->pack_yuyv_row(bp(y0), bp(u), bp(v), uvstep, w, bp(d));
            p->pack_yuyv_row(bp(y0), bp(u), bp(v), uvstep, w, bp(db));
            check(bsame(d, db), tn, "pack_yuyv_row", w, "");
            bfree(y0), bfree(y1), bfree(u), bfree(v), bfree(y0b), bfree(y1b), bfree(ub), bfree(vb), bfree(d);
            bfree(db);
        }
        bfree(s0), bfree(s1);
    }
    { // RGB kernels
        buf rgb = bnew(3 * w), o = bnew(w), ob = bdup(o);
        t->grey_from_rgb24(bp(rgb), w, bp(o));
        p->grey_from_rgb24(bp(rgb), w, bp(ob));
        check(bsame(o, ob), tn, "grey_from_rgb24", w, "");
        t->mask_rgb_row(bp(rgb), w, bp(o));
        p->mask_rgb_row(bp(rgb), w, bp(ob));
        check(bsame(o, ob), tn, "mask_rgb_row", w, "");
        buf f = bnew(4 * w), fb = bdup(f);
        t->rgb_luma_to_float(bp(rgb), w, 0.2126f, 0.7152f, 0.0722f, bp(f));
        p->rgb_luma_to_float(bp(rgb), w, 0.2126f, 0.7152f, 0.0722f, bp(fb));
        check(fnear(f, fb, 1e-4f), tn, "rgb_luma_to_float", w, "");
        bfree(rgb), bfree(o), bfree(ob), bfree(f), bfree(fb);
    }
    { // Sobel, scale
        buf a = bnew(w), b = bnew(w), c = bnew(w), s = bnew(2 * 2 * (w + 2)), sb = bdup(s);
        buf m = bnew(4 * w), mb = bdup(m);
        float r1 = t->sobel_magnitude_row(bp(a), bp(b), bp(c), w, bp(s), bp(m));
        float r2 = p->sobel_magnitude_row(bp(a), bp(b), bp(c), w, bp(sb), bp(mb));
        check(r1 == r2 && bsame(m, mb), tn, "sobel_magnitude_row", w, "");
        buf o = bnew(w), ob = bdup(o);
        float scale = r2 > 0 ? 255 / r2 * rfloat(0.5f, 4) : 1;
        t->scale_to_u8(bp(mb), w, scale, bp(o));
        p->scale_to_u8(bp(mb), w, scale, bp(ob));
        check(bsame(o, ob), tn, "scale_to_u8", w, "");
        bfree(a), bfree(b), bfree(c), bfree(s), bfree(sb), bfree(m), bfree(mb), bfree(o), bfree(ob);
    }
    { // YUV mask and RGB conversion, every layout, limited and full range coefficients
        static const sc_yuv_coeffs ks[2] = {{76309, 117504, -34930, -13954, 138453, 16},
                                            {1 << 20, 1651507, -490853, -196379, 1946157, 0}};
        for (int layout = 0; layout < 3; layout++) {
            buf ybuf = bnew(layout == SC_LAYOUT_YUYV ? 4 * cw : w), ubuf = bnew(2 * cw), vbuf = bnew(cw);
            const uint8_t *y = bp(ybuf), *u = bp(ubuf), *v = bp(vbuf);
            if (layout == SC_LAYOUT_SEMIPLANAR) v = u + 1;
            if (layout == SC_LAYOUT_YUYV) u = y + 1, v = y + 3;
            for (int ki = 0; ki < 2; ki++) {
                buf o = bnew(w), ob = bdup(o);
                t->mask_yuv_row(y, u, v, w, (sc_yuv_layout)layout, &ks[ki], bp(o));
                p->mask_yuv_row(y, u, v, w, (sc_yuv_layout)layout, &ks[ki], bp(ob));
                check(bsame(o, ob), tn, "mask_yuv_row", w, layout == 0 ? "planar" : layout == 1 ? "nv12" : "yuyv");
                buf r = bnew(3 * w), rb = bdup(r);
                t->yuv_to_rgb_row(y, u, v, w, (sc_yuv_layout)layout, &ks[ki], bp(r));
                p->yuv_to_rgb_row(y, u, v, w, (sc_yuv_layout)layout, &ks[ki], bp(rb));
                check(bsame(r, rb), tn, "yuv_to_rgb_row", w, "");
                bfree(o), bfree(ob), bfree(r), bfree(rb);
            }
            bfree(ybuf), bfree(ubuf), bfree(vbuf);
        }
    }
    { // convolve, axpy, unsharp, luma_to_float
        static const float taps[7] = {0.0205f, 0.0985f, 0.2270f, 0.3080f, 0.2270f, 0.0985f, 0.0205f};
        buf in = fnew(w + 8, 0, 255, 0), o = bnew(4 * w), ob = bdup(o);
        int nt = 1 + 2 * (int)(rnd() % 4);
        t->convolve_row(bp(in), w, taps + (7 - nt) / 2, nt, bp(o));
        p->convolve_row(bp(in), w, taps + (7 - nt) / 2, nt, bp(ob));
        check(fnear(o, ob, 1e-4f), tn, "convolve_row", w, "");
        buf acc = fnew(w, -300, 300, 0), accb = bdup(acc);
        float tap = rfloat(-1, 1);
        t->axpy(tap, bp(in), w, bp(acc));
        p->axpy(tap, bp(in), w, bp(accb));
        check(fnear(acc, accb, 1e-4f), tn, "axpy", w, "");
        for (int step = 1; step <= 2; step++) {
            buf u8 = bnew(2 * w), u8b = bdup(u8);
            float gain = rfloat(0, 3);
            t->unsharp_luma_row(bp(in), bp(ob), gain, w, bp(u8), step);
            p->unsharp_luma_row(bp(in), bp(ob), gain, w, bp(u8b), step);
            int bad = memcmp(u8.raw, u8b.raw, GUARD) || memcmp(u8.raw + GUARD + 2 * w, u8b.raw + GUARD + 2 * w, GUARD);
            int off = 0;
            for (int i = 0; i < 2 * w; i++) {
                int dlt = abs((int)((uint8_t *)bp(u8))[i] - ((uint8_t *)bp(u8b))[i]);
                if (dlt > 1) bad = 1;
                off += dlt != 0;
            }
            check(!bad && off <= 1 + w / 100, tn, "unsharp_luma_row", w, "");
            bfree(u8), bfree(u8b);
            buf y = bnew(step * w), f = bnew(4 * w), fb = bdup(f);
            t->luma_to_float(bp(y), step, w, bp(f));
            p->luma_to_float(bp(y), step, w, bp(fb));
            check(bsame(f, fb), tn, "luma_to_float", w, "");
            bfree(y), bfree(f), bfree(fb);
        }
        buf rgb = bnew(3 * w), rgbb = bdup(rgb);
        float gain = rfloat(0, 3);
        t->unsharp_rgb_row(bp(in), bp(ob), gain, w, bp(rgb));
        p->unsharp_rgb_row(bp(in), bp(ob), gain, w, bp(rgbb));
        int bad = memcmp(rgb.raw, rgbb.raw, GUARD) || memcmp(rgb.raw + GUARD + 3 * w, rgbb.raw + GUARD + 3 * w, GUARD);
        int off = 0;
        for (int i = 0; i < 3 * w; i++) {
            int dlt = abs((int)((uint8_t *)bp(rgb))[i] - ((uint8_t *)bp(rgbb))[i]);
            if (dlt > 1) bad = 1;
            off += dlt != 0;
        }
        check(!bad && off <= 1 + 3 * w / 100, tn, "unsharp_rgb_row", w, "");
        bfree(rgb), bfree(rgbb), bfree(in), bfree(o), bfree(ob), bfree(acc), bfree(accb);
    }
    { // ChromaTransfer: gather (every ystep, cstep), for lw = w luma samples
        const int lw = w, gw = (lw + 1) / 2;
        for (int ystep = 1; ystep <= 2; ystep++)
            for (int cstep = 1; cstep <= 4; cstep++) {
                if (cstep == 3) continue;
                buf rows[4], u = bnew(cstep * gw), v = bnew(cstep * gw);
                for (int i = 0; i < 4; i++) rows[i] = bnew(ystep * lw + 2);
                buf out = bnew(4 * 4 * gw), outb = bdup(out);
                float *o1 = bp(out), *o2 = bp(outb);
                const uint8_t *uu = bp(u), *vv = bp(v);
                if (ystep == 2 && cstep == 4) uu = (uint8_t *)bp(rows[0]) + 1, vv = (uint8_t *)bp(rows[0]) + 3;
                t->ct_gather_yuv_row(bp(rows[0]), bp(rows[1]), bp(rows[2]), bp(rows[3]), ystep, lw, uu, vv, cstep, gw,
                                     o1, o1 + gw, o1 + 2 * gw, o1 + 3 * gw);
                p->ct_gather_yuv_row(bp(rows[0]), bp(rows[1]), bp(rows[2]), bp(rows[3]), ystep, lw, uu, vv, cstep, gw,
                                     o2, o2 + gw, o2 + 2 * gw, o2 + 3 * gw);
                check(bsame(out, outb), tn, "ct_gather_yuv_row", w, "");
                for (int i = 0; i < 4; i++) bfree(rows[i]);
                bfree(u), bfree(v), bfree(out), bfree(outb);
            }
    }
    for (int nc = 1; nc <= 3; nc++) { // accumulate (dyadic and arbitrary values), window sums, slopes, apply
        const int stats = 2 + 2 * nc;
        for (int dyadic = 1; dyadic >= 0; dyadic--) {
            float q = dyadic ? 0.25f : 0;
            buf ga = fnew(w, -128, 128, q), gb = fnew(w, -128, 128, q), ca = fnew(nc * w, -128, 128, dyadic);
            buf cb = fnew(nc * w, -128, 128, dyadic), col = fnew(stats * w, -1000, 1000, q), colb = bdup(col);
            const float *g1 = bp(ga), *g2 = bp(gb), *c1 = bp(ca), *c2 = bp(cb);
            for (int mode = 0; mode < 3; mode++) {
                const float *x = mode == 2 ? 0 : g1, *xc = mode == 2 ? 0 : c1;
                const float *s = mode == 1 ? 0 : g2, *sc = mode == 1 ? 0 : c2;
                t->ct_accumulate_row(x, xc, s, sc, w, nc, w, bp(col));
                p->ct_accumulate_row(x, xc, s, sc, w, nc, w, bp(colb));
            }
            // Arbitrary values: the avx2 loops contract a*a - b*b into an FMA (products < 2^14, whose
            // ulp is 2^-10: within 4e-3 * max(1, |ref|)); the avx512 kernel does not, so is identical.
            int same = bsame(col, colb) || (!dyadic && t != sc_pixels_avx512() && fnear(col, colb, 4e-3f));
            check(same, tn, "ct_accumulate_row", w, dyadic ? "dyadic" : "arbitrary");
            for (int r = 1; r <= 4; r++) {
                buf win = bnew(4 * stats * w), winb = bdup(win);
                t->ct_window_sums(bp(colb), stats, w, r, bp(win));
                p->ct_window_sums(bp(colb), stats, w, r, bp(winb));
                check(bsame(win, winb), tn, "ct_window_sums", w, "");
                bfree(win), bfree(winb);
            }
            // Slopes from real statistics: 7 rows accumulated, then 5-column window sums.
            buf st = bnew(4 * stats * w), win = bnew(4 * stats * w), inv = bnew(4 * w);
            memset(bp(st), 0, 4 * stats * w);
            for (int row = 0; row < 7; row++) {
                buf rg = fnew(w, -128, 128, q), rc = fnew(nc * w, -128, 128, dyadic);
                p->ct_accumulate_row(bp(rg), bp(rc), 0, 0, w, nc, w, bp(st));
                bfree(rg), bfree(rc);
            }
            p->ct_window_sums(bp(st), stats, w, 2, bp(win));
            float *invf = bp(inv);
            for (int x = 0; x < w; x++) invf[x] = 1.0f / (float)((x + 2 < w ? x + 2 : w - 1) - (x > 2 ? x - 2 : 0) + 1);
            buf a = bnew(4 * nc * w), ab = bdup(a);
            t->ct_slopes_row(bp(win), nc, w, bp(inv), 1.0f / 7, 10, 0.5f, bp(a), w);
            p->ct_slopes_row(bp(win), nc, w, bp(inv), 1.0f / 7, 10, 0.5f, bp(ab), w);
            check(fnear(a, ab, 1e-4f), tn, "ct_slopes_row", w, "");
            buf c = fnew(nc * w, -128, 128, 0), cc = bdup(c);
            t->ct_apply_row(bp(ab), nc, w, bp(inv), 1.0f / 7, bp(ga), bp(c), w);
            p->ct_apply_row(bp(ab), nc, w, bp(inv), 1.0f / 7, bp(ga), bp(cc), w);
            check(fnear(c, cc, 1e-4f), tn, "ct_apply_row", w, "");
            bfree(ga), bfree(gb), bfree(ca), bfree(cb), bfree(col), bfree(colb), bfree(win), bfree(inv), bfree(a);
            bfree(st);
            bfree(ab), bfree(c), bfree(cc);
        }
    }
    for (int step = 1; step <= 4; step++) { // store: values across and beyond [0, 255], and exact halves
        buf c = fnew(w, -200, 200, 0);
        float *cf = bp(c);
        for (int x = 0; x < w; x += 3) cf[x] = (float)((int)(rnd() % 400) - 200) + 0.5f;
        buf o = bnew(step * w), ob = bdup(o);
        t->ct_store_row(cf, w, bp(o), step);
        p->ct_store_row(cf, w, bp(ob), step);
        check(bsame(o, ob), tn, "ct_store_row", w, "");
        bfree(c), bfree(o), bfree(ob);
    }
}

int main(int argc, char **argv) {
    int stride = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) stride = 8;
        if (!strcmp(argv[i], "--verbose")) verbose = 1;
    }
    const sc_pixel_kernels *portable = sc_pixels_portable();
    const sc_pixel_kernels *tables[2] = {sc_pixels_avx512(), sc_pixels_avx2()};
    printf("sc_pixels(): %s\n", sc_pixels()->name);
    for (int t = 0; t < 2; t++) {
        if (!tables[t]) {
            printf("skipped %s: not available on this CPU/build/environment\n", t ? "avx2" : "avx512");
            continue;
        }
        int before = failed;
        for (int w = 1; w <= 2000; w += 2 * stride) test_width(tables[t], portable, w);
        for (int w = 2; w <= 72; w += 2 * stride) test_width(tables[t], portable, w);
        for (int w = 1200; w <= 1300; w += 2 * stride) test_width(tables[t], portable, w);
        printf("%s: %d failed\n", tables[t]->name, failed - before);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
