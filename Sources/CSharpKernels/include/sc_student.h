// The fused real-time student engine: a one-level student (space-to-depth ×2 or ×4, L 3×3 convs
// with ReLU, depth-to-space, + luma) run row by row through line buffers, in fp32, fp16 storage or
// int8, over a fixed pool of threads, with one of several kernel sets (instruction sets) chosen
// at creation. See student.c for the design; the plain Swift reference engine
// (SharpNet.ReferenceEngine) is its oracle, and Tests/CKernels/student_isa_test.c checks every
// kernel set against a double-precision forward pass.
#ifndef SHARPCAM_SC_STUDENT_H
#define SHARPCAM_SC_STUDENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SC_STUDENT_MAX_LAYERS 12

typedef enum { SC_PRECISION_FP32 = 0, SC_PRECISION_FP16 = 1, SC_PRECISION_INT8 = 2 } sc_precision;

/// A kernel set (instruction set) of the engine. Every set computes fp32 and fp16 the same way
/// up to float rounding (the VNNI sets use the AVX2 fp32/fp16 kernels); int8 results are
/// bit-identical between a set and the portable set configured with the same int8 weights.
typedef enum {
    SC_ISA_AUTO = -1, ///< the best this CPU has (AVX-512 VNNI > AVX-VNNI > AVX2 > portable), see sc_isa_resolve
    SC_ISA_PORTABLE = 0, ///< plain C (every CPU; aarch64's only set)
    SC_ISA_AVX2 = 1, ///< AVX2+FMA+F16C: int8 via vpmaddubsw (6-bit weights, wide layers)
    SC_ISA_AVXVNNI = 2, ///< AVX2+FMA+F16C+AVX-VNNI: int8 via VEX vpdpbusd on ymm (8-bit, wide)
    SC_ISA_AVX512VNNI = 3, ///< AVX-512 F/BW/VL/VNNI (+AVX2/FMA/F16C): int8 via vpdpbusd on zmm (8-bit, wide)
} sc_isa;

/// How int8 weights are quantised (per output channel, from the fp32 weights, at creation).
/// The 8-bit schemes round each output's weights with error feedback under a prior of the
/// inputs (smooth pictures, activations): every rounding error is offset by the weights after
/// it so that the output's expected error, above all its low-frequency (DC) response, stays
/// small (GPTQ's rounding without calibration data; ~15 ms at creation for the shipped
/// student). The 6-bit scheme and wide 8-bit layers round each weight to nearest.
/// Shipped student, 23 photos, p256 protocol, full-range luma (Tests/CKernels/student_quant_eval.c;
/// agreement: PSNR of the output luma against the fp32 engine's; loss: against the sharp
/// photos, in dB, vs fp32): 6-bit + wide layers 0, 1: 46.4 dB, 0.064; 8-bit: 47.0 dB, 0.037
/// (rounded to nearest, as before: 43.3 dB, 0.129); 8-bit + wide layer 0: 48.4 dB, 0.032;
/// + wide layers 0, 1: 48.6 dB, 0.035. 720p frames, 2 threads, Zen 5: wide layer 0 takes
/// avx512vnni from 2.2 to 2.7 ms and avxvnni from 4.2 to 5.4 ms, layers 0 and 1 to 3.0 and
/// 6.1 ms.
typedef enum {
    /// The kernel set's own scheme: SC_INT8_WEIGHTS_6BIT_WIDE for portable and AVX2,
    /// SC_INT8_WEIGHTS_8BIT_WIDE for both VNNI sets (a wide layer 0 adds 23-34 % to either set's
    /// frame; AVX-VNNI ran plain 8-bit until the student shipped on 2026-12-07, which lost 0.095
    /// dB to fp32 at p256 with it and 0.060 dB wide, so the VNNI sets compute the same bytes).
    SC_INT8_WEIGHTS_AUTO = 0,
    /// |q| <= 32 (vpmaddubsw pair sums stay within int16), and the layers marked in
    /// `wide_weights` get 11 bits as two int8 parts. Portable and AVX2 only.
    SC_INT8_WEIGHTS_6BIT_WIDE = 1,
    /// |q| <= 127 (vpdpbusd accumulates in int32 without int16 saturation); `wide_weights` and
    /// `wide_weights_8bit` are ignored (every layer 8-bit). Portable and the VNNI sets.
    SC_INT8_WEIGHTS_8BIT = 2,
    /// |q| <= 127, and the layers marked in `wide_weights_8bit` get 15 bits as two int8 parts
    /// (|q| <= 127·2^S, q = 2^S·high + low, S = 7, less for a layer with more than 57 input
    /// channels whose int32 sums could overflow; each part run through the int8 kernel, twice
    /// the layer's cost). With no layer marked (or for fp32/fp16), the same as
    /// SC_INT8_WEIGHTS_8BIT, which sc_student_int8_weights then reports. Portable and the VNNI
    /// sets.
    SC_INT8_WEIGHTS_8BIT_WIDE = 3,
} sc_int8_weights;

/// A deployment-form student: `layers` 3×3 convolutions at 1/`block` resolution, all but the
/// last followed by ReLU; layer k maps channels[k] -> channels[k + 1]; channels[0] is block²
/// (luma) or 3·block² (luma, edge, mask after space-to-depth, ONNX SpaceToDepth order) and the
/// last is block². Weights stay fp32 here; each kernel set packs (and for int8 quantises) its
/// own copy in sc_student_create.
typedef struct {
    int layers;
    int block; // space-to-depth block size: 2 or 4
    int channels[SC_STUDENT_MAX_LAYERS + 1];
    const float *weights[SC_STUDENT_MAX_LAYERS]; // [out][in][3][3]
    const float *bias[SC_STUDENT_MAX_LAYERS]; // [out]
    /// int8: per hidden layer, one output scale per channel (activation = q · scale, q in
    /// 0..255); NULL for fp32/fp16.
    const float *activation_scale[SC_STUDENT_MAX_LAYERS];
    /// int8 with SC_INT8_WEIGHTS_6BIT_WIDE, hidden layers only: 1 gives the layer's weights 11
    /// bits instead of 6 (|q| <= 1024, stored as a high and a low int8 part, q = 32·high + low,
    /// each run through the int8 kernel): twice the layer's cost, for the layers whose weights
    /// need it (the first layer of a well-trained student: measured 0.84 dB of its 1.04 dB
    /// int8 loss at 6-bit weights). Validated for every scheme, used by the 6-bit one only.
    int wide_weights[SC_STUDENT_MAX_LAYERS];
    /// The same for SC_INT8_WEIGHTS_8BIT_WIDE (15 bits instead of 8). On the shipped student
    /// wide layer 0 brings nearly all of the gain and layer 1 adds 0.2 dB of agreement for
    /// another 10-15 % of the frame (see sc_int8_weights): its list is [0], not the 6-bit
    /// scheme's [0, 1]. Validated for every scheme, used by the 8-bit wide one only.
    int wide_weights_8bit[SC_STUDENT_MAX_LAYERS];
    int uses_maps;
    sc_precision precision;
    /// An sc_isa: SC_ISA_AUTO (-1) chooses from the CPU and SHARPCAM_ISA (see sc_isa_resolve);
    /// note that a zeroed description asks for SC_ISA_PORTABLE. A set the CPU lacks is an error.
    int isa;
    /// An sc_int8_weights (0: the set's own scheme). Lets the portable set reproduce any other
    /// set's int8 output bit for bit; a scheme the set cannot run is an error.
    int int8_weights;
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
    ptrdiff_t delta_stride; // in elements
    int width, height;
    int limited_range; // 1: Y in 16..235 (normalised (Y - 16) / 219), 0: full range (Y / 255)
    float strength; // out = in + strength * residual
} sc_student_frame;

typedef struct sc_student sc_student;

/// Builds the engine for frames up to `max_width` wide, with `threads` bands (1 to 64) run on the
/// process's shared pool of that many threads (sc_pool_shared).
/// Returns NULL (and a message in err) on an unsupported description, a kernel set or int8
/// scheme this CPU or set cannot run ("... this CPU lacks it"), or when memory runs out ("out
/// of memory"; everything allocated so far is freed).
sc_student *sc_student_create(const sc_student_desc *desc, int max_width, int threads, char *err, size_t err_size);
void sc_student_destroy(sc_student *s);

/// Processes one frame (blocking). Allocation-free.
void sc_student_run(sc_student *s, const sc_student_frame *frame);

/// Name of the kernel set in use: "portable", "avx2", "avxvnni" or "avx512vnni" (sc_isa_name).
const char *sc_student_kernels(const sc_student *s);

/// The kernel set in use (never SC_ISA_AUTO).
sc_isa sc_student_isa(const sc_student *s);

/// The int8 weight scheme in use (never SC_INT8_WEIGHTS_AUTO; for fp32/fp16, where it has no
/// effect, the kernel set's own; `int8_weights` is then ignored). SC_INT8_WEIGHTS_8BIT_WIDE only
/// where a layer is wide (else SC_INT8_WEIGHTS_8BIT, the same weights).
sc_int8_weights sc_student_int8_weights(const sc_student *s);

/// "auto", "portable", "avx2", "avxvnni", "avx512vnni" ("unknown" for other values).
const char *sc_isa_name(sc_isa isa);

/// Parses one of the names above (ASCII case-insensitive); 1 and *isa set on success, else 0.
int sc_isa_parse(const char *name, sc_isa *isa);

/// The kernel set a description's `isa` stands for: an explicit set if this CPU (and build)
/// supports it; SC_ISA_AUTO reads SHARPCAM_ISA=portable|avx2|avxvnni|avx512vnni|auto from the
/// environment (each call), else SHARPCAM_NO_AVX2 (set and not "0": portable), else
/// sc_cpu_best_isa(). Returns 1 with *isa set, or 0 with a message in err (an unknown name, or
/// a set this CPU lacks).
int sc_isa_resolve(int requested, sc_isa *isa, char *err, size_t err_size);

#ifdef __cplusplus
}
#endif
#endif
