// CSharpKernels: the only place with architecture-specific instructions. Every AVX2/FMA/F16C
// function is compiled with a per-function target attribute and is only reached through a
// dispatcher that checked the CPU at run time; portable builds (aarch64) compile the
// fallbacks alone.
#ifndef SHARPCAM_CSHARPKERNELS_H
#define SHARPCAM_CSHARPKERNELS_H

#include <stdint.h>
#include <stddef.h>
#include "sc_pixels.h"
#include "sc_student.h"
#include "sc_pool.h"

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
} sc_cpu_features;

/// Features of the CPU this process runs on (cached after the first call).
sc_cpu_features sc_cpu_detect(void);

/// 1 when the AVX2+FMA+F16C kernel set may be used (x86-64 only), 0 otherwise.
/// Setting SHARPCAM_NO_AVX2=1 in the environment forces the portable path.
int sc_cpu_use_avx2(void);

#ifdef __cplusplus
}
#endif
#endif
