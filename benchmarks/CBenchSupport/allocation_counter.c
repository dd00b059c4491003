// Counts heap allocations by interposing the allocator entry points (the executable's
// definitions win over libc's) and forwarding to glibc's implementations.
#define _GNU_SOURCE
#include "CBenchSupport.h"
#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static uint64_t count;

uint64_t sc_allocation_count(void) { return __atomic_load_n(&count, __ATOMIC_RELAXED); }

static inline void bump(void) { __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED); }

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
