// Per-kernel timing of the pixel kernel tables (portable, avx2, avx512) on one 720p YUYV frame's
// worth of rows (1280x720 luma; ChromaTransfer on the 640x720 chroma grid, 2 channels, rx 2, ry 3,
// every row changed), one thread.
//
// Build and run from the repository root:
//   clang -O3 -fno-math-errno -I Sources/CSharpKernels/include Sources/CSharpKernels/*.c \
//       Tests/CKernels/pixels_isa_bench.c -lm -lpthread -o /tmp/pixels_isa_bench && /tmp/pixels_isa_bench
// Options: --reps N (frames per measurement, default 20; the best of 5 measurements is shown).
#include "CSharpKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { LW = 1280, H = 720, CW = 640, NC = 2, RX = 2, RY = 3, STATS = 2 + 2 * NC };

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint8_t frame_in[H][2 * LW], frame_out[H][2 * LW];
static float g[CW], d[CW], cu[2 * CW], g2[CW], c2[2 * CW], col[STATS * CW], win[STATS * CW], inv[CW], slopes[NC * CW];
static float ssum[NC * CW], outc[NC * CW], mag[H][LW], fin[LW + 16], fout[LW];
static int16_t scratch[2 * (LW + 2)];
static uint8_t grey[H][LW], u8out[LW], store[4 * CW];
static volatile float sink;

typedef void (*bench_fn)(const sc_pixel_kernels *k);

static void b_gather(const sc_pixel_kernels *k) {
    for (int y = 0; y < H; y++) {
        const uint8_t *i = frame_in[y], *o = frame_out[y];
        k->ct_gather_yuv_row(i, i, o, o, 2, LW, i + 1, i + 3, 4, CW, g, d, cu, cu + CW);
    }
}
static void b_accumulate(const sc_pixel_kernels *k) {
    for (int y = 0; y < H; y++) k->ct_accumulate_row(g, cu, g2, c2, CW, NC, CW, col);
}
static void b_wsums_stats(const sc_pixel_kernels *k) {
    for (int y = 0; y < H; y++) k->ct_window_sums(col, STATS, CW, RX, win);
}
static void b_slopes(const sc_pixel_kernels *k) {
    for (int y = 0; y < H; y++) k->ct_slopes_row(win, NC, CW, inv, 1.0f / 7, 10, 0, slopes, CW);
}
static void b_axpy4(const sc_pixel_kernels *k) {
    for (int y = 0; y < H; y++) {
        for (int c = 0; c < NC; c++) k->axpy(1, slopes + c * CW, CW, ssum + c * CW);
        for (int c = 0; c < NC; c++) k->axpy(-1, slopes + c * CW, CW, ssum + c * CW);
    }
}
static void b_wsums_slopes(const sc_pixel_kernels *k) {
    for (int y = 0; y < H; y++) k->ct_window_sums(ssum, NC, CW, RX, win);
}
static void b_apply(const sc_pixel_kernels *k) {
    for (int y = 0; y < H; y++) k->ct_apply_row(win, NC, CW, inv, 1.0f / 7, d, outc, CW);
}
static void b_store(const sc_pixel_kernels *k) {
    for (int y = 0; y < H; y++) {
        k->ct_store_row(outc, CW, frame_out[y] + 1, 4);
        k->ct_store_row(outc + CW, CW, frame_out[y] + 3, 4);
    }
}
static void b_sobel(const sc_pixel_kernels *k) {
    float m = 0;
    for (int y = 0; y < H; y++) {
        int a = y ? y - 1 : 1, c = y + 1 < H ? y + 1 : H - 2;
        float r = k->sobel_magnitude_row(grey[a], grey[y], grey[c], LW, scratch, mag[y]);
        m = r > m ? r : m;
    }
    sink = m;
}
static void b_scale(const sc_pixel_kernels *k) {
    for (int y = 0; y < H; y++) k->scale_to_u8(mag[y], LW, 0.1f, grey[y]);
}
static void b_mask(const sc_pixel_kernels *k) {
    sc_yuv_coeffs c = {76309, 117504, -34930, -13954, 138453, 16};
    for (int y = 0; y < H; y++) {
        const uint8_t *r = frame_in[y];
        k->mask_yuv_row(r, r + 1, r + 3, LW, SC_LAYOUT_YUYV, &c, u8out);
    }
}
static void b_convolve(const sc_pixel_kernels *k) {
    static const float taps[7] = {0.02f, 0.1f, 0.2f, 0.36f, 0.2f, 0.1f, 0.02f};
    for (int y = 0; y < H; y++) k->convolve_row(fin, LW, taps, 7, fout);
}
static void b_unsharp(const sc_pixel_kernels *k) {
    for (int y = 0; y < H; y++) k->unsharp_luma_row(fin, fout, 0.5f, LW, store, 1);
}

static const struct {
    const char *name;
    bench_fn fn;
    int group; // 1: ChromaTransfer, 2: maps (edge + mask), 0: other
} benches[] = {
    {"ct_gather_yuv_row", b_gather, 1},
    {"ct_accumulate_row", b_accumulate, 1},
    {"ct_window_sums (6 rows)", b_wsums_stats, 1},
    {"ct_slopes_row", b_slopes, 1},
    {"axpy (4 per row)", b_axpy4, 1},
    {"ct_window_sums (2 rows)", b_wsums_slopes, 1},
    {"ct_apply_row", b_apply, 1},
    {"ct_store_row (2 per row)", b_store, 1},
    {"sobel_magnitude_row", b_sobel, 2},
    {"scale_to_u8", b_scale, 2},
    {"mask_yuv_row (YUYV)", b_mask, 2},
    {"convolve_row (7 taps)", b_convolve, 0},
    {"unsharp_luma_row", b_unsharp, 0},
};

int main(int argc, char **argv) {
    int reps = 20;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
    srand(7);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < 2 * LW; x++) {
            frame_in[y][x] = (uint8_t)rand();
            frame_out[y][x] = (uint8_t)(frame_in[y][x] + rand() % 5 - 2);
        }
    for (int y = 0; y < H; y++)
        for (int x = 0; x < LW; x++) grey[y][x] = frame_in[y][2 * x];
    for (int x = 0; x < CW; x++) {
        g2[x] = (float)(rand() % 1021) * 0.25f - 128;
        c2[x] = (float)(rand() % 255) - 128;
        c2[x + CW] = (float)(rand() % 255) - 128;
        inv[x] = 1.0f / 5;
        slopes[x] = slopes[x + CW] = 0.01f * (rand() % 100);
    }
    for (int x = 0; x < LW + 16; x++) fin[x] = (float)(rand() % 256);
    const sc_pixel_kernels *tables[3] = {sc_pixels_portable(), sc_pixels_avx2(), sc_pixels_avx512()};
    double total[3][3];
    memset(total, 0, sizeof total);
    printf("%-26s %12s %12s %12s   (ms per 720p frame, 1 thread)\n", "kernel", "portable", "avx2", "avx512");
    for (size_t b = 0; b < sizeof benches / sizeof benches[0]; b++) {
        printf("%-26s", benches[b].name);
        for (int t = 0; t < 3; t++) {
            if (!tables[t]) {
                printf(" %12s", "-");
                continue;
            }
            benches[b].fn(tables[t]); // warm up
            double best = 1e9;
            for (int m = 0; m < 5; m++) {
                double t0 = now();
                for (int r = 0; r < reps; r++) benches[b].fn(tables[t]);
                double e = (now() - t0) / reps * 1e3;
                best = e < best ? e : best;
            }
            total[t][benches[b].group] += best;
            printf(" %12.4f", best);
        }
        printf("\n");
    }
    static const char *groups[] = {"other (blur, unsharp)", "ChromaTransfer total", "maps total"};
    for (int gi = 1; gi < 3; gi++) {
        printf("%-26s", groups[gi]);
        for (int t = 0; t < 3; t++)
            if (tables[t])
                printf(" %12.4f", total[t][gi]);
            else
                printf(" %12s", "-");
        printf("\n");
    }
    return 0;
}
