#define _GNU_SOURCE
#include "sc_pool.h"
#include <pthread.h>
#include <stdlib.h>

typedef struct {
    sc_pool *pool;
    int index;
} sc_pool_worker;

struct sc_pool {
    int threads;
    pthread_t *workers;
    sc_pool_worker *slots;
    pthread_mutex_t job; // held by the caller of sc_pool_run for the whole job (one job at a time)
    pthread_mutex_t lock; // guards the fields below
    pthread_cond_t start, done;
    unsigned long generation; // incremented per job; workers run each generation once
    int pending; // workers still running the current job
    int stop;
    sc_pool_fn fn;
    void *ctx;
};

static void *pool_main(void *arg) {
    sc_pool_worker *slot = arg;
    sc_pool *p = slot->pool;
    unsigned long seen = 0;
#ifdef __linux__
    pthread_setname_np(pthread_self(), "sc-pool"); // for top -H and per-thread counts
#endif
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (!p->stop && p->generation == seen) pthread_cond_wait(&p->start, &p->lock);
        if (p->stop) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        seen = p->generation;
        sc_pool_fn fn = p->fn;
        void *ctx = p->ctx;
        pthread_mutex_unlock(&p->lock);
        fn(ctx, slot->index, p->threads);
        pthread_mutex_lock(&p->lock);
        if (--p->pending == 0) pthread_cond_signal(&p->done);
        pthread_mutex_unlock(&p->lock);
    }
}

sc_pool *sc_pool_create(int threads) {
    if (threads < 1) return NULL;
    sc_pool *p = calloc(1, sizeof(sc_pool));
    if (!p) return NULL;
    p->threads = threads;
    pthread_mutex_init(&p->job, NULL);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->start, NULL);
    pthread_cond_init(&p->done, NULL);
    p->workers = calloc((size_t)threads, sizeof(pthread_t));
    p->slots = calloc((size_t)threads, sizeof(sc_pool_worker));
    if (!p->workers || !p->slots) {
        free(p->workers);
        free(p->slots);
        free(p);
        return NULL;
    }
    for (int t = 1; t < threads; t++) {
        p->slots[t].pool = p;
        p->slots[t].index = t;
        if (pthread_create(&p->workers[t], NULL, pool_main, &p->slots[t]) != 0) {
            p->threads = t; // join the ones started
            sc_pool_destroy(p);
            return NULL;
        }
    }
    return p;
}

void sc_pool_run(sc_pool *p, sc_pool_fn fn, void *ctx) {
    pthread_mutex_lock(&p->job);
    if (p->threads > 1) {
        pthread_mutex_lock(&p->lock);
        p->fn = fn;
        p->ctx = ctx;
        p->pending = p->threads - 1;
        p->generation++;
        pthread_cond_broadcast(&p->start);
        pthread_mutex_unlock(&p->lock);
    }
    fn(ctx, 0, p->threads);
    if (p->threads > 1) {
        pthread_mutex_lock(&p->lock);
        while (p->pending > 0) pthread_cond_wait(&p->done, &p->lock);
        pthread_mutex_unlock(&p->lock);
    }
    pthread_mutex_unlock(&p->job);
}

#define SC_POOL_SHARED_MAX 64

static sc_pool *shared_pools[SC_POOL_SHARED_MAX + 1];
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

sc_pool *sc_pool_shared(int threads) {
    if (threads < 1 || threads > SC_POOL_SHARED_MAX) return NULL;
    pthread_mutex_lock(&shared_lock);
    if (!shared_pools[threads]) shared_pools[threads] = sc_pool_create(threads);
    sc_pool *p = shared_pools[threads];
    pthread_mutex_unlock(&shared_lock);
    return p;
}

void sc_pool_destroy(sc_pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->lock);
    for (int t = 1; t < p->threads; t++) pthread_join(p->workers[t], NULL);
    pthread_cond_destroy(&p->start);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->job);
    free(p->workers);
    free(p->slots);
    free(p);
}
