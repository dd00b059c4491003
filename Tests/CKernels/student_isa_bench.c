// Time per 1280×720 frame of the shipped student's shape (student:24:c4:s4:maps: space-to-depth
// ×4 with maps, 48 -> 24 -> 24 -> 24 -> 24 -> 16 channels, five 3×3 convolutions) in int8 on
// every kernel set this CPU has, at 1 and 2 threads, with random weights: median and minimum
// ms per frame, network GMAC/s, and the ideal time of the work done (wide layers twice) at the
// set's int8 peak (peak.c). avx2: 6-bit weights with wide layers 0 and 1 (as shipped) and
// without; VNNI sets: 8-bit weights without wide layers, with wide layer 0, with 0 and 1.
// On a machine shared with other work, the 2-thread medians need a quiet second core.
//
// Build and run from the repository root:
//   clang -O3 -fno-math-errno -I Sources/CSharpKernels/include -I benchmarks/CBenchSupport/include \
//       Sources/CSharpKernels/*.c benchmarks/CBenchSupport/peak.c Tests/CKernels/student_isa_bench.c \
//       -lm -lpthread -o /tmp/student_isa_bench && /tmp/student_isa_bench
// Options: --runs N (default 100), --portable (also time the portable set, 3 runs, 1 thread),
// --fp (also fp32 and fp16).
#include "CBenchSupport.h"
#include "CSharpKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t state = 1;
static float rnd(void) { // [-1, 1)
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((state >> 33) & 0xFFFFFF) / 16777216.0f * 2 - 1;
}

static int by_value(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

enum { L = 5, W = 1280, H = 720 };
static const int channels[L + 1] = {48, 24, 24, 24, 24, 16};

typedef struct {
    double median, min;
} timing;

static timing time_engine(sc_student_desc *d, int threads, int runs, const sc_student_frame *f, const char **name) {
    char err[256];
    timing t = {0, 0};
    sc_student *s = sc_student_create(d, W, threads, err, sizeof err);
    if (!s) {
        printf("cannot create: %s\n", err);
        return t;
    }
    *name = sc_student_kernels(s);
    double *times = malloc(sizeof(double) * runs);
    sc_student_run(s, f);
    sc_student_run(s, f);
    for (int i = 0; i < runs; i++) {
        const double t0 = now();
        sc_student_run(s, f);
        times[i] = now() - t0;
    }
    qsort(times, (size_t)runs, sizeof(double), by_value);
    t.median = times[runs / 2];
    t.min = times[0];
    free(times);
    sc_student_destroy(s);
    return t;
}

int main(int argc, char **argv) {
    int runs = 100, portable = 0, fp = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--portable") == 0)
            portable = 1;
        else if (strcmp(argv[i], "--fp") == 0)
            fp = 1;
        else {
            fprintf(stderr, "usage: %s [--runs N] [--portable] [--fp]\n", argv[0]);
            return 2;
        }
    }
    if (runs < 1) runs = 1;
    sc_student_desc d;
    memset(&d, 0, sizeof d);
    d.layers = L;
    d.block = 4;
    d.uses_maps = 1;
    float *w[L], *b[L], *scale[L];
    double macs = 0, wide_macs = 0, wide0_macs = 0; // per frame (no band halos); wide: with layers 0, 1 wide
    const double pixels = (double)(W / 4) * (H / 4);
    for (int k = 0; k < L; k++) {
        const int cin = channels[k], cout = channels[k + 1], n = cout * cin * 9;
        d.channels[k] = cin;
        w[k] = malloc(sizeof(float) * n);
        b[k] = malloc(sizeof(float) * cout);
        scale[k] = malloc(sizeof(float) * cout);
        for (int i = 0; i < n; i++) w[k][i] = rnd() * 0.1f;
        for (int i = 0; i < cout; i++) {
            b[k][i] = rnd() * 0.01f;
            scale[k][i] = 0.02f;
        }
        d.weights[k] = w[k];
        d.bias[k] = b[k];
        d.activation_scale[k] = k < L - 1 ? scale[k] : NULL;
        macs += 9.0 * cin * cout * pixels;
        wide_macs += 9.0 * cin * cout * pixels * (k < 2 ? 2 : 1);
        if (k == 0) wide0_macs = 9.0 * cin * cout * pixels;
    }
    d.channels[L] = channels[L];
    uint8_t *y = malloc(W * H), *e = malloc(W * H), *m = malloc(W * H), *o = malloc(W * H);
    for (int i = 0; i < W * H; i++) {
        y[i] = (uint8_t)rand();
        e[i] = (uint8_t)rand();
        m[i] = (uint8_t)rand();
    }
    sc_student_frame f;
    memset(&f, 0, sizeof f);
    f.y = y;
    f.y_step = 1;
    f.y_stride = W;
    f.edge = e;
    f.mask = m;
    f.map_stride = W;
    f.out = o;
    f.out_step = 1;
    f.out_stride = W;
    f.width = W;
    f.height = H;
    f.limited_range = 1;
    f.strength = 1;

    printf("student:24:c4:s4:maps, 1280x720, %.3f GMAC per frame (wide layer 0: %.3f, wide layers 0, 1: %.3f), "
           "median of %d runs\n",
           macs / 1e9, (macs + wide0_macs) / 1e9, wide_macs / 1e9, runs);
    printf("%-12s %-22s %7s %10s %9s %8s %9s %10s\n", "set", "int8 weights", "threads", "median ms", "min ms", "GMAC/s",
           "peak GMAC/s", "ideal ms");
    for (int isa = SC_ISA_AVX512VNNI; isa >= SC_ISA_PORTABLE; isa--) {
        if (!sc_cpu_supports_isa((sc_isa)isa)) {
            printf("%-12s skipped: this CPU lacks it\n", sc_isa_name((sc_isa)isa));
            continue;
        }
        if (isa == SC_ISA_PORTABLE && !portable) continue;
        // avx2 (and portable): 6-bit with wide layers 0, 1 (as shipped), none; VNNI: 8-bit with
        // no wide layers, wide layer 0, wide layers 0 and 1
        const int vnni = isa >= SC_ISA_AVXVNNI;
        for (int variant = 0; variant < (vnni ? 3 : isa == SC_ISA_AVX2 ? 2 : 1); variant++) {
            d.precision = SC_PRECISION_INT8;
            d.isa = isa;
            d.int8_weights = vnni ? SC_INT8_WEIGHTS_8BIT_WIDE : SC_INT8_WEIGHTS_6BIT_WIDE;
            memset(d.wide_weights, 0, sizeof d.wide_weights);
            memset(d.wide_weights_8bit, 0, sizeof d.wide_weights_8bit);
            const int wide = vnni ? variant : (variant == 0 ? 2 : 0); // wide layers (the first 0, 1 or 2)
            for (int k = 0; k < wide; k++) (vnni ? d.wide_weights_8bit : d.wide_weights)[k] = 1;
            static const char *const names[2][3] = {{"6-bit, no wide", "6-bit, wide 0", "6-bit, wide 0,1"},
                                                    {"8-bit, no wide", "8-bit, wide 0", "8-bit, wide 0,1"}};
            const char *scheme = names[vnni][wide];
            for (int threads = 1; threads <= (isa == SC_ISA_PORTABLE ? 1 : 2); threads++) {
                const char *name = "?";
                const timing t = time_engine(&d, threads, isa == SC_ISA_PORTABLE ? 3 : runs, &f, &name);
                const double peak = sc_peak_int8_isa_macs((sc_isa)isa, threads, 0.3);
                const double work = wide == 2 ? wide_macs : wide == 1 ? macs + wide0_macs : macs;
                printf("%-12s %-22s %7d %10.3f %9.3f %8.1f %9.1f %10.3f\n", name, scheme, threads, t.median * 1e3,
                       t.min * 1e3, macs / t.median / 1e9, peak / 1e9, peak > 0 ? work / peak * 1e3 : 0.0);
            }
        }
    }
    if (fp) {
        for (int p = SC_PRECISION_FP32; p <= SC_PRECISION_FP16; p++)
            for (int threads = 1; threads <= 2; threads++) {
                d.precision = (sc_precision)p;
                d.isa = SC_ISA_AUTO;
                memset(d.wide_weights, 0, sizeof d.wide_weights);
                memset(d.wide_weights_8bit, 0, sizeof d.wide_weights_8bit);
                const char *name = "?";
                const timing t = time_engine(&d, threads, runs, &f, &name);
                printf("%-12s %-22s %7d %10.3f %9.3f %8.1f\n", name, p == SC_PRECISION_FP32 ? "(fp32)" : "(fp16)",
                       threads, t.median * 1e3, t.min * 1e3, macs / t.median / 1e9);
            }
    }
    if (sc_cpu_supports_isa(SC_ISA_AVX512VNNI))
        printf("vpdpbusd peak, 1 thread: zmm %.1f, ymm (EVEX) %.1f, ymm (VEX) %.1f GMAC/s\n",
               sc_peak_int8_isa_macs(SC_ISA_AVX512VNNI, 1, 0.3) / 1e9, sc_peak_vpdpbusd_evex_ymm_macs(1, 0.3) / 1e9,
               sc_peak_int8_isa_macs(SC_ISA_AVXVNNI, 1, 0.3) / 1e9);
    for (int k = 0; k < L; k++) {
        free(w[k]);
        free(b[k]);
        free(scale[k]);
    }
    free(y);
    free(e);
    free(m);
    free(o);
    return 0;
}
