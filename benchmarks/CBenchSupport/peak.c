// Peak multiply-accumulate throughput microbenchmarks (dependency chains short enough that
// the execution ports, not latency, are the limit).
#include "CBenchSupport.h"
#include <pthread.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>

typedef struct { double seconds; double macs; int kind; } job;

__attribute__((target("avx2,fma")))
static void *fp32_loop(void *arg) {
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

__attribute__((target("avx2")))
static void *int8_loop(void *arg) {
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
            for (int i = 0; i < 8; i++) acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(_mm256_maddubs_epi16(a, w[i]), ones));
            a = _mm256_add_epi8(a, _mm256_set1_epi8(1));
        }
        iterations += 4096;
    }
    int sink = 0;
    for (int i = 0; i < 8; i++) sink += _mm256_extract_epi32(acc[i], 0);
    j->macs = (double)iterations * 8 * 32 / (now() - start) + (sink == 12345 ? 1 : 0);
    return NULL;
}

static double run(int threads, double seconds, void *(*fn)(void *)) {
    extern int sc_cpu_use_avx2(void);
    if (!sc_cpu_use_avx2()) return 0;
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    pthread_t t[64];
    job jobs[64];
    for (int i = 0; i < threads; i++) { jobs[i].seconds = seconds; jobs[i].macs = 0; pthread_create(&t[i], NULL, fn, &jobs[i]); }
    double total = 0;
    for (int i = 0; i < threads; i++) { pthread_join(t[i], NULL); total += jobs[i].macs; }
    return total;
}

double sc_peak_fp32_macs(int threads, double seconds) { return run(threads, seconds, fp32_loop); }
double sc_peak_int8_macs(int threads, double seconds) { return run(threads, seconds, int8_loop); }
#else
double sc_peak_fp32_macs(int threads, double seconds) { (void)threads; (void)seconds; return 0; }
double sc_peak_int8_macs(int threads, double seconds) { (void)threads; (void)seconds; return 0; }
#endif
