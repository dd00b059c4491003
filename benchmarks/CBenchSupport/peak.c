// Peak multiply-accumulate throughput microbenchmarks (dependency chains short enough that
// the execution ports, not latency, are the limit).
#include "CBenchSupport.h"
#include "CSharpKernels.h"
#include <pthread.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>

typedef struct {
    double seconds;
    double macs;
    int kind;
} job;

__attribute__((target("avx2,fma"))) static void *fp32_loop(void *arg) {
    job *j = arg;
    __m256 a[10];
    for (int i = 0; i < 10; i++) a[i] = _mm256_set1_ps((float)i * 1e-3f);
    const __m256 x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-6f);
    uint64_t iterations = 0;
    const double end = now() + j->seconds, start = now();
    while (now() < end) {
        for (int r = 0; r < 4096; r++) {
            for (int i = 0; i < 10; i++) a[i] = _mm256_fmadd_ps(a[i], x, y);
        }
        iterations += 4096;
    }
    float sink = 0;
    for (int i = 0; i < 10; i++) sink += _mm256_cvtss_f32(a[i]);
    j->macs = (double)iterations * 10 * 8 / (now() - start) + (sink == 12345.f ? 1 : 0);
    return NULL;
}

__attribute__((target("avx2"))) static void *int8_loop(void *arg) {
    job *j = arg;
    __m256i acc[8];
    for (int i = 0; i < 8; i++) acc[i] = _mm256_setzero_si256();
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i a = _mm256_set1_epi8(3), w[8];
    for (int i = 0; i < 8; i++) w[i] = _mm256_set1_epi8((char)(i - 4));
    uint64_t iterations = 0;
    const double end = now() + j->seconds, start = now();
    while (now() < end) {
        for (int r = 0; r < 4096; r++) {
            for (int i = 0; i < 8; i++)
                acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(_mm256_maddubs_epi16(a, w[i]), ones));
            a = _mm256_add_epi8(a, _mm256_set1_epi8(1));
        }
        iterations += 4096;
    }
    int sink = 0;
    for (int i = 0; i < 8; i++) sink += _mm256_extract_epi32(acc[i], 0);
    j->macs = (double)iterations * 8 * 32 / (now() - start) + (sink == 12345 ? 1 : 0);
    return NULL;
}

/// The AVX2 student kernel's mix: two vpmaddubsw, their int16 sum, one vpmaddwd and one vpaddd
/// per 64 u8·s8 products.
__attribute__((target("avx2"))) static void *int8_pair_loop(void *arg) {
    job *j = arg;
    __m256i acc[8];
    for (int i = 0; i < 8; i++) acc[i] = _mm256_setzero_si256();
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(5), w[8];
    for (int i = 0; i < 8; i++) w[i] = _mm256_set1_epi8((char)(i - 4));
    uint64_t iterations = 0;
    const double end = now() + j->seconds, start = now();
    while (now() < end) {
        for (int r = 0; r < 4096; r++) {
            for (int i = 0; i < 8; i++) {
                const __m256i pairs =
                    _mm256_add_epi16(_mm256_maddubs_epi16(a, w[i]), _mm256_maddubs_epi16(b, w[7 - i]));
                acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(pairs, ones));
            }
            a = _mm256_add_epi8(a, _mm256_set1_epi8(1));
            b = _mm256_add_epi8(b, _mm256_set1_epi8(1));
        }
        iterations += 4096;
    }
    int sink = 0;
    for (int i = 0; i < 8; i++) sink += _mm256_extract_epi32(acc[i], 0);
    j->macs = (double)iterations * 8 * 64 / (now() - start) + (sink == 12345 ? 1 : 0);
    return NULL;
}

/// vpdpbusd: 12 independent accumulators (more than latency × issue rate on current cores),
/// 4 u8·s8 products per int32 lane.
#define SC_VNNI_LOOP(NAME, TARGET, VEC, SET1_8, SET1_32, ADD8, DPBUSD, LANES, SINK)                                    \
    __attribute__((target(TARGET))) static void *NAME(void *arg) {                                                     \
        job *j = arg;                                                                                                  \
        VEC acc[12];                                                                                                   \
        for (int i = 0; i < 12; i++) acc[i] = SET1_32(i);                                                              \
        VEC a = SET1_8(3), w = SET1_8(-2);                                                                             \
        uint64_t iterations = 0;                                                                                       \
        const double end = now() + j->seconds, start = now();                                                          \
        while (now() < end) {                                                                                          \
            for (int r = 0; r < 4096; r++) {                                                                           \
                for (int i = 0; i < 12; i++) acc[i] = DPBUSD(acc[i], a, w);                                            \
                a = ADD8(a, SET1_8(1));                                                                                \
            }                                                                                                          \
            iterations += 4096;                                                                                        \
        }                                                                                                              \
        int sink = 0;                                                                                                  \
        for (int i = 0; i < 12; i++) sink += SINK(acc[i]);                                                             \
        j->macs = (double)iterations * 12 * (LANES)*4 / (now() - start) + (sink == 12345 ? 1 : 0);                     \
        return NULL;                                                                                                   \
    }

#define SC_SINK256(v) _mm256_extract_epi32(v, 0)
#define SC_SINK512(v) _mm_cvtsi128_si32(_mm512_castsi512_si128(v))
#if defined(__clang__) && __clang_major__ >= 14
SC_VNNI_LOOP(vnni_vex_ymm_loop, "avx2,avxvnni", __m256i, _mm256_set1_epi8, _mm256_set1_epi32, _mm256_add_epi8,
             _mm256_dpbusd_avx_epi32, 8, SC_SINK256)
SC_VNNI_LOOP(vnni_evex_ymm_loop, "avx2,avx512f,avx512bw,avx512vl,avx512vnni", __m256i, _mm256_set1_epi8,
             _mm256_set1_epi32, _mm256_add_epi8, _mm256_dpbusd_epi32, 8, SC_SINK256)
SC_VNNI_LOOP(vnni_zmm_loop, "avx2,avx512f,avx512bw,avx512vl,avx512vnni", __m512i, _mm512_set1_epi8, _mm512_set1_epi32,
             _mm512_add_epi8, _mm512_dpbusd_epi32, 16, SC_SINK512)
#define SC_HAVE_VNNI_PEAK 1
#endif

static double run(int threads, double seconds, void *(*fn)(void *)) {
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    pthread_t t[64];
    job jobs[64];
    for (int i = 0; i < threads; i++) {
        jobs[i].seconds = seconds;
        jobs[i].macs = 0;
        pthread_create(&t[i], NULL, fn, &jobs[i]);
    }
    double total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        total += jobs[i].macs;
    }
    return total;
}

double sc_peak_fp32_macs(int threads, double seconds) {
    return sc_cpu_use_avx2() ? run(threads, seconds, fp32_loop) : 0;
}

double sc_peak_int8_macs(int threads, double seconds) {
    return sc_cpu_use_avx2() ? run(threads, seconds, int8_loop) : 0;
}

double sc_peak_int8_isa_macs(sc_isa isa, int threads, double seconds) {
    if (isa == SC_ISA_AUTO) isa = sc_cpu_best_isa();
    if (isa == SC_ISA_PORTABLE || !sc_cpu_supports_isa(isa)) return 0;
    if (isa == SC_ISA_AVX2) return run(threads, seconds, int8_pair_loop);
#ifdef SC_HAVE_VNNI_PEAK
    if (isa == SC_ISA_AVXVNNI) return run(threads, seconds, vnni_vex_ymm_loop);
    if (isa == SC_ISA_AVX512VNNI) return run(threads, seconds, vnni_zmm_loop);
#endif
    return 0;
}

double sc_peak_vpdpbusd_evex_ymm_macs(int threads, double seconds) {
#ifdef SC_HAVE_VNNI_PEAK
    if (sc_cpu_supports_isa(SC_ISA_AVX512VNNI)) return run(threads, seconds, vnni_evex_ymm_loop);
#endif
    (void)threads;
    (void)seconds;
    return 0;
}
#else
double sc_peak_fp32_macs(int threads, double seconds) {
    (void)threads;
    (void)seconds;
    return 0;
}
double sc_peak_int8_macs(int threads, double seconds) {
    (void)threads;
    (void)seconds;
    return 0;
}
double sc_peak_int8_isa_macs(sc_isa isa, int threads, double seconds) {
    (void)isa;
    (void)threads;
    (void)seconds;
    return 0;
}
double sc_peak_vpdpbusd_evex_ymm_macs(int threads, double seconds) {
    (void)threads;
    (void)seconds;
    return 0;
}
#endif
