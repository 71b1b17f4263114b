#ifndef VOX_KERNELS_INTERNAL_H
#define VOX_KERNELS_INTERNAL_H
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#define VOX_NR 32   /* columns per packed panel */
#define VOX_ROW_CHUNK 96 /* rows whose A block stays in L2 while every panel passes over it */

#define VOX_BF16_ROW 16 /* BF16 row buffers hold k rounded up to this many floats */

void vox_i8_quantize_rows_portable(int m, int k, const float *a, int lda, uint8_t *q, int ldq, float *scale,
                                   int32_t *zero);
void vox_i8_quantize_rows_avx512(int m, int k, const float *a, int lda, uint8_t *q, int ldq, float *scale,
                                 int32_t *zero);
void vox_i8_gemm_portable(int m, int k, const uint8_t *q, int ldq, const float *row_scale, const int32_t *row_zero,
                          const int8_t *packed, const float *column_scale, const int32_t *column_sum,
                          const float *bias, int n, int panel_begin, int panel_end, float *c, int ldc, int gelu);
void vox_i8_gemm_vnni(int m, int k, const uint8_t *q, int ldq, const float *row_scale, const int32_t *row_zero,
                      const int8_t *packed, const float *column_scale, const int32_t *column_sum, const float *bias,
                      int n, int panel_begin, int panel_end, float *c, int ldc, int gelu);
void vox_bf16_round_rows_portable(int m, int k, const float *a, int lda, float *out, int ldo);
void vox_bf16_round_rows_avx512(int m, int k, const float *a, int lda, float *out, int ldo, int pairs);
void vox_bf16_gemm_portable(int m, int k, const float *a, int lda, const uint16_t *packed, const float *bias, int n,
                            int panel_begin, int panel_end, float *c, int ldc, int gelu);
void vox_bf16_gemm_emu(int m, int k, const float *a, int lda, const uint16_t *packed, const float *bias, int n,
                       int panel_begin, int panel_end, float *c, int ldc, int gelu);
void vox_bf16_gemm_native(int m, int k, const float *a, int lda, const uint16_t *packed, const float *bias, int n,
                          int panel_begin, int panel_end, float *c, int ldc, int gelu);
int vox_bf16_native_probe(void);
uint16_t vox_bf16_from_float(float f);
float vox_float_from_bf16(uint16_t h);
float vox_bf16_flush(float x);

void vox_gemm_avx512(int m, int k, const float *a, int lda, const float *packed, const float *bias, int n,
                     int panel_begin, int panel_end, float *c, int ldc, int gelu);
void vox_gemm_avx2(int m, int k, const float *a, int lda, const float *packed, const float *bias, int n,
                   int panel_begin, int panel_end, float *c, int ldc, int gelu);
void vox_gemm_portable(int m, int k, const float *a, int lda, const float *packed, const float *bias, int n,
                       int panel_begin, int panel_end, float *c, int ldc, int gelu);
void vox_gelu_avx512(float *x, size_t count);
void vox_gelu_backward_avx512(const float *x, float *dy, size_t count);
void vox_gelu_backward_portable(const float *x, float *dy, size_t count);
void vox_layer_norm_avx512(float *x, const float *residual, int rows, int width, const float *gamma,
                           const float *beta, float epsilon);
void vox_layer_norm_portable(float *x, const float *residual, int rows, int width, const float *gamma,
                             const float *beta, float epsilon);
void vox_gelu_portable(float *x, size_t count);

void vox_attention_avx512(const float *qkv, int tokens, int hidden, int heads, float *context, float *scratch,
                          float *probabilities);
void vox_attention_portable(const float *qkv, int tokens, int hidden, int heads, float *context, float *scratch,
                            float *probabilities);

/* exp by Cephes' range reduction and polynomial, with fused multiply-adds in a fixed order (|rel. error| < 2e-7). */
#define VOX_EXP_HI 88.3762626647949f
#define VOX_EXP_LO -87.3365447504f
#define VOX_LOG2E 1.44269504088896341f
#define VOX_EXP_C1 0.693359375f
#define VOX_EXP_C2 -2.12194440e-4f
#define VOX_EXP_P0 1.9875691500e-4f
#define VOX_EXP_P1 1.3981999507e-3f
#define VOX_EXP_P2 8.3334519073e-3f
#define VOX_EXP_P3 4.1665795894e-2f
#define VOX_EXP_P4 1.6666665459e-1f
#define VOX_EXP_P5 5.0000001201e-1f

static inline float vox_exp_scalar(float x) {
    x = x > VOX_EXP_HI ? VOX_EXP_HI : (x < VOX_EXP_LO ? VOX_EXP_LO : x);
    float n = floorf(fmaf(x, VOX_LOG2E, 0.5f));
    x = fmaf(n, -VOX_EXP_C1, x);
    x = fmaf(n, -VOX_EXP_C2, x);
    float p = fmaf(VOX_EXP_P0, x, VOX_EXP_P1);
    p = fmaf(p, x, VOX_EXP_P2);
    p = fmaf(p, x, VOX_EXP_P3);
    p = fmaf(p, x, VOX_EXP_P4);
    p = fmaf(p, x, VOX_EXP_P5);
    float y = fmaf(p, x * x, x) + 1.0f;
    union { int i; float f; } scale = { .i = ((int)n + 127) << 23 };
    return y * scale.f;
}

/* Sixteen lane sums (lane j takes elements j, j+16, …) reduced 16 → 8 → 4 → 2 → 1, the same on every path. */
static inline float vox_reduce16(float lanes[16]) {
    for (int width = 8; width >= 1; width /= 2)
        for (int j = 0; j < width; j++) lanes[j] = lanes[j] + lanes[j + width];
    return lanes[0];
}

/* erf by a rational approximation on [-4, 4] (clamped outside), evaluated with fused multiply-adds in a
   fixed order so the scalar and vector versions round identically. */
#define VOX_ERF_P13 -2.72614225801306e-10f
#define VOX_ERF_P11 2.77068142495902e-08f
#define VOX_ERF_P9 -2.10102402082508e-06f
#define VOX_ERF_P7 -5.69250639462346e-05f
#define VOX_ERF_P5 -7.34990630326855e-04f
#define VOX_ERF_P3 -2.95459980854025e-03f
#define VOX_ERF_P1 -1.60960333262415e-02f
#define VOX_ERF_Q8 -1.45660718464996e-05f
#define VOX_ERF_Q6 -2.13374055278905e-04f
#define VOX_ERF_Q4 -1.68282697438203e-03f
#define VOX_ERF_Q2 -7.37332916720468e-03f
#define VOX_ERF_Q0 -1.42647390514189e-02f
#define VOX_RSQRT2 0.70710678118654752f

static inline float vox_erf_scalar(float x) {
    x = x > 4.0f ? 4.0f : (x < -4.0f ? -4.0f : x);
    float x2 = x * x;
    float p = fmaf(x2, VOX_ERF_P13, VOX_ERF_P11);
    p = fmaf(x2, p, VOX_ERF_P9);
    p = fmaf(x2, p, VOX_ERF_P7);
    p = fmaf(x2, p, VOX_ERF_P5);
    p = fmaf(x2, p, VOX_ERF_P3);
    p = fmaf(x2, p, VOX_ERF_P1);
    p = x * p;
    float q = fmaf(x2, VOX_ERF_Q8, VOX_ERF_Q6);
    q = fmaf(x2, q, VOX_ERF_Q4);
    q = fmaf(x2, q, VOX_ERF_Q2);
    q = fmaf(x2, q, VOX_ERF_Q0);
    return p / q;
}

static inline float vox_gelu_scalar(float v) {
    float erf = vox_erf_scalar(v * VOX_RSQRT2);
    return (0.5f * v) * (1.0f + erf);
}
#endif
