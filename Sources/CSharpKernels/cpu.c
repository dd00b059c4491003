#include "CSharpKernels.h"
#include <stdlib.h>
#include <string.h>

sc_cpu_features sc_cpu_detect(void) {
    sc_cpu_features f;
    memset(&f, 0, sizeof f);
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    f.fma = __builtin_cpu_supports("fma") ? 1 : 0;
    f.avx512f = __builtin_cpu_supports("avx512f") ? 1 : 0;
#if defined(__clang__) && __clang_major__ >= 14
    f.f16c = __builtin_cpu_supports("f16c") ? 1 : 0;
    f.avx_vnni = __builtin_cpu_supports("avxvnni") ? 1 : 0;
#else
    f.f16c = f.avx2; /* every AVX2 CPU shipped has F16C */
#endif
#endif
    return f;
}

int sc_cpu_use_avx2(void) {
    static int cached = -1; /* read and written atomically: a benign, idempotent race */
    int value = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (value >= 0) return value;
    const char *env = getenv("SHARPCAM_NO_AVX2");
    if (env && env[0] && strcmp(env, "0") != 0) {
        value = 0;
    } else {
        sc_cpu_features f = sc_cpu_detect();
        value = (f.avx2 && f.fma && f.f16c) ? 1 : 0;
    }
    __atomic_store_n(&cached, value, __ATOMIC_RELAXED);
    return value;
}
