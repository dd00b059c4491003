// CSharpKernels: the only place with architecture-specific instructions. Every AVX2/FMA/F16C,
// AVX-VNNI or AVX-512 function is compiled with a per-function target attribute and is only
// reached through a dispatcher that checked the CPU at run time; portable builds (aarch64)
// compile the fallbacks alone.
#ifndef SHARPCAM_CSHARPKERNELS_H
#define SHARPCAM_CSHARPKERNELS_H

#include <stdint.h>
#include <stddef.h>
#include "sc_pixels.h"
#include "sc_student.h"
#include "sc_pool.h"
#include "sc_temporal.h"

#ifdef __cplusplus
extern "C" {
#endif

/// CPU features relevant to SharpCam's kernels, read once with cpuid.
typedef struct {
    int avx2;
    int fma;
    int f16c;
    int avx512f;
    int avx_vnni;
    int avx512vnni;
    int avx512bw;
    int avx512vl;
} sc_cpu_features;

/// Features of the CPU this process runs on (from the compiler runtime's cpuid data, read once
/// per process; cheap to call).
sc_cpu_features sc_cpu_detect(void);

/// 1 when the AVX2+FMA+F16C pixel kernels may be used (x86-64 only), 0 otherwise. Setting
/// SHARPCAM_NO_AVX2=1 or SHARPCAM_ISA=portable in the environment forces the portable path
/// (read once, at the first call).
int sc_cpu_use_avx2(void);

/// 1 when this CPU (and this build) can run the student kernel set `isa` (SC_ISA_PORTABLE:
/// always; SC_ISA_AUTO: 0). Ignores the environment.
int sc_cpu_supports_isa(sc_isa isa);

/// The fastest student kernel set this CPU supports, ignoring the environment: AVX-512 VNNI,
/// then AVX-VNNI, AVX2, portable (see sc_isa_resolve for the choice with the environment).
sc_isa sc_cpu_best_isa(void);

#ifdef __cplusplus
}
#endif
#endif
