#include "CSharpKernels.h"
#include <math.h>

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
#endif

const sc_pixel_kernels *sc_pixels_portable(void) { return &table_portable; }

const sc_pixel_kernels *sc_pixels_avx2(void) {
#ifdef SC_HAVE_AVX2_TABLE
    return sc_cpu_use_avx2() ? &table_avx2 : 0;
#else
    return 0;
#endif
}

static const sc_pixel_kernels *selected = 0;

const sc_pixel_kernels *sc_pixels(void) {
    const sc_pixel_kernels *t = __atomic_load_n(&selected, __ATOMIC_ACQUIRE);
    if (t) return t;
    t = sc_pixels_avx2();
    if (!t) t = &table_portable;
    __atomic_store_n(&selected, t, __ATOMIC_RELEASE);
    return t;
}

void sc_pixels_force(int portable) {
    const sc_pixel_kernels *t = portable ? 0 : sc_pixels_avx2();
    __atomic_store_n(&selected, t ? t : &table_portable, __ATOMIC_RELEASE);
}
