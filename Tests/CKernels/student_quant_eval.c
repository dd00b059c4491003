// The shipped student's int8 schemes against its fp32 output on real photos: how far each
// quantisation (6-bit + wide layers, 8-bit, 8-bit + wide layers) moves the output from fp32,
// and what it costs against the sharp photo.
//
// Frames: the p256 protocol (EvaluationProtocol.p256) rebuilt in C: each PNG is area-downscaled
// to 256×256 by ffmpeg (scale=256:256:flags=area), blurred with the 21×21 Gaussian σ = 2.5
// (reflect-101) per RGB channel and rounded; or --p720: centre-cropped to 16:9 and
// area-downscaled to 1280×720 (smaller photos skipped), same blur. The engine sees what
// FusedStudentEngine gives it for an RGB frame: a full-range BT.601 luma plane (--limited: the
// same mapped to 16..235, as from a YUV camera), the Sobel edge map of that plane (magnitude
// scaled so the strongest edge is 255, truncated) and the saturation mask (255 where
// 510·(max − min) > 19·max), strength 1, and the luma change (delta plane) out, added to R, G
// and B and clamped.
// Reported per scheme: agreement with fp32 (PSNR in dB of the output luma against the fp32
// engine's output luma, all photos pooled), PSNR against the sharp photo (RGB, mean over
// photos, as Evaluation) and its loss against fp32, over all photos and over the five photos
// of ShippedStudentTests (p256: the protocol of its int8 bound), and the creation time. int8
// runs on the avx2 or avx512vnni set where the CPU has it (bit-identical to portable), else
// portable. --stats prints the photos' statistics behind the 8-bit rounding's prior instead.
//
// Build and run from the repository root (needs ffmpeg and ffprobe on PATH):
//   clang -O2 -fno-math-errno -I Sources/CSharpKernels/include Sources/CSharpKernels/*.c \
//       Tests/CKernels/student_quant_eval.c -lm -lpthread -o /tmp/student_quant_eval && \
//       /tmp/student_quant_eval [--p720] [--limited] [--stats] [--photos DIR] [--shipped FILE.scw]
#include "CSharpKernels.h"
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { L = 5 };
static const int channels[L + 1] = {48, 24, 24, 24, 24, 16};

typedef struct {
    float *w[L], *b[L], *scale[L];
    int wide[L]; // quant.wide-layers
} net;

/// The shipped weights (.scw: "SCWEIGHT", version, header length, JSON header, data at the
/// next multiple of 16); 0 if the file is missing or not the shipped architecture.
static int load_shipped(const char *path, net *n) {
    FILE *file = fopen(path, "rb");
    if (!file) return 0;
    fseek(file, 0, SEEK_END);
    const long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *bytes = malloc((size_t)size);
    const int ok_read = fread(bytes, 1, (size_t)size, file) == (size_t)size;
    fclose(file);
    uint32_t hlen = 0;
    if (!ok_read || size < 16 || memcmp(bytes, "SCWEIGHT", 8) != 0) {
        free(bytes);
        return 0;
    }
    memcpy(&hlen, bytes + 12, 4);
    char *json = malloc(hlen + 1);
    memcpy(json, bytes + 16, hlen);
    json[hlen] = 0;
    const size_t data = (16 + (size_t)hlen + 15) / 16 * 16;
    memset(n, 0, sizeof *n);
    int ok = strstr(json, "\"unshuffle\":4") && strstr(json, "\"usesMaps\":true") && strstr(json, "\"widths\":[24]");
    for (int k = 0; ok && k < L; k++) {
        for (int part = 0; part < 2; part++) {
            char name[64];
            if (k < L - 1)
                snprintf(name, sizeof name, "\"name\":\"body.conv%d.%s\"", k, part ? "bias" : "weight");
            else
                snprintf(name, sizeof name, "\"name\":\"out.%s\"", part ? "bias" : "weight");
            const char *at = strstr(json, name), *off = at ? strstr(at, "\"offset\":") : NULL;
            if (!off) {
                ok = 0;
                break;
            }
            const long offset = strtol(off + 9, NULL, 10);
            const size_t count = part ? (size_t)channels[k + 1] : (size_t)channels[k + 1] * channels[k] * 9;
            if (data + offset + count * 4 > (size_t)size) {
                ok = 0;
                break;
            }
            float *dst = malloc(count * 4);
            memcpy(dst, bytes + data + offset, count * 4);
            if (part)
                n->b[k] = dst;
            else
                n->w[k] = dst;
        }
        n->scale[k] = calloc((size_t)channels[k + 1], sizeof(float));
    }
    const char *sc = ok ? strstr(json, "\"quant.activation-scales\":\"") : NULL;
    if (sc) {
        const char *p = sc + strlen("\"quant.activation-scales\":\"");
        for (int k = 0; k < L - 1 && ok; k++)
            for (int c = 0; c < channels[k + 1] && ok; c++) {
                while (*p == '[' || *p == ',' || *p == ']' || *p == ' ') p++;
                char *end;
                n->scale[k][c] = strtof(p, &end);
                if (end == p) ok = 0;
                p = end;
            }
    } else {
        ok = 0;
    }
    n->wide[0] = n->wide[1] = strstr(json, "\"quant.wide-layers\":\"[0,1]\"") != NULL;
    free(json);
    free(bytes);
    return ok;
}

// MARK: Frames

typedef struct {
    char name[128];
    int W, H;
    uint8_t *rgb, *sharp; // degraded input, sharp reference (RGB24)
    uint8_t *y, *e, *m; // luma, edge map, mask
    uint8_t *yl; // luma in limited range
} photo;

static int reflect101(int i, int n) {
    if (n == 1) return 0;
    while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
    return i;
}

/// RGB24 of a PNG through ffmpeg (`filter`: its -vf chain); NULL on failure.
static uint8_t *decode(const char *path, const char *filter, int W, int H) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "ffmpeg -v error -i '%s' -vf '%s' -f rawvideo -pix_fmt rgb24 - 2>/dev/null", path,
             filter);
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    const size_t n = (size_t)W * H * 3;
    uint8_t *buf = malloc(n);
    const size_t got = fread(buf, 1, n, p);
    pclose(p);
    if (got != n) {
        free(buf);
        return NULL;
    }
    return buf;
}

/// The 21×21 Gaussian σ = 2.5 (reflect-101), per channel, rounded to 8 bits.
static void blur(const uint8_t *src, int W, int H, uint8_t *dst) {
    double taps[21], sum = 0;
    for (int i = 0; i < 21; i++) {
        taps[i] = exp(-(i - 10) * (i - 10) / (2 * 2.5 * 2.5));
        sum += taps[i];
    }
    for (int i = 0; i < 21; i++) taps[i] /= sum;
    double *tmp = malloc(sizeof(double) * W * H * 3);
    for (int r = 0; r < H; r++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++) {
                double a = 0;
                for (int i = 0; i < 21; i++) a += taps[i] * src[((size_t)r * W + reflect101(x + i - 10, W)) * 3 + c];
                tmp[((size_t)r * W + x) * 3 + c] = a;
            }
    for (int r = 0; r < H; r++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++) {
                double a = 0;
                for (int i = 0; i < 21; i++) a += taps[i] * tmp[((size_t)reflect101(r + i - 10, H) * W + x) * 3 + c];
                const long v = lrint(a);
                dst[((size_t)r * W + x) * 3 + c] = (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
            }
    free(tmp);
}

static void maps(photo *p) {
    const int W = p->W, H = p->H;
    p->y = malloc((size_t)W * H);
    p->e = malloc((size_t)W * H);
    p->m = malloc((size_t)W * H);
    p->yl = malloc((size_t)W * H);
    for (size_t i = 0; i < (size_t)W * H; i++) {
        const uint8_t *c = p->rgb + 3 * i;
        const float v = 0.299f * c[0] + 0.587f * c[1] + 0.114f * c[2];
        p->y[i] = (uint8_t)lrintf(v < 0 ? 0 : (v > 255 ? 255 : v));
        p->yl[i] = (uint8_t)lrintf(16 + p->y[i] * (219.0f / 255.0f));
        const int mx = c[0] > c[1] ? (c[0] > c[2] ? c[0] : c[2]) : (c[1] > c[2] ? c[1] : c[2]);
        const int mn = c[0] < c[1] ? (c[0] < c[2] ? c[0] : c[2]) : (c[1] < c[2] ? c[1] : c[2]);
        p->m[i] = 510 * (mx - mn) > 19 * mx ? 255 : 0;
    }
    double *g = malloc(sizeof(double) * W * H), gmax = 0;
    for (int r = 0; r < H; r++)
        for (int x = 0; x < W; x++) {
#define Y_(rr, xx) (double)p->y[(size_t)reflect101(rr, H) * W + reflect101(xx, W)]
            const double gx = Y_(r - 1, x + 1) + 2 * Y_(r, x + 1) + Y_(r + 1, x + 1) - Y_(r - 1, x - 1) -
                2 * Y_(r, x - 1) - Y_(r + 1, x - 1);
            const double gy = Y_(r + 1, x - 1) + 2 * Y_(r + 1, x) + Y_(r + 1, x + 1) - Y_(r - 1, x - 1) -
                2 * Y_(r - 1, x) - Y_(r - 1, x + 1);
#undef Y_
            g[(size_t)r * W + x] = sqrt(gx * gx + gy * gy);
            if (g[(size_t)r * W + x] > gmax) gmax = g[(size_t)r * W + x];
        }
    for (size_t i = 0; i < (size_t)W * H; i++) p->e[i] = gmax > 0 ? (uint8_t)(255 * g[i] / gmax) : 0;
    free(g);
}

static int load_photos(const char *dir, int p720, photo **out) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    char names[64][128];
    int count = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) && count < 64) {
        const size_t len = strlen(ent->d_name);
        if (len > 4 && len < 120 && strcmp(ent->d_name + len - 4, ".png") == 0)
            snprintf(names[count++], 128, "%s", ent->d_name);
    }
    closedir(d);
    qsort(names, (size_t)count, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    photo *ps = calloc((size_t)count, sizeof(photo));
    int n = 0;
    for (int i = 0; i < count; i++) {
        char path[1024], filter[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        const int W = p720 ? 1280 : 256, H = p720 ? 720 : 256;
        if (p720) { // centre crop to 16:9 (skipped below 1280×720)
            char probe[1200];
            snprintf(probe, sizeof probe, "ffprobe -v error -show_entries stream=width,height -of csv=p=0 '%s'", path);
            FILE *pp = popen(probe, "r");
            int pw = 0, ph = 0;
            if (!pp || fscanf(pp, "%d,%d", &pw, &ph) != 2) pw = 0;
            if (pp) pclose(pp);
            const int cw = pw * 9 > ph * 16 ? ph * 16 / 9 : pw, ch = pw * 9 > ph * 16 ? ph : pw * 9 / 16;
            if (cw < 1280 || ch < 720) continue;
            snprintf(filter, sizeof filter, "crop=%d:%d:%d:%d,scale=1280:720:flags=area", cw, ch, (pw - cw) / 2,
                     (ph - ch) / 2);
        } else {
            snprintf(filter, sizeof filter, "scale=256:256:flags=area");
        }
        uint8_t *sharp = decode(path, filter, W, H);
        if (!sharp) {
            fprintf(stderr, "cannot decode %s\n", path);
            continue;
        }
        photo *p = &ps[n++];
        snprintf(p->name, sizeof p->name, "%.*s", (int)strlen(names[i]) - 4, names[i]);
        p->W = W;
        p->H = H;
        p->sharp = sharp;
        p->rgb = malloc((size_t)W * H * 3);
        blur(sharp, W, H, p->rgb);
        maps(p);
    }
    *out = ps;
    return n;
}

// MARK: Schemes

typedef struct {
    const char *name;
    sc_precision precision;
    int isa; // preferred set (falls back to portable where the CPU lacks it)
    int int8_weights;
    int wide[L];
} scheme;

static int limited; // --limited: luma in 16..235 (as from a YUV camera) instead of full range

/// The delta plane of one photo.
static int run(sc_student *s, const photo *p, int16_t *delta) {
    sc_student_frame f;
    memset(&f, 0, sizeof f);
    f.y = limited ? p->yl : p->y;
    f.y_step = 1;
    f.y_stride = p->W;
    f.edge = p->e;
    f.mask = p->m;
    f.map_stride = p->W;
    f.delta = delta;
    f.delta_stride = p->W;
    f.width = p->W;
    f.height = p->H;
    f.limited_range = limited;
    f.strength = 1;
    sc_student_run(s, &f);
    return 1;
}

static double psnr_of(double sse, double count) { return sse > 0 ? 10 * log10(255.0 * 255 * count / sse) : 99; }

static int is_standard(const char *name) {
    static const char *const std[] = {"skimage_astronaut", "skimage_coffee", "skimage_chelsea", "lomiri16_fig",
                                      "lomiri16_bridge"};
    for (int i = 0; i < 5; i++)
        if (strcmp(name, std[i]) == 0) return 1;
    return 0;
}

/// The statistics behind the 8-bit rounding's prior of layer 0's inputs (student.c,
/// input_prior): per plane (luma, edge, mask) the mean and standard deviation (of full scale)
/// and the correlation at horizontal and vertical distances of 1 to 8 pixels.
static void print_stats(const photo *ps, int np) {
    static const char *const names[3] = {"luma", "edge", "mask"};
    static const int dist[] = {1, 2, 4, 8};
    for (int pl = 0; pl < 3; pl++) {
        double s = 0, s2 = 0, n = 0, c[4] = {0}, cn[4] = {0};
        for (int pass = 0; pass < 2; pass++)
            for (int pi = 0; pi < np; pi++) {
                const photo *p = &ps[pi];
                const uint8_t *x = pl == 0 ? p->y : (pl == 1 ? p->e : p->m);
                const double mean = n > 0 ? s / n : 0;
                for (int r = 0; r < p->H; r++)
                    for (int q = 0; q < p->W; q++) {
                        const double v = x[(size_t)r * p->W + q];
                        if (pass == 0) {
                            s += v;
                            s2 += v * v;
                            n++;
                            continue;
                        }
                        for (int i = 0; i < 4; i++) {
                            const int d = dist[i];
                            if (q + d < p->W) {
                                c[i] += (v - mean) * (x[(size_t)r * p->W + q + d] - mean);
                                cn[i]++;
                            }
                            if (r + d < p->H) {
                                c[i] += (v - mean) * (x[(size_t)(r + d) * p->W + q] - mean);
                                cn[i]++;
                            }
                        }
                    }
            }
        const double mean = s / n, var = s2 / n - mean * mean;
        printf("%s: mean %.3f, sd %.3f of full scale; correlation at 1, 2, 4, 8 px: %.3f %.3f %.3f %.3f\n", names[pl],
               mean / 255, sqrt(var) / 255, c[0] / cn[0] / var, c[1] / cn[1] / var, c[2] / cn[2] / var,
               c[3] / cn[3] / var);
    }
}

int main(int argc, char **argv) {
    const char *dir = ".data/photos", *shipped = "Sources/CDefaultWeights/default-student.scw";
    int p720 = 0, stats = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--p720") == 0)
            p720 = 1;
        else if (strcmp(argv[i], "--stats") == 0)
            stats = 1;
        else if (strcmp(argv[i], "--limited") == 0)
            limited = 1;
        else if (strcmp(argv[i], "--photos") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--shipped") == 0 && i + 1 < argc)
            shipped = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--p720] [--limited] [--stats] [--photos DIR] [--shipped FILE.scw]\n", argv[0]);
            return 2;
        }
    }
    net n;
    if (!load_shipped(shipped, &n)) {
        fprintf(stderr, "cannot read %s\n", shipped);
        return 1;
    }
    photo *ps;
    const int np = load_photos(dir, p720, &ps);
    if (np == 0) {
        fprintf(stderr, "no photos in %s\n", dir);
        return 1;
    }
    if (stats) {
        print_stats(ps, np);
        return 0;
    }
    printf("%d photos (%s, %s-range luma), shipped student, wide-layers metadata [%s]\n", np, p720 ? "p720" : "p256",
           limited ? "limited" : "full", n.wide[0] ? "0,1" : "");

    scheme schemes[32];
    int ns = 0;
    schemes[ns++] = (scheme){"fp32", SC_PRECISION_FP32, SC_ISA_AUTO, 0, {0}};
    schemes[ns++] = (scheme){"int8 6-bit", SC_PRECISION_INT8, SC_ISA_AVX2, SC_INT8_WEIGHTS_6BIT_WIDE, {0}};
    schemes[ns++] = (scheme){"int8 6-bit wide 0,1", SC_PRECISION_INT8, SC_ISA_AVX2, SC_INT8_WEIGHTS_6BIT_WIDE, {1, 1}};
    schemes[ns++] = (scheme){"int8 8-bit", SC_PRECISION_INT8, SC_ISA_AVX512VNNI, SC_INT8_WEIGHTS_8BIT, {0}};
    static const int lists[][L] = {{1}, {0, 1}, {1, 1}, {0, 0, 1}, {0, 0, 0, 1}, {1, 1, 1, 1}};
    static const char *const list_names[] = {"0", "1", "0,1", "2", "3", "0,1,2,3"};
    for (int i = 0; i < 6; i++) {
        scheme sc = {NULL, SC_PRECISION_INT8, SC_ISA_AVX512VNNI, SC_INT8_WEIGHTS_8BIT_WIDE, {0}};
        static char names[6][40];
        snprintf(names[i], sizeof names[i], "int8 8-bit wide %s", list_names[i]);
        sc.name = names[i];
        memcpy(sc.wide, lists[i], sizeof sc.wide);
        schemes[ns++] = sc;
    }

    const size_t maxpx = (size_t)(p720 ? 1280 * 720 : 256 * 256);
    int16_t *ref = malloc(sizeof(int16_t) * maxpx * np), *d = malloc(sizeof(int16_t) * maxpx);
    double ref_psnr_all = 0, ref_psnr_std = 0;
    int nstd = 0;
    printf("%-28s %-11s %9s %12s %9s %12s %9s %10s\n", "scheme", "set", "agree dB", "PSNR all", "loss", "PSNR std5",
           "loss", "create ms");
    for (int si = 0; si < ns; si++) {
        sc_student_desc desc;
        memset(&desc, 0, sizeof desc);
        desc.layers = L;
        desc.block = 4;
        desc.uses_maps = 1;
        for (int k = 0; k <= L; k++) desc.channels[k] = channels[k];
        for (int k = 0; k < L; k++) {
            desc.weights[k] = n.w[k];
            desc.bias[k] = n.b[k];
            if (k < L - 1 && schemes[si].precision == SC_PRECISION_INT8) desc.activation_scale[k] = n.scale[k];
            if (schemes[si].int8_weights == SC_INT8_WEIGHTS_8BIT_WIDE)
                desc.wide_weights_8bit[k] = schemes[si].wide[k];
            else
                desc.wide_weights[k] = schemes[si].wide[k];
        }
        desc.precision = schemes[si].precision;
        desc.isa = schemes[si].isa;
        if (desc.isa >= 0 && !sc_cpu_supports_isa((sc_isa)desc.isa)) desc.isa = SC_ISA_PORTABLE;
        desc.int8_weights = schemes[si].int8_weights;
        char err[256];
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        sc_student *s = sc_student_create(&desc, p720 ? 1280 : 256, 2, err, sizeof err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        const double create_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-6;
        if (!s && desc.isa != SC_ISA_PORTABLE) { // a scheme only the portable set runs (yet)
            desc.isa = SC_ISA_PORTABLE;
            s = sc_student_create(&desc, p720 ? 1280 : 256, 2, err, sizeof err);
        }
        if (!s) {
            printf("%-28s cannot create: %s\n", schemes[si].name, err);
            continue;
        }
        double sse = 0, cnt = 0, psnr_all = 0, psnr_std = 0;
        for (int i = 0; i < np; i++) {
            const photo *p = &ps[i];
            const size_t px = (size_t)p->W * p->H;
            int16_t *out = si == 0 ? ref + maxpx * i : d;
            run(s, p, out);
            double e2 = 0, r2 = 0;
            for (size_t j = 0; j < px; j++) {
                const uint8_t *y = limited ? p->yl : p->y;
                const int yf = y[j] + ref[maxpx * i + j], yq = y[j] + out[j];
                const int a = yf < 0 ? 0 : (yf > 255 ? 255 : yf), b = yq < 0 ? 0 : (yq > 255 ? 255 : yq);
                e2 += (double)(a - b) * (a - b);
                for (int c = 0; c < 3; c++) {
                    int v = p->rgb[3 * j + c] + (limited ? (int)lrintf(out[j] * (255.0f / 219.0f)) : out[j]);
                    v = v < 0 ? 0 : (v > 255 ? 255 : v);
                    r2 += (double)(v - p->sharp[3 * j + c]) * (v - p->sharp[3 * j + c]);
                }
            }
            sse += e2;
            cnt += (double)px;
            const double pp = psnr_of(r2, 3.0 * px);
            psnr_all += pp;
            if (is_standard(p->name)) psnr_std += pp;
            if (si == 0 && is_standard(p->name)) nstd++;
        }
        psnr_all /= np;
        psnr_std /= nstd ? nstd : 1;
        if (si == 0) {
            ref_psnr_all = psnr_all;
            ref_psnr_std = psnr_std;
        }
        printf("%-28s %-11s %9.2f %12.4f %9.4f %12.4f %9.4f %10.1f\n", schemes[si].name, sc_student_kernels(s),
               psnr_of(sse, cnt), psnr_all, ref_psnr_all - psnr_all, psnr_std, ref_psnr_std - psnr_std, create_ms);
        sc_student_destroy(s);
    }
    return 0;
}
