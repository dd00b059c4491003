// Benchmark-only support: a malloc interposer that counts allocations (linked into
// sharpcam-bench only) and peak-throughput microbenchmarks.
#ifndef SHARPCAM_CBENCHSUPPORT_H
#define SHARPCAM_CBENCHSUPPORT_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Number of malloc/calloc/realloc/posix_memalign/aligned_alloc calls in this process so far.
uint64_t sc_allocation_count(void);

/// Multiply-accumulates per second sustained by `threads` threads for about `seconds`:
/// fp32 FMA (vfmadd231ps, 8 lanes) and exact int8 (vpmaddubsw + vpmaddwd + vpaddd, 32 u8·s8
/// products per step). 0 when the CPU lacks AVX2/FMA.
double sc_peak_fp32_macs(int threads, double seconds);
double sc_peak_int8_macs(int threads, double seconds);

#ifdef __cplusplus
}
#endif
#endif
