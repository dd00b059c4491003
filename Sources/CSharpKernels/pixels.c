#include "CSharpKernels.h"
#include <math.h>
#include <stdlib.h>

#define SC_CHUNK 256

#define SC_SUFFIX(name) name##_portable
#define SC_NAME "portable"
#include "pixels_impl.h"
#undef SC_SUFFIX
#undef SC_NAME

#if defined(__x86_64__) && defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#define SC_SUFFIX(name) name##_avx2
#define SC_NAME "avx2"
#include "pixels_impl.h"
#undef SC_SUFFIX
#undef SC_NAME
#pragma clang attribute pop
#define SC_HAVE_AVX2_TABLE 1

// The same loops for AVX-512 (F, BW, VL): the vectoriser's 512-bit code, plus the hand-written
// kernels of pixels_avx512.h (SC_AVX512_KERNELS) where the loops alone leave time on the table.
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c"))), apply_to = function)
#define SC_SUFFIX(name) name##_avx512
#define SC_NAME "avx512"
#define SC_AVX512_KERNELS 1
#include "pixels_impl.h"
#undef SC_AVX512_KERNELS
#undef SC_SUFFIX
#undef SC_NAME
#pragma clang attribute pop
#define SC_HAVE_AVX512_TABLE 1
#endif

const sc_pixel_kernels *sc_pixels_portable(void) { return &table_portable; }

const sc_pixel_kernels *sc_pixels_avx2(void) {
#ifdef SC_HAVE_AVX2_TABLE
    return sc_cpu_use_avx2() ? &table_avx2 : 0;
#else
    return 0;
#endif
}

#ifdef SC_HAVE_AVX512_TABLE
/// 1 when the AVX-512 pixel table may be used: the AVX2 one may (so neither SHARPCAM_NO_AVX2 nor
/// SHARPCAM_ISA=portable is set), the CPU has AVX-512 F, BW and VL, and SHARPCAM_ISA does not ask
/// for a lower set (avx2, avxvnni). Read once.
static int use_avx512(void) {
    static int cached = -1; /* read and written atomically: a benign, idempotent race */
    int value = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (value >= 0) return value;
    sc_cpu_features f = sc_cpu_detect();
    value = sc_cpu_use_avx2() && f.avx512f && f.avx512bw && f.avx512vl;
    sc_isa isa;
    const char *env = getenv("SHARPCAM_ISA");
    if (value && env && sc_isa_parse(env, &isa) && (isa == SC_ISA_AVX2 || isa == SC_ISA_AVXVNNI)) value = 0;
    __atomic_store_n(&cached, value, __ATOMIC_RELAXED);
    return value;
}
#endif

const sc_pixel_kernels *sc_pixels_avx512(void) {
#ifdef SC_HAVE_AVX512_TABLE
    return use_avx512() ? &table_avx512 : 0;
#else
    return 0;
#endif
}

static const sc_pixel_kernels *best_table(void) {
    const sc_pixel_kernels *t = sc_pixels_avx512();
    if (!t) t = sc_pixels_avx2();
    return t ? t : &table_portable;
}

static const sc_pixel_kernels *selected = 0;

const sc_pixel_kernels *sc_pixels(void) {
    const sc_pixel_kernels *t = __atomic_load_n(&selected, __ATOMIC_ACQUIRE);
    if (t) return t;
    t = best_table();
    __atomic_store_n(&selected, t, __ATOMIC_RELEASE);
    return t;
}

void sc_pixels_force(int portable) {
    __atomic_store_n(&selected, portable ? &table_portable : best_table(), __ATOMIC_RELEASE);
}

void sc_pixels_use(const sc_pixel_kernels *table) {
    __atomic_store_n(&selected, table ? table : best_table(), __ATOMIC_RELEASE);
}
