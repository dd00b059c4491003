// The fused student engine.
//
// A one-level student in deployment form is: luma (+ edge, mask) -> space-to-depth xB (B = 2
// or 4) -> L 3x3 convolutions at 1/B resolution (ReLU after all but the last) ->
// depth-to-space -> + luma. The engine never materialises a tensor: every layer keeps a ring
// of three NHWC rows (one row of padding pixels on each side), and a wavefront produces, at
// tick t, input row t+1 (space-to-depth straight from the Y plane), then row t-k of layer k;
// the last layer's row goes straight through depth-to-space, residual add, strength and
// clamping into the output Y rows. Each thread owns one horizontal band of output rows (and
// its own rings; the L-row halo above and below a band is recomputed). The bands run on the
// process's shared pool (sc_pool_shared); a frame allocates nothing.
//
// The row kernels come from one kernel set (student_kernels.h), chosen at creation; int8
// weights are quantised for that set's scheme (6-bit + wide layers for vpmaddubsw; 8-bit, with
// error-feedback rounding and optional wide layers, for vpdpbusd) and packed in its layout.
#include "CSharpKernels.h"
#include "student_kernels.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// Input channels rounded together by the 8-bit schemes' error-feedback rounding (at most).
#define SC_GPTQ_CHANNELS 48
/// A macro's value as a string literal (the layer limit in its error message).
#define SC_STRING(x) #x
#define SC_VALUE_STRING(x) SC_STRING(x)

/// One thread's working memory.
typedef struct {
    void *rings[SC_STUDENT_MAX_LAYERS]; // ring k: three rows of layer k's input (k = 0: space-to-depth input)
    void *zero_rows[SC_STUDENT_MAX_LAYERS]; // a padding-valued row per ring (rows outside the picture)
    float *window; // fp16: three input rows converted to fp32
    float *out_row; // one row's conv output (fp16 hidden rows before storage, or residual)
    int band, bands;
} sc_band;

struct sc_student {
    int layers;
    int block; // space-to-depth block size B (2 or 4)
    int ch[SC_STUDENT_MAX_LAYERS + 1]; // channels per ring (ch[L]: the residual, B² padded to 8)
    int uses_maps;
    sc_precision precision;
    const sc_student_kernel_table *k;
    sc_int8_weights int8_weights; // the resolved scheme (never AUTO)
    int max_w2; // widest row in network pixels (ceil(max_width / B))
    // Packed weights and biases per layer (int8: two variants of layer 0, limited / full range).
    float *wf[SC_STUDENT_MAX_LAYERS];
    uint16_t *wh[SC_STUDENT_MAX_LAYERS];
    int8_t *wq[SC_STUDENT_MAX_LAYERS][2];
    float *bias[SC_STUDENT_MAX_LAYERS];
    float *mul[SC_STUDENT_MAX_LAYERS][2], *add[SC_STUDENT_MAX_LAYERS][2];
    int wide[SC_STUDENT_MAX_LAYERS]; // int8 wide layers: the shift S of q = 2^S·high + low (0: not wide)
    int qmax; // int8 activation range 0..qmax
    // Threads: band t runs on the shared pool's thread t (band 0 on the caller's).
    int threads;
    sc_band *bands;
    sc_pool *pool;
    const sc_student_frame *frame; // the frame of the run in progress
};

static size_t elem_size(const sc_student *s) {
    return s->precision == SC_PRECISION_FP32 ? 4 : (s->precision == SC_PRECISION_FP16 ? 2 : 1);
}

// MARK: Packing and quantisation

static void pack_f32(const float *w, int cin, int cout, int cout8, float *wp) {
    const int k3 = 3 * cin;
    memset(wp, 0, sizeof(float) * (size_t)cout8 * 3 * k3);
    for (int o = 0; o < cout; o++)
        for (int i = 0; i < cin; i++)
            for (int dy = 0; dy < 3; dy++)
                for (int dx = 0; dx < 3; dx++) {
                    int og = o / 8, j = o % 8, k = dx * cin + i;
                    wp[((og * 3 + dy) * k3 + k) * 8 + j] = w[((o * cin + i) * 3 + dy) * 3 + dx];
                }
}

/// Error-feedback rounding (GPTQ's, with a prior instead of calibration data) of one output's
/// weights v[0 .. n) (in q units, |v| <= qlim) for inputs whose second moments are H: each
/// weight in turn is rounded to nearest and its error spread over the weights after it so that
/// the output's expected squared error (q − v)ᵀ·H·(q − v) stays small. U is the upper triangular
/// factor of H⁻¹ (Uᵀ·U = H⁻¹, see gptq_factor). Deblurring filters are differences of large
/// cancelling taps over strongly correlated inputs: rounding each tap on its own changes the
/// low-frequency (DC) response the taps cancel to, which this keeps.
static void gptq_round(const float *v_in, int n, const double *U, float qlim, float *q) {
    double v[9 * SC_GPTQ_CHANNELS];
    for (int i = 0; i < n; i++) v[i] = v_in[i];
    for (int i = 0; i < n; i++) {
        const double x = v[i] > qlim ? qlim : (v[i] < -qlim ? -qlim : v[i]);
        q[i] = (float)nearbyint(x);
        const double *u = U + (size_t)i * n;
        const double e = (v[i] - q[i]) / u[i];
        for (int j = i + 1; j < n; j++) v[j] -= e * u[j];
    }
}

/// U (upper triangular, n×n) with Uᵀ·U = (H + δ·I)⁻¹, δ = 1 % of H's mean diagonal, in place of
/// H (row-major; `tmp`: n scratch values): H + δ·I = R·Rᵀ with R upper triangular (Cholesky
/// from the last column back), then U = R⁻¹. Loops are row updates, which vectorise without
/// reassociating sums. Returns 0 if H is not positive definite.
static int gptq_factor(double *H, int n, double *tmp) {
    double mean = 0;
    for (int i = 0; i < n; i++) mean += H[(size_t)i * n + i];
    const double damp = 0.01 * mean / n;
    for (int i = 0; i < n; i++) H[(size_t)i * n + i] += damp;
    // R overwrites the upper triangle: column j from what columns > j left of H.
    for (int j = n - 1; j >= 0; j--) {
        const double djj = H[(size_t)j * n + j];
        if (!(djj > 0)) return 0;
        const double d = sqrt(djj);
        for (int i = 0; i < j; i++) tmp[i] = H[(size_t)i * n + j] /= d;
        H[(size_t)j * n + j] = d;
        for (int i = 0; i < j; i++) {
            double *row = H + (size_t)i * n;
            const double a = tmp[i];
            for (int l = i; l < j; l++) row[l] -= a * tmp[l];
        }
    }
    // U = R⁻¹ from the last row up: row i of U = (e_i − Σ_{k>i} R[i][k]·(row k of U)) / R[i][i].
    for (int i = n - 1; i >= 0; i--) {
        double *row = H + (size_t)i * n;
        for (int j = i; j < n; j++) tmp[j] = 0;
        for (int k = i + 1; k < n; k++) {
            const double a = row[k], *uk = H + (size_t)k * n;
            for (int j = k; j < n; j++) tmp[j] += a * uk[j];
        }
        const double inv = 1.0 / row[i];
        row[i] = inv;
        for (int j = i + 1; j < n; j++) row[j] = -tmp[j] * inv;
        for (int j = 0; j < i; j++) row[j] = 0;
    }
    return 1;
}

/// Quantises layer weights scaled per input channel by `in_scale[i]` to |q| <= wmax per output
/// channel into the standard int8 layout; returns per-channel weight scales and the sum of
/// q · zero point per channel. Wide layers (`shift` S > 0) quantise to |q| <= wmax·2^S and store
/// q = 2^S·high + low (|high| <= wmax, |low| <= 2^(S-1)) as two weight groups per output group:
/// high at 2·g, low at 2·g + 1. Rounding: to nearest, or with `U` (the factor of the inputs'
/// prior, for `chunk` input channels at a time; `chunk` divides cin) by gptq_round.
static void pack_s8(const float *w, int cin, int cout, int cout8, const float *in_scale, const float *zp, float wmax,
                    int shift, const double *U, int chunk, int8_t *wp, float *wscale, float *zp_sum) {
    const int k3 = 3 * cin, kc4 = k3 / 4;
    const float unit = (float)(1 << shift), qlim = shift ? wmax * unit : wmax;
    memset(wp, 0, (size_t)cout8 * 3 * k3 * (shift ? 2 : 1));
    for (int o = 0; o < cout8; o++) {
        wscale[o] = 0;
        zp_sum[o] = 0;
    }
    float v[9 * SC_GPTQ_CHANNELS], qv[9 * SC_GPTQ_CHANNELS];
    for (int o = 0; o < cout; o++) {
        float m = 0;
        for (int i = 0; i < cin; i++)
            for (int t = 0; t < 9; t++) m = fmaxf(m, fabsf(w[(o * cin + i) * 9 + t] * in_scale[i]));
        const float s = m > 0 ? m / qlim : 1.0f;
        wscale[o] = s;
        for (int i0 = 0; i0 < cin; i0 += chunk) { // input channels i0 .. i0 + n − 1
            const int n = cin - i0 < chunk ? cin - i0 : chunk;
            for (int t = 0; t < n * 9; t++) {
                const float x = w[(o * cin + i0) * 9 + t] * in_scale[i0 + t / 9] / s;
                v[t] = x > qlim ? qlim : (x < -qlim ? -qlim : x);
                qv[t] = nearbyintf(v[t]);
            }
            if (U) gptq_round(v, n * 9, U, qlim, qv);
            for (int i = i0; i < i0 + n; i++)
                for (int dy = 0; dy < 3; dy++)
                    for (int dx = 0; dx < 3; dx++) {
                        const float q = qv[((i - i0) * 3 + dy) * 3 + dx];
                        const int og = o / 8, j = o % 8, k = dx * cin + i, kc = k / 4, b = k % 4;
#define SC_PACKED(G) wp[((((G)*3 + dy) * kc4 + kc) * 8 + j) * 4 + b]
                        if (shift) {
                            const float high = nearbyintf(q / unit);
                            SC_PACKED(2 * og) = (int8_t)high;
                            SC_PACKED(2 * og + 1) = (int8_t)(q - high * unit);
                        } else {
                            SC_PACKED(og) = (int8_t)q;
                        }
#undef SC_PACKED
                        zp_sum[o] += q * zp[i];
                    }
        }
    }
}

static void set_error(char *err, size_t size, const char *msg) {
    if (err && size) snprintf(err, size, "%s", msg);
}

/// Checks a description; returns the problem or NULL.
static const char *check_desc(const sc_student_desc *d, int max_width, int threads) {
    const int L = d->layers, B = d->block, BB = d->block * d->block;
    if (L < 2 || L > SC_STUDENT_MAX_LAYERS)
        return "the fused engine needs 2 to " SC_VALUE_STRING(SC_STUDENT_MAX_LAYERS) " convolution layers";
    if (B != 2 && B != 4) return "space-to-depth block size must be 2 or 4";
    if (d->channels[0] != (d->uses_maps ? 3 * BB : BB))
        return "input channels must be B² (luma) or 3·B² (luma, edge, mask)";
    if (d->channels[L] != BB) return "the last layer must have B² output channels";
    for (int k = 1; k < L; k++)
        if (d->channels[k] % 8 != 0 || d->channels[k] < 8 || d->channels[k] > 256)
            return "hidden widths must be multiples of 8 (at most 256)";
    for (int k = 0; k < L; k++)
        if (!d->weights[k] || !d->bias[k]) return "every layer needs weights and biases";
    if (d->precision != SC_PRECISION_FP32 && d->precision != SC_PRECISION_FP16 && d->precision != SC_PRECISION_INT8)
        return "unknown precision";
    if (d->precision == SC_PRECISION_INT8)
        for (int k = 0; k < L - 1; k++)
            for (int c = 0; c < d->channels[k + 1]; c++)
                if (!d->activation_scale[k] || !(d->activation_scale[k][c] > 0))
                    return "int8 needs calibrated activation scales (sharpcam-train quantize)";
    for (int k = 0; k < L; k++)
        if ((d->wide_weights[k] || d->wide_weights_8bit[k]) && (k == L - 1 || d->precision != SC_PRECISION_INT8))
            return "wide weights are for hidden int8 layers only";
    if (d->int8_weights < SC_INT8_WEIGHTS_AUTO || d->int8_weights > SC_INT8_WEIGHTS_8BIT_WIDE)
        return "unknown int8 weight scheme";
    if (max_width < 1 || threads < 1 || threads > 64) return "invalid size or thread count (threads: 1 to 64)";
    return NULL;
}

static const char *scheme_name(sc_int8_weights scheme) {
    switch (scheme) {
    case SC_INT8_WEIGHTS_6BIT_WIDE:
        return "6-bit (wide)";
    case SC_INT8_WEIGHTS_8BIT:
        return "8-bit";
    case SC_INT8_WEIGHTS_8BIT_WIDE:
        return "8-bit (wide)";
    default:
        return "automatic";
    }
}

static const sc_student_kernel_table *table_for(sc_isa isa) {
    switch (isa) {
#ifdef SC_HAVE_STUDENT_AVX2
    case SC_ISA_AVX2:
        return &sc_student_table_avx2;
#endif
#ifdef SC_HAVE_STUDENT_VNNI
    case SC_ISA_AVXVNNI:
        return &sc_student_table_avxvnni;
    case SC_ISA_AVX512VNNI:
        return &sc_student_table_avx512vnni;
#endif
    default:
        return &sc_student_table_ref;
    }
}

/// The per-input-channel scale and zero point layer k's int8 weights fold in (layer 0: the
/// normalisation of luma in `range` 0 (limited) or 1 (full) and of the maps; later layers: the
/// previous layer's activation scales).
static void input_scales(const sc_student *s, const sc_student_desc *d, int k, int range, float *in_scale, float *zp) {
    for (int i = 0; i < d->channels[k]; i++) {
        if (k == 0) {
            const int luma = !d->uses_maps || i % 3 == 0;
            in_scale[i] = luma ? (range == 0 ? 1.0f / 219.0f : 1.0f / 255.0f) : 1.0f / 255.0f;
            zp[i] = luma && range == 0 ? 16.0f : 0.0f;
        } else {
            // The previous layer's per-channel activation scales fold into these weights.
            in_scale[i] = d->activation_scale[k - 1][i] * 255.0f / (float)s->qmax;
            zp[i] = 0;
        }
    }
}

/// The shift S of an 8-bit wide layer (q = 2^S·high + low, |q| <= 127·2^S): the largest S <= 7
/// for which every output's exact sum Σ u8·q stays within int32 (255·Σ|q| < 2^31) for both
/// input ranges (always 7 for layers of at most 57 input channels).
static int wide_shift_8bit(const sc_student *s, const sc_student_desc *d, int k, float *in_scale, float *zp) {
    const int cin = d->channels[k], cout = d->channels[k + 1];
    int shift = SC_STUDENT_WIDE_SHIFT8;
    for (int range = 0; range < 2; range++) {
        input_scales(s, d, k, range, in_scale, zp);
        for (int o = 0; o < cout; o++) {
            const float *wo = d->weights[k] + (size_t)o * cin * 9;
            double m = 0, sum = 0;
            for (int i = 0; i < cin * 9; i++) {
                const double v = fabs((double)wo[i] * in_scale[i / 9]);
                m = v > m ? v : m;
                sum += v;
            }
            // Σ|q| <= Σ|w| / scale + K / 2, scale = m / (127·2^S)
            while (shift > 1 && m > 0 && 255.0 * (sum / m * 127.0 * (1 << shift) + 4.5 * cin) >= 2147483647.0) shift--;
        }
    }
    return shift;
}

/// The second moments E[x·xᵀ] the 8-bit rounding assumes for `chunk` input channels of layer k
/// (n = 9·chunk, weight order [i][dy][dx]), in the units the int8 kernel multiplies (bytes less
/// the zero point). Layer 0 sees a natural picture after space-to-depth: per plane (luma, edge
/// map, mask) a mean and standard deviation, a correlation exp(−d/ℓ) over the distance d in
/// pixels and none between planes (of full scale: luma 0.45 ± 0.22, ℓ 20 px; edge 0.15 ± 0.15,
/// ℓ 8 px; mask 0.65 ± 0.45, ℓ 40 px: the p256 photos' means and deviations, and correlation
/// lengths a little shorter than theirs, which measured slightly better; student_quant_eval
/// --stats). Later layers see activations with mean = standard deviation in every channel,
/// correlated exp(−d/5) over d in network pixels within a channel. The rounding hardly depends
/// on these numbers: halving or doubling them, or zero means, moved the shipped student's
/// agreement with fp32 by at most 0.2 dB.
static void input_prior(const sc_student_desc *d, int k, int range, int chunk, double *H) {
    static const double mean[3] = {0.45, 0.15, 0.65}, sd[3] = {0.22, 0.15, 0.45}, len[3] = {20, 8, 40};
    const int n = 9 * chunk, B = d->block, maps = d->uses_maps;
    double corr[3][12][12]; // correlation over |row|, |column| distances (at most 3·B − 1 pixels)
    for (int p = 0; p < 3; p++)
        for (int r = 0; r < 12; r++)
            for (int c = 0; c < 12; c++) corr[p][r][c] = exp(-sqrt((double)(r * r + c * c)) / (k == 0 ? len[p] : 5));
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            const int ia = a / 9, ib = b / 9, ra = a % 9 / 3, ca = a % 3, rb = b % 9 / 3, cb = b % 3;
            double h;
            if (k == 0) {
                const int pa = maps ? ia % 3 : 0, pb = maps ? ib % 3 : 0, qa = maps ? ia / 3 : ia;
                const int qb = maps ? ib / 3 : ib;
                const double full_a = pa == 0 && range == 0 ? 219 : 255, full_b = pb == 0 && range == 0 ? 219 : 255;
                const int dr = abs((ra - rb) * B + qa / B - qb / B), dc = abs((ca - cb) * B + qa % B - qb % B);
                h = mean[pa] * full_a * mean[pb] * full_b;
                if (pa == pb) h += sd[pa] * full_a * sd[pb] * full_b * corr[pa][dr][dc];
            } else {
                h = 1 + (ia == ib ? corr[0][abs(ra - rb)][abs(ca - cb)] : 0);
            }
            H[(size_t)a * n + b] = h;
        }
}

/// Input channels per block of the 8-bit rounding: the largest divisor of cin up to
/// SC_GPTQ_CHANNELS (every input of layer 0; hidden layers in equal blocks).
static int gptq_chunk(int cin) {
    int c = cin < SC_GPTQ_CHANNELS ? cin : SC_GPTQ_CHANNELS;
    while (cin % c != 0) c--;
    return c;
}

/// The factor of the 8-bit rounding's prior (gptq_factor of input_prior): layer 0's depends on
/// the range, the later layers' only on the block of input channels, so one serves them all.
typedef struct {
    int key, chunk; // key: layer 0's range (0, 1), 2 for later layers, −1 for none
    double *U; // 9·chunk squared values, then 9·chunk scratch
} sc_prior_cache;

/// Sets *U to the factor for layer k (and `range`), or NULL (round to nearest) should the prior
/// not factor, which it always does. Returns 0 when memory runs out.
static int prior_factor(const sc_student_desc *d, int k, int range, sc_prior_cache *c, const double **U) {
    const int chunk = gptq_chunk(d->channels[k]), nh = 9 * chunk, key = k == 0 ? range : 2;
    if (c->key != key || c->chunk != chunk) {
        if (c->chunk != chunk) {
            free(c->U);
            c->key = -1;
            c->chunk = chunk;
            if (!(c->U = malloc(sizeof(double) * ((size_t)nh * nh + nh)))) {
                c->chunk = 0;
                return 0;
            }
        }
        input_prior(d, k, range, chunk, c->U);
        c->key = gptq_factor(c->U, nh, c->U + (size_t)nh * nh) ? key : -2;
    }
    *U = c->key == key ? c->U : NULL;
    return 1;
}

/// Quantises and packs int8 layer k for both input ranges (layer 0's zero point differs).
/// Returns 0 when memory runs out (what was stored in s is freed by sc_student_destroy).
static int pack_int8_layer(sc_student *s, const sc_student_desc *d, int k, float *ws, float *zsum, float *in_scale,
                           float *zp, sc_prior_cache *cache) {
    const int L = s->layers, cin = d->channels[k], cout = d->channels[k + 1], cout8 = (cout + 7) / 8 * 8;
    const int wgroups = cout8 / 8 * (s->wide[k] ? 2 : 1);
    const size_t n = (size_t)cout8 * 3 * 3 * cin * (s->wide[k] ? 2 : 1);
    const int eight = s->int8_weights != SC_INT8_WEIGHTS_6BIT_WIDE;
    const float wmax = eight ? SC_STUDENT_WMAX8 : SC_STUDENT_WMAX6;
    for (int range = 0; range < 2; range++) { // 0: limited, 1: full
        input_scales(s, d, k, range, in_scale, zp);
        // 8-bit weights: error-feedback rounding under the inputs' prior; 6-bit and wide 8-bit
        // layers (15 bits, where it gains nothing; and so that |q − v| <= 1/2 holds for the
        // int32 range of wide_shift_8bit): to nearest.
        const double *U = NULL;
        if (eight && !s->wide[k] && !prior_factor(d, k, range, cache, &U)) return 0;
        int8_t *standard = malloc(n);
        if (!standard) return 0;
        pack_s8(d->weights[k], cin, cout, cout8, in_scale, zp, wmax, s->wide[k], U, gptq_chunk(cin), standard, ws,
                zsum);
        if (s->k->s8_repack) {
            s->wq[k][range] = malloc(s->k->s8_packed_size(cin, wgroups));
            if (s->wq[k][range]) s->k->s8_repack(standard, cin, wgroups, s->wq[k][range]);
            free(standard);
        } else {
            s->wq[k][range] = standard;
        }
        s->mul[k][range] = calloc((size_t)cout8, sizeof(float));
        s->add[k][range] = calloc((size_t)cout8, sizeof(float));
        if (!s->wq[k][range] || !s->mul[k][range] || !s->add[k][range]) return 0;
        for (int o = 0; o < cout; o++) {
            const float out_scale = k < L - 1 ? d->activation_scale[k][o] * 255.0f / (float)s->qmax : 1.0f;
            s->mul[k][range][o] = ws[o] / out_scale;
            s->add[k][range][o] = (d->bias[k][o] - ws[o] * zsum[o]) / out_scale;
        }
    }
    return 1;
}

sc_student *sc_student_create(const sc_student_desc *d, int max_width, int threads, char *err, size_t err_size) {
    const char *problem = check_desc(d, max_width, threads);
    if (problem) {
        set_error(err, err_size, problem);
        return NULL;
    }
    sc_isa isa;
    if (!sc_isa_resolve(d->isa, &isa, err, err_size)) return NULL;
    const sc_student_kernel_table *table = table_for(isa);
    sc_int8_weights scheme = d->int8_weights == SC_INT8_WEIGHTS_AUTO ? table->native : (sc_int8_weights)d->int8_weights;
    if (d->precision != SC_PRECISION_INT8) scheme = table->native; // no effect
    if ((scheme == SC_INT8_WEIGHTS_8BIT && !table->supports_8bit) ||
        (scheme == SC_INT8_WEIGHTS_8BIT_WIDE && !table->supports_8bit_wide) ||
        (scheme == SC_INT8_WEIGHTS_6BIT_WIDE && !table->supports_6bit_wide)) {
        if (err && err_size)
            snprintf(err, err_size, "the %s kernels cannot run %s int8 weights (they use %s)", table->name,
                     scheme_name(scheme), scheme_name(table->native));
        return NULL;
    }

    const int L = d->layers, B = d->block, BB = d->block * d->block;
    sc_student *s = calloc(1, sizeof *s);
    if (!s) {
        set_error(err, err_size, "out of memory");
        return NULL;
    }
    float *ws = NULL, *zsum = NULL, *in_scale = NULL, *zp = NULL;
    sc_prior_cache prior = {-1, 0, NULL};
    s->layers = L;
    s->block = B;
    for (int k = 0; k < L; k++) s->ch[k] = d->channels[k];
    s->ch[L] = (BB + 7) / 8 * 8;
    s->uses_maps = d->uses_maps;
    s->precision = d->precision;
    s->k = table;
    s->int8_weights = scheme;
    s->max_w2 = (max_width + B - 1) / B;
    // int8 activations are 8-bit (0..255). With vpmaddubsw weights are 6-bit (|w| <= 32, so a
    // pair sum stays within int16; measured against 7-bit activations with |w| <= 64, equally
    // fast: 1.3-3 dB more accurate), with vpdpbusd 8-bit.
    s->qmax = 255;

    int cmax = 8;
    for (int k = 0; k <= L; k++) cmax = d->channels[k] > cmax ? d->channels[k] : cmax;
    ws = calloc((size_t)cmax, sizeof(float));
    zsum = calloc((size_t)cmax, sizeof(float));
    in_scale = calloc((size_t)cmax, sizeof(float));
    zp = calloc((size_t)cmax, sizeof(float));
    if (!ws || !zsum || !in_scale || !zp) goto oom;
    for (int k = 0; k < L && d->precision == SC_PRECISION_INT8; k++) { // wide layers: the shift S, else 0
        if (scheme == SC_INT8_WEIGHTS_6BIT_WIDE && d->wide_weights[k]) s->wide[k] = SC_STUDENT_WIDE_SHIFT;
        if (scheme == SC_INT8_WEIGHTS_8BIT_WIDE && d->wide_weights_8bit[k])
            s->wide[k] = wide_shift_8bit(s, d, k, in_scale, zp);
    }
    if (scheme == SC_INT8_WEIGHTS_8BIT_WIDE) { // with no wide layer, the same weights as 8-bit: named so
        int any = 0;
        for (int k = 0; k < L; k++) any |= s->wide[k];
        if (!any) s->int8_weights = SC_INT8_WEIGHTS_8BIT;
    }
    for (int k = 0; k < L; k++) {
        const int cin = d->channels[k], cout = d->channels[k + 1], cout8 = (cout + 7) / 8 * 8;
        const size_t n = (size_t)cout8 * 3 * 3 * cin;
        if (!(s->bias[k] = calloc((size_t)cout8, sizeof(float)))) goto oom;
        for (int o = 0; o < cout; o++) s->bias[k][o] = d->bias[k][o];
        if (d->precision == SC_PRECISION_INT8) {
            if (!pack_int8_layer(s, d, k, ws, zsum, in_scale, zp, &prior)) goto oom;
        } else {
            if (!(s->wf[k] = malloc(sizeof(float) * n))) goto oom;
            pack_f32(d->weights[k], cin, cout, cout8, s->wf[k]);
            if (d->precision == SC_PRECISION_FP16) {
                if (!(s->wh[k] = malloc(sizeof(uint16_t) * n))) goto oom;
                for (size_t i = 0; i < n; i++) s->wh[k][i] = sc_float_to_half(s->wf[k][i]);
                free(s->wf[k]);
                s->wf[k] = NULL;
            }
        }
    }
    free(ws);
    free(zsum);
    free(in_scale);
    free(zp);
    free(prior.U);
    ws = zsum = in_scale = zp = NULL;
    prior.U = NULL;

    // Per-thread rings.
    if (!(s->bands = calloc((size_t)threads, sizeof(sc_band)))) goto oom;
    s->threads = threads;
    const size_t es = elem_size(s), row_px = (size_t)s->max_w2 + 2;
    cmax = 8;
    for (int k = 0; k <= L; k++) cmax = s->ch[k] > cmax ? s->ch[k] : cmax;
    for (int t = 0; t < threads; t++) {
        sc_band *b = &s->bands[t];
        b->band = t;
        b->bands = threads;
        for (int k = 0; k < L; k++) {
            const size_t row = row_px * (size_t)s->ch[k] * es;
            if (!(b->rings[k] = calloc(3, row)) || !(b->zero_rows[k] = calloc(1, row))) goto oom;
        }
        if (!(b->window = calloc(3 * row_px * (size_t)cmax, sizeof(float)))) goto oom;
        if (!(b->out_row = calloc(row_px * (size_t)cmax, sizeof(float)))) goto oom;
    }
    s->pool = sc_pool_shared(threads); // shared with the process's other engines; never destroyed
    if (!s->pool) {
        set_error(err, err_size, "cannot start the engine's threads");
        sc_student_destroy(s);
        return NULL;
    }
    return s;
oom:
    free(ws);
    free(zsum);
    free(in_scale);
    free(zp);
    free(prior.U);
    sc_student_destroy(s);
    set_error(err, err_size, "out of memory");
    return NULL;
}

const char *sc_student_kernels(const sc_student *s) { return s->k->name; }

sc_isa sc_student_isa(const sc_student *s) { return s->k->isa; }

sc_int8_weights sc_student_int8_weights(const sc_student *s) { return s->int8_weights; }

// MARK: One band

/// The layer-k ring row holding row r (or the padding row outside the picture).
static inline void *ring_row(const sc_student *s, const sc_band *b, int k, int r, int h2) {
    const size_t row = ((size_t)s->max_w2 + 2) * (size_t)s->ch[k] * elem_size(s);
    if (r < 0 || r >= h2) return b->zero_rows[k];
    return (char *)b->rings[k] + (size_t)(r % 3) * row;
}

static inline int reflect101(int i, int n) {
    if (n == 1) return 0;
    while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
    return i;
}

/// Space-to-depth input row r (1/B resolution) from the Y plane (and maps), into ring 0.
static void build_input_row(const sc_student *s, sc_band *b, const sc_student_frame *f, int r, int h2, int w2) {
    const int c = s->ch[0], per = s->uses_maps ? 3 : 1, B = s->block;
    const size_t es = elem_size(s);
    char *row = (char *)ring_row(s, b, 0, r, h2) + (size_t)c * es; // pixel 0
    const float scale = f->limited_range ? 1.0f / 219.0f : 1.0f / 255.0f, zp = f->limited_range ? 16.0f : 0.0f;
    float *tmp = b->out_row; // fp32 staging (fp16 is converted from it)
    // Columns B·x ... B·x + B - 1 of every network pixel; only the last one of a width that is
    // not a multiple of B reflects (column W -> W - 2, ...).
    const int full_pairs = f->width / B, step = f->y_step;
    const int s2d4_maps = s->precision == SC_PRECISION_INT8 && per == 3 && B == 4;
    if (s2d4_maps) { // the whole network pixels of the shipped student's input in one kernel
        const uint8_t *ys[4], *es4[4], *ms[4];
        for (int dy = 0; dy < 4; dy++) {
            const int yy = reflect101(B * r + dy, f->height);
            ys[dy] = f->y + (ptrdiff_t)yy * f->y_stride;
            es4[dy] = f->edge + (ptrdiff_t)yy * f->map_stride;
            ms[dy] = f->mask + (ptrdiff_t)yy * f->map_stride;
        }
        s->k->s2d4_maps_s8(ys, step, es4, ms, full_pairs, (uint8_t *)row);
    }
    for (int dy = 0; dy < B; dy++) {
        const int yy = reflect101(B * r + dy, f->height);
        const uint8_t *yrow = f->y + (ptrdiff_t)yy * f->y_stride;
        const uint8_t *erow = s->uses_maps ? f->edge + (ptrdiff_t)yy * f->map_stride : NULL;
        const uint8_t *mrow = s->uses_maps ? f->mask + (ptrdiff_t)yy * f->map_stride : NULL;
        for (int dx = 0; dx < B; dx++) {
            const int block = (dy * B + dx) * per;
            if (s2d4_maps) {
                // done above
            } else if (s->precision == SC_PRECISION_INT8 && per == 1) {
                uint8_t *q = (uint8_t *)row + block;
                const uint8_t *src = yrow + dx * step;
                for (int x = 0; x < full_pairs; x++) q[x * c] = src[B * x * step];
            } else if (s->precision == SC_PRECISION_INT8) {
                for (int x = 0; x < full_pairs; x++) {
                    const int xx = B * x + dx;
                    uint8_t *q = (uint8_t *)row + x * c + block;
                    q[0] = yrow[xx * step];
                    q[1] = erow[xx];
                    q[2] = mrow[xx];
                }
            } else {
                for (int x = 0; x < full_pairs; x++) {
                    const int xx = B * x + dx;
                    float *p = tmp + x * c + block;
                    p[0] = ((float)yrow[xx * step] - zp) * scale;
                    if (per == 3) {
                        p[1] = erow[xx] / 255.0f;
                        p[2] = mrow[xx] / 255.0f;
                    }
                }
            }
            for (int x = full_pairs; x < w2; x++) { // the partial last block
                const int xx = reflect101(B * x + dx, f->width);
                const uint8_t v = yrow[xx * step];
                if (s->precision == SC_PRECISION_INT8) {
                    uint8_t *q = (uint8_t *)row + x * c + block;
                    q[0] = v;
                    if (per == 3) {
                        q[1] = erow[xx];
                        q[2] = mrow[xx];
                    }
                } else {
                    float *p = tmp + x * c + block;
                    p[0] = ((float)v - zp) * scale;
                    if (per == 3) {
                        p[1] = erow[xx] / 255.0f;
                        p[2] = mrow[xx] / 255.0f;
                    }
                }
            }
        }
    }
    if (s->precision == SC_PRECISION_FP32)
        memcpy(row, tmp, sizeof(float) * (size_t)w2 * c);
    else if (s->precision == SC_PRECISION_FP16)
        s->k->floats_to_halves(tmp, w2 * c, (uint16_t *)row);
}

/// Pads pixel -1 and pixel w2 of every ring row and the padding rows with the layer's zero.
static void prepare_padding(const sc_student *s, sc_band *b, const sc_student_frame *f, int w2) {
    const size_t es = elem_size(s);
    for (int k = 0; k < s->layers; k++) {
        const int c = s->ch[k];
        const size_t row = ((size_t)s->max_w2 + 2) * (size_t)c * es;
        // The input's zero is the luma zero point (int8, limited range); everything else is 0.
        uint8_t zq[48];
        const int zp_input = k == 0 && s->precision == SC_PRECISION_INT8 && f->limited_range;
        for (int i = 0; i < c && i < 48; i++) zq[i] = zp_input && (!s->uses_maps || i % 3 == 0) ? 16 : 0;
        char *ring = b->rings[k];
        void *rows[4] = {ring, ring + row, ring + 2 * row, b->zero_rows[k]};
        for (int ri = 0; ri < 4; ri++) {
            char *base = rows[ri];
            if (k == 0 && s->precision == SC_PRECISION_INT8) {
                const int pixels = ri == 3 ? w2 + 2 : 1;
                for (int p = 0; p < pixels; p++) memcpy(base + (size_t)p * c, zq, (size_t)c);
                memcpy(base + (size_t)(w2 + 1) * c, zq, (size_t)c);
            } else {
                memset(base, 0, (size_t)c * es);
                memset(base + (size_t)(w2 + 1) * c * es, 0, (size_t)c * es);
                if (ri == 3) memset(base, 0, (size_t)(w2 + 2) * c * es);
            }
        }
    }
}

/// Computes layer k's output row r into ring k+1, or (last layer) the output Y rows.
static void compute_row(const sc_student *s, sc_band *b, const sc_student_frame *f, int k, int r, int h2, int w2) {
    const int cin = s->ch[k], L = s->layers, last = k == L - 1, B = s->block;
    const int cout8 = last ? s->ch[L] : s->ch[k + 1];
    const size_t es = elem_size(s);
    const void *src[3];
    for (int d = 0; d < 3; d++) src[d] = ring_row(s, b, k, r - 1 + d, h2);
    float *res = b->out_row;
    const int range = f->limited_range ? 0 : 1;
    if (s->precision == SC_PRECISION_INT8) {
        const uint8_t *rows[3] = {src[0], src[1], src[2]};
        uint8_t *dst = last ? NULL : (uint8_t *)ring_row(s, b, k + 1, r, h2) + cout8;
        s->k->conv_s8(rows, w2, cin, cout8, s->wq[k][range], s->mul[k][range], s->add[k][range], s->qmax, s->wide[k],
                      dst, last ? res : NULL);
    } else {
        const float *rows[3];
        if (s->precision == SC_PRECISION_FP32) {
            for (int d = 0; d < 3; d++) rows[d] = src[d];
        } else {
            const size_t n = ((size_t)w2 + 2) * (size_t)cin;
            for (int d = 0; d < 3; d++) {
                float *wdst = b->window + (size_t)d * n;
                s->k->halves_to_floats(src[d], (int)n, wdst);
                rows[d] = wdst;
            }
        }
        char *next = last ? NULL : (char *)ring_row(s, b, k + 1, r, h2) + (size_t)cout8 * es; // pixel 0
        float *out = last || s->precision == SC_PRECISION_FP16 ? res : (float *)next;
        if (s->precision == SC_PRECISION_FP32)
            s->k->conv_f32(rows, w2, cin, cout8, s->wf[k], s->bias[k], !last, out);
        else
            s->k->conv_f32w16(rows, w2, cin, cout8, s->wh[k], s->bias[k], !last, out);
        if (!last && s->precision == SC_PRECISION_FP16) s->k->floats_to_halves(res, w2 * cout8, (uint16_t *)next);
    }
    if (!last) return;
    // Depth-to-space (DCR, one output channel), residual, strength, clamp, into Y rows
    // B·r ... B·r + B - 1.
    const float gain = f->strength * (f->limited_range ? 219.0f : 255.0f);
    for (int dy = 0; dy < B; dy++) {
        const int yy = B * r + dy;
        if (yy >= f->height) break;
        const float *rr = res + dy * B; // cout8 residual values per network pixel (B², padded to 8)
        if (f->delta) {
            s->k->delta_row(rr, cout8, B, f->delta + (ptrdiff_t)yy * f->delta_stride, f->width, gain);
        } else {
            s->k->residual_row(rr, cout8, B, f->y + (ptrdiff_t)yy * f->y_stride, f->y_step,
                               f->out + (ptrdiff_t)yy * f->out_stride, f->out_step, f->width, gain);
        }
    }
}

static void run_band(sc_student *s, sc_band *b, const sc_student_frame *f) {
    const int L = s->layers, B = s->block, h2 = (f->height + B - 1) / B, w2 = (f->width + B - 1) / B;
    const int r0 = (int)((long)h2 * b->band / b->bands), r1 = (int)((long)h2 * (b->band + 1) / b->bands);
    if (r0 >= r1) return;
    prepare_padding(s, b, f, w2);
    // Layer k (ring k+1 producer) needs rows [r0 - (L-1-k), r1 + (L-1-k)); the input ring
    // needs [r0 - L, r1 + L).
    for (int t = r0 - L - 1; t <= r1 + L - 2; t++) {
        const int in_row = t + 1;
        if (in_row >= 0 && in_row < h2 && in_row >= r0 - L && in_row < r1 + L) build_input_row(s, b, f, in_row, h2, w2);
        for (int k = 0; k < L; k++) {
            const int r = t - k, halo = L - 1 - k;
            if (r < 0 || r >= h2 || r < r0 - halo || r >= r1 + halo) continue;
            compute_row(s, b, f, k, r, h2, w2);
        }
    }
}

// MARK: Threads

static void run_pool_band(void *ctx, int index, int count) {
    (void)count;
    sc_student *s = ctx;
    run_band(s, &s->bands[index], s->frame);
}

void sc_student_run(sc_student *s, const sc_student_frame *f) {
    if ((f->width + s->block - 1) / s->block > s->max_w2) return; // caller checks; never overrun the rings
    s->frame = f; // published to the workers by the pool's lock
    sc_pool_run(s->pool, run_pool_band, s);
    s->frame = NULL;
}

void sc_student_destroy(sc_student *s) {
    if (!s) return;
    for (int t = 0; s->bands && t < s->threads; t++) {
        for (int k = 0; k < s->layers; k++) {
            free(s->bands[t].rings[k]);
            free(s->bands[t].zero_rows[k]);
        }
        free(s->bands[t].window);
        free(s->bands[t].out_row);
    }
    for (int k = 0; k < s->layers; k++) {
        free(s->wf[k]);
        free(s->wh[k]);
        free(s->bias[k]);
        for (int r = 0; r < 2; r++) {
            free(s->wq[k][r]);
            free(s->mul[k][r]);
            free(s->add[k][r]);
        }
    }
    free(s->bands);
    free(s);
}
