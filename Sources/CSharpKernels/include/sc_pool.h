// A fixed pool of threads that runs one function on every band of a job and waits for all of
// them: the barrier-separated passes of per-frame work that may not allocate (Dispatch's
// concurrentPerform allocates on every call).
#ifndef SHARPCAM_SC_POOL_H
#define SHARPCAM_SC_POOL_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sc_pool sc_pool;

/// Called once per band: `index` in [0, count).
typedef void (*sc_pool_fn)(void *ctx, int index, int count);

/// A pool of `threads` bands (the caller runs band 0; threads - 1 workers are started). NULL
/// when threads < 1 or a thread cannot be started.
sc_pool *sc_pool_create(int threads);

/// Runs fn(ctx, i, threads) for every band i and returns when all have returned. Jobs from
/// several callers run one after another (fn must not run a job on the same pool).
void sc_pool_run(sc_pool *pool, sc_pool_fn fn, void *ctx);

/// The process's pool of `threads` bands (1...64), created on first use and never destroyed:
/// every engine of the process (network, ChromaTransfer) shares it instead of starting its
/// own threads. NULL when its threads cannot be started.
sc_pool *sc_pool_shared(int threads);

/// Stops and joins the workers (never for a pool from sc_pool_shared).
void sc_pool_destroy(sc_pool *pool);

#ifdef __cplusplus
}
#endif
#endif
