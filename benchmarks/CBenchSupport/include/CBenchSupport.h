// Benchmark-only support: a malloc interposer that counts allocations (linked into
// sharpcam-bench only) and peak-throughput microbenchmarks.
#ifndef SHARPCAM_CBENCHSUPPORT_H
#define SHARPCAM_CBENCHSUPPORT_H
#include <stdint.h>
#include "sc_student.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Number of malloc/calloc/realloc/posix_memalign/aligned_alloc calls in this process so far.
uint64_t sc_allocation_count(void);
/* Allocations made so far by the calling thread. */
uint64_t sc_thread_allocation_count(void);
/* Threads that have allocated (entries 0..n-1), entry i's thread id and its count so far
   (read a count only for a thread that is still running: its counter lives in its TLS). */
int sc_allocation_threads(void);
int sc_allocation_thread_id(int index);
uint64_t sc_allocation_thread_count(int index);

/// Multiply-accumulates per second sustained by `threads` threads for about `seconds`:
/// fp32 FMA (vfmadd231ps, 8 lanes) and exact int8 (vpmaddubsw + vpmaddwd + vpaddd, 32 u8·s8
/// products per step). 0 when the CPU lacks AVX2/FMA.
double sc_peak_fp32_macs(int threads, double seconds);
double sc_peak_int8_macs(int threads, double seconds);

/// The int8 peak of a student kernel set's instruction mix, for its ideal time per frame:
/// SC_ISA_AVX2 two vpmaddubsw + vpaddw + vpmaddwd + vpaddd per 64 products (the kernel's pair
/// sums; more than sc_peak_int8_macs' mix); SC_ISA_AVXVNNI VEX vpdpbusd on ymm (32 products per
/// instruction); SC_ISA_AVX512VNNI vpdpbusd on zmm (64); SC_ISA_AUTO the best set this CPU
/// has. 0 for SC_ISA_PORTABLE and for a set the CPU (or build) lacks.
double sc_peak_int8_isa_macs(sc_isa isa, int threads, double seconds);

/// EVEX (AVX512VL) vpdpbusd on ymm, for comparing 256- and 512-bit AVX-512 kernels; 0 without
/// AVX-512 VNNI.
double sc_peak_vpdpbusd_evex_ymm_macs(int threads, double seconds);

#ifdef __cplusplus
}
#endif
#endif
