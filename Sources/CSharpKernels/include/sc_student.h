// The fused real-time student engine: a one-level student (space-to-depth ×2 or ×4, L 3×3 convs
// with ReLU, depth-to-space, + luma) run row by row through line buffers, in fp32, fp16 storage or
// int8, over a fixed pool of threads. See student.c for the design; the plain Swift reference
// engine (SharpNet.ReferenceEngine) is its oracle.
#ifndef SHARPCAM_SC_STUDENT_H
#define SHARPCAM_SC_STUDENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SC_STUDENT_MAX_LAYERS 8

typedef enum { SC_PRECISION_FP32 = 0, SC_PRECISION_FP16 = 1, SC_PRECISION_INT8 = 2 } sc_precision;

/// A deployment-form student: `layers` 3×3 convolutions at 1/`block` resolution, all but the
/// last followed by ReLU; layer k maps channels[k] -> channels[k + 1]; channels[0] is block²
/// (luma) or 3·block² (luma, edge, mask after space-to-depth, ONNX SpaceToDepth order) and the
/// last is block².
typedef struct {
    int layers;
    int block;   // space-to-depth block size: 2 or 4
    int channels[SC_STUDENT_MAX_LAYERS + 1];
    const float *weights[SC_STUDENT_MAX_LAYERS];  // [out][in][3][3]
    const float *bias[SC_STUDENT_MAX_LAYERS];     // [out]
    /// int8: per hidden layer, one output scale per channel (activation = q · scale, q in
    /// 0..255); NULL for fp32/fp16.
    const float *activation_scale[SC_STUDENT_MAX_LAYERS];
    /// int8, hidden layers only: 1 gives the layer's weights 11 bits instead of 6 (|q| <= 1024,
    /// stored as a high and a low int8 part, q = 32·high + low, each run through the int8
    /// kernel): twice the layer's cost, for the layers whose weights need it (the first layer of
    /// a well-trained student: measured 0.84 dB of its 1.04 dB int8 loss at 6-bit weights).
    int wide_weights[SC_STUDENT_MAX_LAYERS];
    int uses_maps;
    sc_precision precision;
    /// 1: AVX2+FMA+F16C kernels, 0: portable, -1: choose from the CPU (and SHARPCAM_NO_AVX2).
    int use_avx2;
} sc_student_desc;

/// One frame: luma in (any sample step), optional full-resolution edge and mask planes, luma
/// out (may alias the input only if it is a different buffer's copy; rows are read before
/// they are written within a band but bands overlap in their halos).
typedef struct {
    const uint8_t *y;
    int y_step;
    ptrdiff_t y_stride;
    const uint8_t *edge;
    const uint8_t *mask;
    ptrdiff_t map_stride;
    uint8_t *out;
    int out_step;
    ptrdiff_t out_stride;
    /// Optional: instead of writing `out`, write the unclamped luma change
    /// round(strength · residual · scale) (RGB frames add it to R, G and B).
    int16_t *delta;
    ptrdiff_t delta_stride;   // in elements
    int width, height;
    int limited_range;   // 1: Y in 16..235 (normalised (Y - 16) / 219), 0: full range (Y / 255)
    float strength;      // out = in + strength * residual
} sc_student_frame;

typedef struct sc_student sc_student;

/// Builds the engine for frames up to `max_width` wide, with `threads` threads (1 or more).
/// Returns NULL (and a message in err) on an unsupported description.
sc_student *sc_student_create(const sc_student_desc *desc, int max_width, int threads, char *err, size_t err_size);
void sc_student_destroy(sc_student *s);

/// Processes one frame (blocking). Allocation-free.
void sc_student_run(sc_student *s, const sc_student_frame *frame);

/// Name of the kernel set in use ("avx2" or "portable") and the precision.
const char *sc_student_kernels(const sc_student *s);

#ifdef __cplusplus
}
#endif
#endif
