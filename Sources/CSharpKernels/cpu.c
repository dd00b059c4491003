// CPU features and the choice of kernel sets (pixel kernels: sc_cpu_use_avx2; student engine:
// sc_isa_resolve).
#include "CSharpKernels.h"
#include "student_kernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// Test hook, not in any header: kernel sets (bit 1 << isa) to treat as missing from this CPU,
/// so tests can check the failure of a forced set on a CPU that has them all.
unsigned sc_cpu_hidden_isas = 0;

sc_cpu_features sc_cpu_detect(void) {
    sc_cpu_features f;
    memset(&f, 0, sizeof f);
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    f.fma = __builtin_cpu_supports("fma") ? 1 : 0;
    f.avx512f = __builtin_cpu_supports("avx512f") ? 1 : 0;
    f.avx512bw = __builtin_cpu_supports("avx512bw") ? 1 : 0;
    f.avx512vl = __builtin_cpu_supports("avx512vl") ? 1 : 0;
    f.avx512vnni = __builtin_cpu_supports("avx512vnni") ? 1 : 0;
#if defined(__clang__) && __clang_major__ >= 14
    f.f16c = __builtin_cpu_supports("f16c") ? 1 : 0;
    f.avx_vnni = __builtin_cpu_supports("avxvnni") ? 1 : 0;
#else
    f.f16c = f.avx2; /* every AVX2 CPU shipped has F16C */
#endif
#endif
    return f;
}

static int env_set(const char *name) {
    const char *env = getenv(name);
    return env && env[0] && strcmp(env, "0") != 0;
}

static int env_isa_is_portable(void) {
    sc_isa isa;
    const char *env = getenv("SHARPCAM_ISA");
    return env && sc_isa_parse(env, &isa) && isa == SC_ISA_PORTABLE;
}

int sc_cpu_use_avx2(void) {
    static int cached = -1; /* read and written atomically: a benign, idempotent race */
    int value = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (value >= 0) return value;
    if (env_set("SHARPCAM_NO_AVX2") || env_isa_is_portable()) {
        value = 0;
    } else {
        sc_cpu_features f = sc_cpu_detect();
        value = (f.avx2 && f.fma && f.f16c) ? 1 : 0;
    }
    __atomic_store_n(&cached, value, __ATOMIC_RELAXED);
    return value;
}

/// Whether this build compiled the kernels of `isa` (x86-64 clang; VNNI: clang 14+).
static int sc_cpu_build_has_isa(sc_isa isa) {
    switch (isa) {
    case SC_ISA_PORTABLE:
        return 1;
#ifdef SC_HAVE_STUDENT_AVX2
    case SC_ISA_AVX2:
        return 1;
#endif
#ifdef SC_HAVE_STUDENT_VNNI
    case SC_ISA_AVXVNNI:
        return 1;
    case SC_ISA_AVX512VNNI:
        return 1;
#endif
    default:
        return 0;
    }
}

int sc_cpu_supports_isa(sc_isa isa) {
    if (isa < SC_ISA_PORTABLE || isa > SC_ISA_AVX512VNNI || !sc_cpu_build_has_isa(isa)) return 0;
    if (sc_cpu_hidden_isas & (1u << isa)) return 0;
    const sc_cpu_features f = sc_cpu_detect();
    const int avx2 = f.avx2 && f.fma && f.f16c;
    switch (isa) {
    case SC_ISA_AVX2:
        return avx2;
    case SC_ISA_AVXVNNI:
        return avx2 && f.avx_vnni;
    case SC_ISA_AVX512VNNI:
        return avx2 && f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni;
    default:
        return 1; // portable
    }
}

sc_isa sc_cpu_best_isa(void) {
    // Measured on Zen 5 (shipped student, 720p int8, 1 thread): avx512vnni 4.0 ms, avxvnni
    // 7.8 ms, avx2 (wide layers 0, 1) 16.2 ms, portable ~570 ms.
    static const sc_isa order[] = {SC_ISA_AVX512VNNI, SC_ISA_AVXVNNI, SC_ISA_AVX2};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (sc_cpu_supports_isa(order[i])) return order[i];
    return SC_ISA_PORTABLE;
}

static const char *const isa_names[] = {"portable", "avx2", "avxvnni", "avx512vnni"};

const char *sc_isa_name(sc_isa isa) {
    if (isa == SC_ISA_AUTO) return "auto";
    if (isa >= SC_ISA_PORTABLE && isa <= SC_ISA_AVX512VNNI) return isa_names[isa];
    return "unknown";
}

static int same_name(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        const char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b) return 0;
    }
    return *a == 0 && *b == 0;
}

int sc_isa_parse(const char *name, sc_isa *isa) {
    if (!name) return 0;
    if (same_name(name, "auto")) {
        *isa = SC_ISA_AUTO;
        return 1;
    }
    for (int i = 0; i <= SC_ISA_AVX512VNNI; i++)
        if (same_name(name, isa_names[i])) {
            *isa = (sc_isa)i;
            return 1;
        }
    return 0;
}

int sc_isa_resolve(int requested, sc_isa *isa, char *err, size_t err_size) {
    sc_isa want = (sc_isa)requested;
    if (requested == SC_ISA_AUTO) {
        const char *env = getenv("SHARPCAM_ISA");
        if (env && env[0]) {
            if (!sc_isa_parse(env, &want)) {
                if (err && err_size)
                    snprintf(err, err_size, "SHARPCAM_ISA=%s is not one of auto, portable, avx2, avxvnni, avx512vnni",
                             env);
                return 0;
            }
        }
        if (want == SC_ISA_AUTO) {
            *isa = env_set("SHARPCAM_NO_AVX2") ? SC_ISA_PORTABLE : sc_cpu_best_isa();
            return 1;
        }
    } else if (requested < SC_ISA_PORTABLE || requested > SC_ISA_AVX512VNNI) {
        if (err && err_size) snprintf(err, err_size, "unknown kernel set (isa %d)", requested);
        return 0;
    }
    if (!sc_cpu_supports_isa(want)) {
        static const char *const needs[] = {"", "AVX2, FMA and F16C", "AVX2, FMA, F16C and AVX-VNNI",
                                            "AVX-512 F, BW, VL and VNNI, and AVX2, FMA and F16C"};
        if (err && err_size)
            snprintf(err, err_size, "%s%s: this CPU lacks the %s kernel set (it needs %s%s)",
                     requested == SC_ISA_AUTO ? "SHARPCAM_ISA=" : "isa ", sc_isa_name(want), sc_isa_name(want),
                     needs[want], sc_cpu_build_has_isa(want) ? "" : "; this build has no such kernels");
        return 0;
    }
    *isa = want;
    return 1;
}
