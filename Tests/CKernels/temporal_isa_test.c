// The temporal filter's loops for AVX2 and AVX-512 against the portable reference
// (sc_temporal_create_isa): on random sequences (still noisy scenes, moving scenes, a step
// change, a change of correction), planar and YUYV layouts, odd sizes, the filtered frames and
// the bytes between luma samples (YUYV chroma) must be bit-identical. Sets this CPU lacks are
// reported and skipped.
//
//   clang -O2 -fno-math-errno -I Sources/CSharpKernels/include Sources/CSharpKernels/*.c \
//       Tests/CKernels/temporal_isa_test.c -lm -lpthread -o /tmp/t && /tmp/t
// Ends with "N passed, M failed"; exits 1 on any failure.
#include "CSharpKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long state = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)state;
}

// Frame t of a sequence: a textured picture shifted by `shift` per frame, plus noise.
static void make(uint8_t *in, uint8_t *out, int w, int h, int step, int t, int shift, int noise, int corr) {
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int sx = x + t * shift;
            int base = 60 + ((sx * 7 + y * 3) % 97) + ((sx / 9 + y / 5) % 2) * 40;
            int v = base + (noise ? (int)(rnd() % (2 * noise + 1)) - noise : 0);
            v = v < 0 ? 0 : v > 255 ? 255 : v;
            int c = ((sx + y) % 5) - 2 + corr;
            int o = v + c;
            o = o < 0 ? 0 : o > 255 ? 255 : o;
            in[(size_t)y * w * step + (size_t)x * step] = (uint8_t)v;
            out[(size_t)y * w * step + (size_t)x * step] = (uint8_t)o;
            if (step == 2) { // chroma bytes, which must stay as they are
                in[(size_t)y * w * 2 + (size_t)x * 2 + 1] = (uint8_t)(x * 5 + y);
                out[(size_t)y * w * 2 + (size_t)x * 2 + 1] = (uint8_t)(x * 3 + y);
            }
        }
}

int main(void) {
    int passed = 0, failed = 0;
    const sc_temporal_isa sets[] = {SC_TEMPORAL_AVX2, SC_TEMPORAL_AVX512};
    const int sizes[][2] = {{1, 1}, {3, 2}, {37, 11}, {333, 77}, {1280, 8}};
    for (int si = 0; si < 5; si++)
        for (int step = 1; step <= 2; step++)
            for (int k = 0; k < 2; k++) {
                int w = sizes[si][0], h = sizes[si][1];
                sc_temporal *ref = sc_temporal_create_isa(w, h, SC_TEMPORAL_REF);
                sc_temporal *opt = sc_temporal_create_isa(w, h, sets[k]);
                const char *name = sc_temporal_isa_name(opt);
                if (strcmp(name, "portable") == 0) {
                    printf("skipped: %s not on this CPU\n", k ? "avx512" : "avx2");
                    sc_temporal_destroy(ref);
                    sc_temporal_destroy(opt);
                    continue;
                }
                size_t n = (size_t)w * h * step;
                uint8_t *in = malloc(n), *a = malloc(n), *b = malloc(n);
                int bad = 0;
                for (int t = 0; t < 40 && !bad; t++) {
                    int shift = t < 10 ? 0 : t < 20 ? 1 : 0, noise = t < 30 ? 3 : 0, corr = t >= 25 ? 3 : 0;
                    unsigned long long keep = state;
                    make(in, a, w, h, step, t, shift, noise, corr);
                    state = keep;
                    make(in, b, w, h, step, t, shift, noise, corr);
                    if (t == 20) { // a step change of the whole picture
                        for (size_t i = 0; i < n; i += (size_t)step) in[i] = (uint8_t)(255 - in[i]);
                    }
                    sc_temporal_luma(ref, in, step, (ptrdiff_t)w * step, a, step, (ptrdiff_t)w * step, 0, 255);
                    sc_temporal_luma(opt, in, step, (ptrdiff_t)w * step, b, step, (ptrdiff_t)w * step, 0, 255);
                    if (memcmp(a, b, n) != 0) bad = t + 1;
                }
                if (bad) {
                    printf("FAIL %s %dx%d step %d: frame %d differs\n", name, w, h, step, bad - 1);
                    failed++;
                } else {
                    passed++;
                }
                free(in);
                free(a);
                free(b);
                sc_temporal_destroy(ref);
                sc_temporal_destroy(opt);
            }
    printf("temporal: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
