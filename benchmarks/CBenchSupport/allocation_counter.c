// Counts heap allocations by interposing the allocator entry points (the executable's
// definitions win over libc's) and forwarding to glibc's implementations.
#define _GNU_SOURCE
#include "CBenchSupport.h"
#include <errno.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static uint64_t count;
static __thread uint64_t thread_count;
static __thread int thread_registered;

// Every thread that allocates registers its counter once (thread id + address), so that the
// benchmark can add up the allocations of the threads it names (the frame path's stages).
// A thread that has exited may leave its entry: readers check /proc/self/task/TID first.
#define SC_MAX_THREADS 512
static struct {
    int tid;
    uint64_t *counter;
} registry[SC_MAX_THREADS];
static int registered;

uint64_t sc_allocation_count(void) { return __atomic_load_n(&count, __ATOMIC_RELAXED); }
uint64_t sc_thread_allocation_count(void) { return thread_count; }

int sc_allocation_threads(void) {
    int n = __atomic_load_n(&registered, __ATOMIC_ACQUIRE);
    return n < SC_MAX_THREADS ? n : SC_MAX_THREADS;
}

int sc_allocation_thread_id(int index) { return __atomic_load_n(&registry[index].tid, __ATOMIC_ACQUIRE); }

uint64_t sc_allocation_thread_count(int index) {
    uint64_t *c = __atomic_load_n(&registry[index].counter, __ATOMIC_ACQUIRE);
    return c ? __atomic_load_n(c, __ATOMIC_RELAXED) : 0;
}

static inline void bump(void) {
    __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&thread_count, thread_count + 1, __ATOMIC_RELAXED);
    if (!thread_registered) {
        thread_registered = 1;
        int i = __atomic_fetch_add(&registered, 1, __ATOMIC_ACQ_REL);
        if (i < SC_MAX_THREADS) {
            __atomic_store_n(&registry[i].counter, &thread_count, __ATOMIC_RELEASE);
            __atomic_store_n(&registry[i].tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
        }
    }
}

void *malloc(size_t n) {
    bump();
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
    bump();
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
    bump();
    return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
void *memalign(size_t a, size_t n) {
    bump();
    return __libc_memalign(a, n);
}
void *aligned_alloc(size_t a, size_t n) {
    bump();
    return __libc_memalign(a, n);
}
int posix_memalign(void **out, size_t a, size_t n) {
    bump();
    void *p = __libc_memalign(a, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
