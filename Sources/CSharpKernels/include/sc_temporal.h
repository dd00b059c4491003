#ifndef SHARPCAM_SC_TEMPORAL_H
#define SHARPCAM_SC_TEMPORAL_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The temporal filter on luma (issue 16): a motion-gated recursive filter. Per pixel, the
   motion m is the mean over a 3x3 neighbourhood of |input_t - the averaged input|, which is
   the noise where the scene is still and grows frame after frame where it moves (so the
   average cannot lag behind, even in smooth areas). Where m is within the noise (below
   `low`), the input and the network's correction (output - input) are averaged over time:
   a running mean over the pixel's first frames, then each new frame weighs 96/256; where m
   exceeds `high` both follow the input at once; in between the weight grows linearly. The
   output is the averaged input plus the averaged correction. `low` is the previous frame's
   median m (its noise floor, sampled on every 16th pixel) kept within 2...4 levels;
   `high` = 2 low + 1.

   Invariants: integer arithmetic only, so the result is a function of the frame sequence alone
   (bit-exact across runs, ISAs and threads); the first frame after create/reset passes through
   unchanged, and a static scene converges to exactly the network's output for it (every update
   moves at least one 1/16 step). */
typedef struct sc_temporal sc_temporal;

typedef enum { SC_TEMPORAL_AUTO, SC_TEMPORAL_REF, SC_TEMPORAL_AVX2, SC_TEMPORAL_AVX512 } sc_temporal_isa;

/* The loops compiled for the best instruction set this CPU has (AVX-512, AVX2, else the
   portable reference); _isa: a given one (falls back to what the CPU has). */
sc_temporal *sc_temporal_create(int width, int height);
sc_temporal *sc_temporal_create_isa(int width, int height, sc_temporal_isa isa);
const char *sc_temporal_isa_name(const sc_temporal *t);
void sc_temporal_destroy(sc_temporal *t);
/* Forget the past: the next frame passes through unchanged. */
void sc_temporal_reset(sc_temporal *t);

/* in: the luma the network read; out: the network's luma output, replaced by the filtered one
   (in [lo, hi]). step: bytes between samples (1 planar, 2 YUYV); stride: bytes between rows. */
void sc_temporal_luma(sc_temporal *t, const uint8_t *in, ptrdiff_t in_step, ptrdiff_t in_stride, uint8_t *out,
                      ptrdiff_t out_step, ptrdiff_t out_stride, int lo, int hi);

/* The last frame's noise floor (median m, x9) and the share of pixels averaged (weight < 1). */
int sc_temporal_noise_floor9(const sc_temporal *t);
double sc_temporal_static_share(const sc_temporal *t);

#ifdef __cplusplus
}
#endif
#endif
